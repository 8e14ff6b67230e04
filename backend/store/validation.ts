import type { z } from 'zod';

/** One readable line for the first problem zod found: `profiles[0].attempts[2].source: expected string`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid input';
  const where = formatPath(issue.path);
  return where === '' ? issue.message : `${where}: ${issue.message}`;
}

export function formatPath(pathParts: readonly PropertyKey[]): string {
  let out = '';
  for (const part of pathParts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Refuse oversized input before decoding or parsing any of it. */
export function checkSize(what: string, byteLength: number, limit: number): void {
  if (byteLength > limit) {
    throw new InputError(`${what} is ${formatBytes(byteLength)}, larger than the limit of ${formatBytes(limit)}`);
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Decode UTF-8 strictly and parse JSON, with errors that say which input was bad. */
export function parseJsonText(what: string, input: string | Uint8Array): unknown {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new InputError(`${what} is not UTF-8 text`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what} is not valid JSON${jsonErrorPlace(text, (e as Error).message)}`);
  }
}

export function byteLength(input: string | Uint8Array): number {
  return typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
}

/** Bad input from outside (a file, an argument): the message says what and where. */
export class InputError extends Error {
  override readonly name: string = 'InputError';
}

/** Where JSON.parse stopped, in words that do not depend on the JavaScript engine's version. */
function jsonErrorPlace(text: string, message: string): string {
  const token = /Unexpected token '?(.)'?/.exec(message)?.[1] ?? /Unexpected (number|string)/.exec(message)?.[1];
  const what = token === undefined ? 'syntax error' : `unexpected ${token.length === 1 ? JSON.stringify(token) : token}`;
  const position = /at position (\d+)/.exec(message);
  if (position !== null) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return `: ${what} at line ${line}, column ${column}`;
  }
  if (/end of JSON input/i.test(message)) return ': it ends too early';
  return `: ${what}`;
}
