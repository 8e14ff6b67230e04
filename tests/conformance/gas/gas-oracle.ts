// Runs GNU as (binutils) on a corpus file and returns what it produced, per line for flat corpora
// (one instruction per line) and per section for whole files. Shared by the conformance test and
// build/scripts/record-gas-fixtures.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CorpusHeader {
  /** flat: one instruction per line; file: a whole program; reject: a file GNU as rejects (its error lines are compared). */
  kind: 'flat' | 'file' | 'reject';
  /** 16-bit corpora are assembled like `as --32` with `.code16`. */
  bits: 16 | 32 | 64;
  textBase: bigint;
  dataBase: bigint;
}

export interface Fixture {
  file: string;
  sha256: string;
  assembler: string;
  kind: 'flat' | 'file' | 'reject';
  bits: 16 | 32 | 64;
  /** Flat corpora: line number → bytes as hex, or null where GNU as reported an error. */
  lines?: Record<string, string | null>;
  /** Whole files: section name → bytes as hex, linked at the header's bases. */
  sections?: Record<string, string>;
  /** Whole files: every symbol GNU as puts in the object (`nm`), name → type letter and value in hex. */
  symbols?: Record<string, string>;
  /** Rejected files: the lines (of the corpus file) GNU as reports errors on. */
  errorLines?: number[];
}

export function parseHeader(source: string): CorpusHeader {
  const m = /^# corpus: (flat|file|reject)\s+bits=(16|32|64)(?:\s+text=(0x[0-9a-f]+))?(?:\s+data=(0x[0-9a-f]+))?/m.exec(source);
  if (!m) throw new Error('corpus file lacks a `# corpus: flat|file|reject bits=32|64` header line');
  return { kind: m[1] as CorpusHeader['kind'], bits: Number(m[2]) as 16 | 32 | 64, textBase: BigInt(m[3] ?? '0'), dataBase: BigInt(m[4] ?? '0x10000') };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function gasAvailable(): boolean {
  return spawnSync('as', ['--version'], { encoding: 'utf8' }).status === 0 && spawnSync('objcopy', ['--version'], { encoding: 'utf8' }).status === 0;
}

export function gasVersion(): string {
  return spawnSync('as', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'unknown';
}

function isInstructionLine(line: string): boolean {
  const t = line.trim();
  return t !== '' && !t.startsWith('#') && !t.startsWith('.') && !t.startsWith('/');
}

/** `.S` corpus files go through the C preprocessor first, as `gcc -c file.S` does (includes from the corpus folder). */
export function isPreprocessed(file: string): boolean {
  return file.endsWith('.S');
}

function runAs(dir: string, source: string, bits: 16 | 32 | 64, cpp?: { file: string; includeDir: string }): { ok: boolean; errorLines: Set<number>; stderr: string } {
  const name = cpp ? cpp.file : 'in.s';
  writeFileSync(join(dir, name), source);
  if (cpp) execFileSync('gcc', ['-E', '-x', 'assembler-with-cpp', ...(bits === 64 ? [] : ['-m32']), '-I', cpp.includeDir, '-o', 'in.s', name], { cwd: dir, encoding: 'utf8' });
  const r = spawnSync('as', [bits === 64 ? '--64' : '--32', '-o', 'in.o', 'in.s'], { encoding: 'utf8', cwd: dir });
  const errorLines = new Set<number>();
  const escaped = name.replace(/[.]/g, '\\.');
  for (const m of r.stderr.matchAll(new RegExp(`(?:^|\\n)${escaped}:(\\d+): Error:`, 'g'))) errorLines.add(Number(m[1]));
  return { ok: r.status === 0, errorLines, stderr: r.stderr };
}

function objectSymbols(object: string): Record<string, string> {
  const out = execFileSync('nm', [object], { encoding: 'utf8' });
  const symbols: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]+) (\w) (\S+)$/.exec(line);
    if (m) symbols[m[3]] = `${m[2]} 0x${BigInt(`0x${m[1]}`).toString(16)}`;
  }
  return symbols;
}

