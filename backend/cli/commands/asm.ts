import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { includeReaderWithin } from '../../grading/source-file.ts';
import { assemble, type AssembleResult, type Bits, type Diagnostic } from '../../../emulator/asm/index.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliIO, type Command } from '../io.ts';

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const offset = (v: number | bigint) => `0x${v.toString(16)}`;

function parseArgs(args: string[]): { file: string; bits: Bits; json: boolean } {
  let file: string | undefined;
  let bits: Bits = 64;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--bits' || a.startsWith('--bits=')) {
      const v = a === '--bits' ? args[++i] : a.slice('--bits='.length);
      if (v !== '16' && v !== '32' && v !== '64') throw new UsageError(`--bits takes 16, 32 or 64, not ${v === undefined ? 'nothing' : `'${v}'`}`);
      bits = Number(v) as Bits;
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
    else if (file === undefined) file = a;
    else throw new UsageError(`one FILE only (got '${file}' and '${a}')`);
  }
  if (file === undefined) throw new UsageError('FILE is missing');
  return { file, bits, json };
}

export function toJson(result: AssembleResult): unknown {
  return {
    ok: result.ok,
    sections: result.sections.map((s) => ({ name: s.name, hex: toHex(s.bytes) })),
    symbols: Object.fromEntries(result.symbols.map((s) => [s.name, { section: s.section, offset: offset(s.value) }])),
    listing: result.listing.map((l) => ({ line: l.line, section: l.section, offset: offset(l.offset), hex: toHex(l.bytes) })),
    diagnostics: result.diagnostics.map((d) => ({ severity: d.severity, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn, message: d.message, ...(d.file ? { file: d.file } : {}), ...(d.related ? { related: d.related } : {}) })),
  };
}

/** GNU-as-like `file:line:col: error: message`, then the source line and a caret under the range. */
function formatDiagnostic(file: string, lines: string[], d: Diagnostic): string {
  const notes = (d.related ?? []).map((r) => `${r.file ?? file}:${r.line}:${r.column}: note: ${r.message}\n`).join('');
  if (d.file) return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n${notes}`;
  const text = lines[d.line - 1] ?? '';
  const width = d.endLine === d.line ? Math.max(1, d.endColumn - d.column) : 1;
  const pad = text.slice(0, d.column - 1).replace(/[^\t]/g, ' ');
  return `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n  ${text}\n  ${pad}^${'~'.repeat(width - 1)}\n${notes}`;
}

function printHuman(io: CliIO, file: string, source: string, result: AssembleResult): void {
  const lines = source.split('\n');
  for (const d of result.diagnostics) io.stderr(formatDiagnostic(file, lines, d));
  if (!result.ok) return;
  for (const l of result.listing) {
    const where = `${l.section}+${offset(l.offset)}`;
    io.stdout(`${String(l.line).padStart(5)}  ${where.padEnd(16)} ${toHex(l.bytes).padEnd(24)} ${(lines[l.line - 1] ?? '').trim()}\n`);
  }
  for (const s of result.sections) io.stdout(`${s.name}: ${s.bytes.length} bytes\n`);
}

const command: Command = {
  summary: 'Assemble a GAS-syntax file (AT&T by default, .intel_syntax switches) and print bytes, listing and diagnostics.',
  usage: 'switchyard asm FILE [--bits 16|32|64] [--json]',
  async run(args, io) {
    const { file, bits, json } = parseArgs(args);
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      io.stderr(`switchyard asm: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      return EXIT_USAGE;
    }
    const result = assemble(source, { bits, fileName: basename(file), include: includeReaderWithin(dirname(file)) });
    if (json) {
      io.stdout(`${JSON.stringify(toJson(result), null, 2)}\n`);
      if (!result.ok) io.stderr(`switchyard asm: ${result.diagnostics.filter((d) => d.severity === 'error').length} error(s) in ${file}\n`);
    } else printHuman(io, file, source, result);
    return result.ok ? EXIT_OK : EXIT_FAILED;
  },
};
export default command;
