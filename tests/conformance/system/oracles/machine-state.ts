/**
 * What a far load would put in each segment register's hidden part, computed from a scenario's
 * memory image, for oracles that take the hidden parts directly (KVM). SDM Vol. 3A §3.4.3,
 * §5.4.1 (null selectors), §7.2.4 (LTR marks the TSS busy).
 */
import { fromHex, MemoryImage } from '../../../../emulator/layout/index.ts';
import { SEG_NAMES, type Scenario, type SegName } from '../scenario-types.ts';

export interface SegCache {
  selector: number;
  base: bigint;
  /** Byte-granular limit. */
  limit: number;
  type: number; s: number; dpl: number; present: number; db: number; l: number; g: number; avl: number;
  unusable: number;
}

export function scenarioMemory(s: Scenario): MemoryImage {
  const mem = new MemoryImage(Number(BigInt(s.ramSize ?? '0x400000')));
  for (const e of s.memory) mem.write(Number(BigInt(e.addr)), fromHex(e.hex));
  return mem;
}

/** Linear to physical through the scenario's paging structures (no permission checks). */
export function translate(s: Scenario, mem: MemoryImage, linear: bigint): number {
  const cr0 = BigInt(s.cpu.cr0), cr4 = BigInt(s.cpu.cr4), efer = BigInt(s.cpu.efer);
  if (!(cr0 & 0x80000000n)) return Number(linear & 0xffffffffn);
  const fail = () => { throw new Error(`linear address 0x${linear.toString(16)} is not mapped by the scenario's page tables`); };
  let table = BigInt(s.cpu.cr3) & ~0xfffn;
  const walk = (levels: [number, number][], entrySize: 4 | 8): number => {
    for (let i = 0; i < levels.length; i++) {
      const [shift, bits] = levels[i];
      const idx = (linear >> BigInt(shift)) & ((1n << BigInt(bits)) - 1n);
      const addr = Number(table + idx * BigInt(entrySize));
      const e = entrySize === 8 ? mem.readU64(addr) : BigInt(mem.readU32(addr));
      if (!(e & 1n)) fail();
      const last = i === levels.length - 1;
      const large = !last && (e & 0x80n) !== 0n && !(entrySize === 8 && levels.length === 3 && i === 0);
      if (last || large) {
        const pageBits = BigInt(shift);
        const frame = entrySize === 4 && large ? (e & 0xffc00000n) : e & 0xffffffffff000n & ~((1n << pageBits) - 1n);
        return Number(frame | (linear & ((1n << pageBits) - 1n)));
      }
      table = e & 0xffffffffff000n;
    }
    return fail();
  };
  if (efer & 0x400n) return walk([[39, 9], [30, 9], [21, 9], [12, 9]], 8);
  if (cr4 & 0x20n) {
    table = BigInt(s.cpu.cr3) & ~0x1fn;
    return walk([[30, 2], [21, 9], [12, 9]], 8);
  }
  return walk([[22, 10], [12, 10]], 4);
}

function nullCache(selector: number): SegCache {
  return { selector, base: 0n, limit: 0, type: 0, s: 0, dpl: selector & 3, present: 0, db: 0, l: 0, g: 0, avl: 0, unusable: 1 };
}

function decode(selector: number, lo: bigint, hi: bigint, system64: boolean): SegCache {
  const rawLimit = Number((lo & 0xffffn) | (((lo >> 48n) & 0xfn) << 16n));
  const g = Number((lo >> 55n) & 1n);
  let base = ((lo >> 16n) & 0xffffffn) | (((lo >> 56n) & 0xffn) << 24n);
  if (system64) base |= (hi & 0xffffffffn) << 32n;
  const s = Number((lo >> 44n) & 1n);
  let type = Number((lo >> 40n) & 0xfn);
  if (s) type |= 1;
  return {
    selector, base, limit: g ? rawLimit * 4096 + 0xfff : rawLimit, type, s, dpl: Number((lo >> 45n) & 3n),
    present: Number((lo >> 47n) & 1n), avl: Number((lo >> 52n) & 1n), l: Number((lo >> 53n) & 1n),
    db: Number((lo >> 54n) & 1n), g, unusable: 0,
  };
}

/** Hidden parts of all segment registers; marks the TSS busy in `mem`. */
export function segmentCaches(s: Scenario, mem: MemoryImage): Record<SegName, SegCache> {
  const long = s.cpu.mode === 'long64';
  const gdtBase = BigInt(s.cpu.gdtr.base);
  const gdtLimit = Number(BigInt(s.cpu.gdtr.limit));
  const sel = (n: SegName) => Number(BigInt(s.cpu.seg[n]));
  const readDesc = (base: bigint, limit: number, selector: number, name: string, wide: boolean) => {
    const off = selector & ~7;
    if (off + (wide ? 15 : 7) > limit) throw new Error(`cpu.seg.${name}: selector 0x${selector.toString(16)} is beyond its table's limit 0x${limit.toString(16)}`);
    const phys = translate(s, mem, base + BigInt(off));
    return { phys, lo: mem.readU64(phys), hi: wide ? mem.readU64(translate(s, mem, base + BigInt(off + 8))) : 0n };
  };
  const out = {} as Record<SegName, SegCache>;
  const ldtr = sel('ldtr');
  out.ldtr = ldtr & ~3 ? (() => { const d = readDesc(gdtBase, gdtLimit, ldtr, 'ldtr', long); return decode(ldtr, d.lo, d.hi, long); })() : nullCache(ldtr);
  const tr = sel('tr');
  const trd = readDesc(gdtBase, gdtLimit, tr, 'tr', long);
  const trType = Number((trd.lo >> 40n) & 0x1fn);
  if (trType !== 0x09 && trType !== 0x0b) throw new Error(`cpu.seg.tr: selector 0x${tr.toString(16)} does not name a TSS descriptor`);
  const busyLo = trd.lo | (2n << 40n);
  mem.writeU64(trd.phys, busyLo);
  out.tr = decode(tr, busyLo, trd.hi, long);
  for (const name of SEG_NAMES) {
    if (name === 'tr' || name === 'ldtr') continue;
    const v = sel(name);
    if ((v & ~3) === 0) {
      if (name === 'cs') throw new Error('cpu.seg.cs: a null code segment cannot be loaded');
      out[name] = nullCache(v);
      continue;
    }
    const inLdt = (v & 4) !== 0;
    const base = inLdt ? out.ldtr.base : gdtBase;
    const limit = inLdt ? out.ldtr.limit : gdtLimit;
    const d = readDesc(base, limit, v, name, false);
    out[name] = decode(v, d.lo, 0n, false);
  }
  if (out.ss.unusable) out.ss.dpl = out.cs.selector & 3;
  if (long) {
    if (s.cpu.fsBase) out.fs.base = BigInt(s.cpu.fsBase);
    if (s.cpu.gsBase) out.gs.base = BigInt(s.cpu.gsBase);
  }
  return out;
}

export { SEG_NAMES };