function symbolOffsets(dir: string): Map<string, number> {
  const out = execFileSync('nm', [join(dir, 'in.o')], { encoding: 'utf8' });
  const map = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]+) \w (\S+)$/.exec(line);
    if (m) map.set(m[2], parseInt(m[1], 16));
  }
  return map;
}

function sectionBytes(dir: string, object: string, section: string): Buffer {
  const bin = join(dir, `${section.replace(/\W/g, '_')}.bin`);
  execFileSync('objcopy', ['-O', 'binary', '-j', section, object, bin]);
  return existsSync(bin) ? readFileSync(bin) : Buffer.alloc(0);
}

/** Assembles one corpus file with GNU as. */
export function recordWithGas(file: string, source: string, includeDir: string): Fixture {
  const header = parseHeader(source);
  const dir = mkdtempSync(join(tmpdir(), 'gas-'));
  const cpp = isPreprocessed(file) ? { file, includeDir } : undefined;
  try {
    const base: Omit<Fixture, 'lines' | 'sections'> = { file, sha256: sha256(source), assembler: gasVersion(), kind: header.kind, bits: header.bits };
    if (header.kind === 'flat') return { ...base, lines: recordFlat(dir, source, header.bits) };
    if (header.kind === 'reject') {
      const r = runAs(dir, source, header.bits, cpp);
      if (r.ok) throw new Error(`${file} is a rejection case, but GNU as assembled it`);
      return { ...base, errorLines: [...r.errorLines].sort((a, b) => a - b) };
    }
    return { ...base, ...recordFile(dir, source, header, cpp) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function recordFlat(dir: string, source: string, bits: 16 | 32 | 64): Record<string, string | null> {
  const lines = source.split('\n');
  const rejected = new Set<number>();
  // Lines GNU as rejects are recorded as errors and commented out, then the rest is assembled again.
  for (let attempt = 0; attempt < 20; attempt++) {
    const labelled = lines.map((l, i) => (rejected.has(i + 1) ? `# ${l}` : isInstructionLine(l) ? `__L${i + 1}: ${l}` : l)).join('\n') + '\n__Lend:\n';
    const r = runAs(dir, labelled, bits);
    if (r.ok) break;
    if (r.errorLines.size === 0) throw new Error(`GNU as failed without line errors:\n${r.stderr}`);
    for (const n of r.errorLines) rejected.add(n);
  }
  const offsets = symbolOffsets(dir);
  const text = sectionBytes(dir, join(dir, 'in.o'), '.text');
  const result: Record<string, string | null> = {};
  const numbered = lines.map((l, i) => i + 1).filter((n) => isInstructionLine(lines[n - 1]));
  const starts = numbered.filter((n) => !rejected.has(n)).map((n) => ({ n, off: offsets.get(`__L${n}`)! }));
  const end = offsets.get('__Lend')!;
  for (let i = 0; i < starts.length; i++) {
    const next = i + 1 < starts.length ? starts[i + 1].off : end;
    result[String(starts[i].n)] = text.subarray(starts[i].off, next).toString('hex');
  }
  for (const n of rejected) result[String(n)] = null;
  return result;
}

function recordFile(dir: string, source: string, header: CorpusHeader, cpp?: { file: string; includeDir: string }): { sections: Record<string, string>; symbols: Record<string, string> } {
  const r = runAs(dir, source, header.bits, cpp);
  if (!r.ok) throw new Error(`GNU as rejected the file:\n${r.stderr.slice(0, 2000)}`);
  const elf = join(dir, 'out.elf');
  execFileSync('ld', ['-m', header.bits === 64 ? 'elf_x86_64' : 'elf_i386', `-Ttext=0x${header.textBase.toString(16)}`, `-Tdata=0x${header.dataBase.toString(16)}`, '-e', '0', '-o', elf, join(dir, 'in.o')], { encoding: 'utf8' });
  const sections: Record<string, string> = {};
  for (const name of ['.text', '.data']) {
    const bytes = sectionBytes(dir, elf, name);
    if (bytes.length > 0 || name === '.text') sections[name] = bytes.toString('hex');
  }
  return { sections, symbols: objectSymbols(join(dir, 'in.o')) };
}
