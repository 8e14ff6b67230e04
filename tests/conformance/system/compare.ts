/**
 * Field-by-field comparison of two results of the same scenario. Only architectural state that
 * both sides observed is compared: after a triple fault only the stop reason; in protected and
 * compatibility mode only the low 32 bits of the eight legacy registers (R8-R15 do not exist
 * there, and the upper halves are undefined after a switch out of 64-bit mode: SDM Vol. 1
 * §3.4.1.1); MSRs an oracle could not read back are absent and skipped.
 */
import type { Result, ResultCpu } from './scenario-types.ts';

export interface Difference { field: string; expected: string; actual: string }

const LEGACY32 = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'rip', 'rflags'] as const;

function norm(v: string | undefined, mask?: bigint): string {
  if (v === undefined) return 'absent';
  try {
    const b = BigInt(v);
    return '0x' + (mask === undefined ? b : b & mask).toString(16);
  } catch {
    return v;
  }
}

export function compareResults(expected: Result, actual: Result): Difference[] {
  const out: Difference[] = [];
  const add = (field: string, e: string | undefined, a: string | undefined, mask?: bigint) => {
    const ne = norm(e, mask), na = norm(a, mask);
    if (ne !== na) out.push({ field, expected: ne, actual: na });
  };
  add('stop', expected.stop, actual.stop);
  if (expected.stop !== actual.stop || expected.stop === 'triple-fault') return out;
  const e = expected.cpu, a = actual.cpu;
  if (!e || !a) {
    if (e !== a) out.push({ field: 'cpu', expected: e ? 'present' : 'absent', actual: a ? 'present' : 'absent' });
    return out;
  }
  add('mode', e.mode, a.mode);
  add('cpl', e.cpl, a.cpl);
  const legacy = e.mode === 'protected32' || e.mode === 'compat32';
  const regNames = legacy ? LEGACY32 : (Object.keys(e.regs) as (keyof ResultCpu['regs'])[]);
  for (const r of regNames) add(`regs.${r}`, e.regs[r], a.regs[r], legacy ? 0xffffffffn : undefined);
  for (const cr of ['cr0', 'cr2', 'cr3', 'cr4', 'efer'] as const) add(cr, e[cr], a[cr]);
  for (const t of ['gdtr', 'idtr'] as const) {
    add(`${t}.base`, e[t].base, a[t].base);
    add(`${t}.limit`, e[t].limit, a[t].limit);
  }
  for (const s of Object.keys(e.seg) as (keyof ResultCpu['seg'])[]) add(`seg.${s}`, e.seg[s], a.seg[s]);
  if (e.mode !== 'protected32') for (const b of ['fsBase', 'gsBase', 'kernelGsBase'] as const) add(b, e[b], a[b]);
  for (const [m, v] of Object.entries(e.msr)) {
    const av = a.msr[m as keyof ResultCpu['msr']];
    if (v !== undefined && av !== undefined) add(`msr.${m}`, v, av);
  }
  const em = expected.memory ?? [], am = actual.memory ?? [];
  if (em.length !== am.length) out.push({ field: 'memory', expected: `${em.length} ranges`, actual: `${am.length} ranges` });
  else em.forEach((r, i) => {
    if (r.hex.toLowerCase() !== am[i].hex.toLowerCase() || BigInt(r.addr) !== BigInt(am[i].addr)) {
      out.push({ field: `memory[${r.addr}]`, expected: r.hex, actual: am[i].hex });
    }
  });
  return out;
}
