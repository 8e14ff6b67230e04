/** Assembles curriculum files with GNU as, linked the way the engine links them: the harness sees regions and entry points, the learner sees struct offsets, exposed regions and the harness's globals. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const gnuAsAvailable = spawnSync('as', ['--version']).status === 0 && spawnSync('nm', ['--version']).status === 0;

export interface Assembled { ok: boolean; errors: string; defined: Map<string, { type: string }>; undefinedSymbols: string[] }

export function gnuAssemble(source: string, bits: 32 | 64, symbols: Record<string, number>): Assembled {
  const dir = mkdtempSync(join(tmpdir(), 'curriculum-as-'));
  try {
    const src = join(dir, 'in.s'), obj = join(dir, 'in.o');
    writeFileSync(src, source.endsWith('\n') ? source : `${source}\n`);
    const defs = Object.entries(symbols).flatMap(([k, v]) => ['--defsym', `${k}=0x${v.toString(16)}`]);
    const r = spawnSync('as', [bits === 64 ? '--64' : '--32', ...defs, '-o', obj, src], { encoding: 'utf8' });
    if (r.status !== 0) return { ok: false, errors: r.stderr.replaceAll(src, 'source'), defined: new Map(), undefinedSymbols: [] };
    const nm = execFileSync('nm', [obj], { encoding: 'utf8' });
    const defined = new Map<string, { type: string }>();
    const undefinedSymbols: string[] = [];
    for (const line of nm.split('\n')) {
      const m = /^\s*([0-9a-f]*)\s+(\w)\s+(\S+)$/.exec(line);
      if (!m) continue;
      if (m[2] === 'U') undefinedSymbols.push(m[3]);
      else defined.set(m[3], { type: m[2] });
    }
    return { ok: true, errors: r.stderr, defined, undefinedSymbols };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const gnuLinkAvailable = gnuAsAvailable && spawnSync('ld', ['--version']).status === 0 && spawnSync('objcopy', ['--version']).status === 0;

/** The .text bytes GNU as and ld produce for `source` with .text at `text` and .data at `data`. */
export function gnuText(source: string, bits: 32 | 64, symbols: Record<string, number>, text: number, data: number): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'curriculum-ld-'));
  try {
    const src = join(dir, 'in.s'), obj = join(dir, 'in.o'), elf = join(dir, 'in.elf'), bin = join(dir, 'in.bin');
    writeFileSync(src, source.endsWith('\n') ? source : `${source}\n`);
    const defs = Object.entries(symbols).flatMap(([k, v]) => ['--defsym', `${k}=0x${v.toString(16)}`]);
    execFileSync('as', [bits === 64 ? '--64' : '--32', ...defs, '-o', obj, src], { stdio: 'pipe' });
    execFileSync('ld', [bits === 64 ? '-melf_x86_64' : '-melf_i386', `-Ttext=0x${text.toString(16)}`, `-Tdata=0x${data.toString(16)}`, '-e', '0', '-o', elf, obj], { stdio: 'pipe' });
    execFileSync('objcopy', ['-O', 'binary', '-j', '.text', elf, bin], { stdio: 'pipe' });
    return new Uint8Array(readFileSync(bin));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
