/** Register reads by name for conditions and watchpoints: every GPR width, flags by letter, and what Machine.getRegister knows. */
import { GPR_NAMES } from '../arch/registers.ts';
import type { Machine } from '../machine.ts';

const GPR64: readonly string[] = GPR_NAMES.slice(0, 8);
const FLAG_BITS: Record<string, number> = { cf: 0, pf: 2, af: 4, zf: 6, sf: 7, tf: 8, if: 9, df: 10, of: 11 };

type Reader = (m: Machine) => bigint;

function gprReader(name: string): Reader | null {
  const legacy = (base: string) => GPR64.indexOf(base);
  let m: RegExpExecArray | null;
  if ((m = /^r(\d+)([dwb]?)$/.exec(name)) && Number(m[1]) >= 8 && Number(m[1]) <= 15) {
    const r = Number(m[1]);
    const bits = m[2] === 'd' ? 32 : m[2] === 'w' ? 16 : m[2] === 'b' ? 8 : 64;
    return (mc) => BigInt.asUintN(bits, mc.cpu.getGpr(r));
  }
  if (name.length === 3 && name[0] === 'r' && legacy(name) >= 0) {
    const r = legacy(name);
    return (mc) => mc.cpu.getGpr(r);
  }
  if (name.length === 3 && name[0] === 'e' && legacy(`r${name.slice(1)}`) >= 0) {
    const r = legacy(`r${name.slice(1)}`);
    return (mc) => BigInt.asUintN(32, mc.cpu.getGpr(r));
  }
  if (name.length === 2 && legacy(`r${name}`) >= 0) {
    const r = legacy(`r${name}`);
    return (mc) => BigInt.asUintN(16, mc.cpu.getGpr(r));
  }
  const low = { al: 0, cl: 1, dl: 2, bl: 3, spl: 4, bpl: 5, sil: 6, dil: 7 }[name];
  if (low !== undefined) return (mc) => BigInt.asUintN(8, mc.cpu.getGpr(low));
  const high = { ah: 0, ch: 1, dh: 2, bh: 3 }[name];
  if (high !== undefined) return (mc) => BigInt.asUintN(8, mc.cpu.getGpr(high) >> 8n);
  return null;
}

/** Names Machine.getRegister reads besides the GPRs. */
const MACHINE_NAMES = new Set(['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'rip', 'rflags', 'cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer', 'fsbase', 'gsbase', 'cpl']);

const cache = new Map<string, Reader | null>();

function readerFor(name: string): Reader | null {
  const n = name.toLowerCase();
  if (cache.has(n)) return cache.get(n)!;
  let reader = gprReader(n);
  if (!reader && FLAG_BITS[n] !== undefined) {
    const bit = FLAG_BITS[n];
    reader = (mc) => BigInt((mc.cpu.flags >>> bit) & 1);
  }
  if (!reader && n === 'eip') reader = (mc) => BigInt.asUintN(32, mc.cpu.getRip());
  if (!reader && n === 'eflags') reader = (mc) => BigInt(mc.cpu.flags >>> 0);
  if (!reader && MACHINE_NAMES.has(n)) reader = (mc) => mc.getRegister(n);
  cache.set(n, reader);
  return reader;
}

export function isRegisterName(name: string): boolean {
  return readerFor(name) !== null;
}

export function readRegister(machine: Machine, name: string): bigint {
  const r = readerFor(name);
  if (!r) throw new RangeError(`unknown register '${name}'`);
  return r(machine);
}
