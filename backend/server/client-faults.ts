import type { Duplex } from 'node:stream';

/** A line for the server's log naming what a client did wrong; the client's own bytes are not echoed. */
export type ServerLog = (line: string) => void;

export const stderrLog: ServerLog = (line) => {
  process.stderr.write(`switchyard serve: ${line}\n`);
};

const GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/** A client that went away mid-exchange: nothing to answer, only to note. */
export function isClientGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined && GONE.has(code)) || (error instanceof Error && error.message === 'aborted');
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout',
  413: 'Content Too Large', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** A complete HTTP/1.1 response for a socket no ServerResponse owns (refused upgrades, parse errors). */
export function rawResponse(status: number, text: string): string {
  const body = `${text}\n`;
  return `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The status Node's HTTP parser errors deserve (as Node's own default handler answers them). */
function statusForParseError(error: NodeJS.ErrnoException): number {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
  if (error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/**
 * Answers a client whose bytes Node's parser refused (or who timed out), then drops it. Every
 * socket handed over here already carries an error listener, so a reset while answering is harmless.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, log: ServerLog): void {
  if (isClientGone(error)) {
    log(`client went away: ${describeError(error)}`);
    socket.destroy();
    return;
  }
  const status = statusForParseError(error);
  log(`refused a request (${status}): ${describeError(error)}`);
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) socket.write(rawResponse(status, REASONS[status] ?? 'Bad Request'));
  socket.destroy();
}
