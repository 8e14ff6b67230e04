/** Assembles curriculum files with GNU as, linked the way the engine links them: the harness sees regions and entry points, the learner sees struct offsets, exposed regions and the harness's globals. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
