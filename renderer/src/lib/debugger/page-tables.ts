/**
 * Page tables decoded for the debugger: the paging mode from CR0/CR4/EFER, the mapped ranges found
 * by walking the tables under CR3, and one linear address translated level by level, with the
 * #PF error code the CPU would report when it faults (Intel SDM Vol. 3A, 4.3-4.7).
 */

export type PagingMode = 'off' | '32-bit' | 'pae' | '4-level';

/** Reads physical memory; the panel hands in the lab worker's readMemory, tests a plain buffer. */
export type PhysicalReader = (address: bigint, length: number) => Uint8Array | Promise<Uint8Array>;

export interface PagingRegisters {
  cr0: bigint;
  cr3: bigint;
  cr4: bigint;
  efer: bigint;
}

export interface PageFlags {
  P: boolean;
  RW: boolean;
  US: boolean;
  PWT: boolean;
  PCD: boolean;
  A: boolean;
  D: boolean;
  PS: boolean;
  G: boolean;
  NX: boolean;
}

export interface Mapping {
  linear: bigint;
  physical: bigint;
  size: bigint;
  /** RW and US as every level allows them, NX if any level forbids execution; the rest from the leaf entry. */
  flags: PageFlags;
}

export interface LevelStep {
  name: string;
  index: number;
  entryAddress: bigint;
  entry: bigint;
}

export interface Access {
  write: boolean;
  user: boolean;
  fetch: boolean;
}

export type Translation =
  | { ok: true; mode: PagingMode; steps: LevelStep[]; physical: bigint; pageSize: bigint; flags: PageFlags }
  | { ok: false; mode: PagingMode; steps: LevelStep[]; reason: string; errorCode: number };

const CR0_PG = 1n << 31n;
const CR0_WP = 1n << 16n;
const CR4_PSE = 1n << 4n;
const CR4_PAE = 1n << 5n;
const EFER_LMA = 1n << 10n;
const EFER_NXE = 1n << 11n;
/** The physical-address width the emulator reports in CPUID 0x80000008. */
export const MAXPHYADDR = 40n;

const ERR_P = 1;
const ERR_W = 2;
const ERR_U = 4;
const ERR_RSVD = 8;
const ERR_I = 16;

const bit = (value: bigint, n: number) => ((value >> BigInt(n)) & 1n) === 1n;
const mask = (bits: bigint) => (1n << bits) - 1n;

export function pagingMode(regs: PagingRegisters): PagingMode {
  if (!(regs.cr0 & CR0_PG)) return 'off';
  if (regs.efer & EFER_LMA) return '4-level';
  return regs.cr4 & CR4_PAE ? 'pae' : '32-bit';
}

interface Level {
  name: string;
  shift: number;
  bits: number;
  /** Size of the page an entry maps when it is a leaf here, or undefined when it cannot be one. */
  largeShift?: number;
}

function levelsFor(mode: PagingMode, regs: PagingRegisters): Level[] {
  switch (mode) {
    case '4-level':
      return [
        { name: 'PML4E', shift: 39, bits: 9 },
        { name: 'PDPTE', shift: 30, bits: 9, largeShift: 30 },
        { name: 'PDE', shift: 21, bits: 9, largeShift: 21 },
        { name: 'PTE', shift: 12, bits: 9 },
      ];
    case 'pae':
      return [
        { name: 'PDPTE', shift: 30, bits: 2 },
        { name: 'PDE', shift: 21, bits: 9, largeShift: 21 },
        { name: 'PTE', shift: 12, bits: 9 },
      ];
    case '32-bit':
      return [
        { name: 'PDE', shift: 22, bits: 10, ...(regs.cr4 & CR4_PSE ? { largeShift: 22 } : {}) },
        { name: 'PTE', shift: 12, bits: 10 },
      ];
    case 'off':
      return [];
  }
}

function tableBase(mode: PagingMode, cr3: bigint): bigint {
  if (mode === 'pae') return cr3 & 0xffffffe0n;
  if (mode === '32-bit') return cr3 & 0xfffff000n;
  return cr3 & mask(MAXPHYADDR) & ~0xfffn;
}

async function readEntry(read: PhysicalReader, address: bigint, wide: boolean): Promise<bigint> {
  const bytes = await read(address, wide ? 8 : 4);
  let value = 0n;
  for (let i = (wide ? 8 : 4) - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  return value;
}

/** Why an entry's reserved bits make the walk fault, or undefined (SDM Vol. 3A, 4.4.2 and 4.5.4). */
function reservedProblem(mode: PagingMode, level: Level, entry: bigint, leafShift: number | undefined, nxe: boolean): string | undefined {
  if (mode === '32-bit') return undefined;
  const high = mode === '4-level' ? (entry >> MAXPHYADDR) & mask(52n - MAXPHYADDR) : (entry >> MAXPHYADDR) & mask(63n - MAXPHYADDR);
  if (high !== 0n) return `reserved physical-address bits (${MAXPHYADDR}+) are set in the ${level.name}`;
  if (!nxe && bit(entry, 63)) return `XD (bit 63) is set in the ${level.name} while EFER.NXE is clear`;
  if (mode === '4-level' && level.name === 'PML4E' && bit(entry, 7)) return 'PS is set in the PML4E (reserved)';
  if (leafShift !== undefined && leafShift > 12 && ((entry >> 13n) & mask(BigInt(leafShift - 13))) !== 0n) return `reserved bits 13-${leafShift - 1} are set in the large-page ${level.name}`;
  return undefined;
}

function leafFrame(mode: PagingMode, entry: bigint, shift: number): bigint {
  if (mode === '32-bit') {
    if (shift === 22) return (entry & 0xffc00000n) | (((entry >> 13n) & 0xffn) << 32n);
    return entry & 0xfffff000n;
  }
  return entry & mask(MAXPHYADDR) & ~mask(BigInt(shift));
}

function leafFlags(entry: bigint, large: boolean, rw: boolean, us: boolean, nx: boolean): PageFlags {
  return { P: true, RW: rw, US: us, PWT: bit(entry, 3), PCD: bit(entry, 4), A: bit(entry, 5), D: bit(entry, 6), PS: large, G: bit(entry, 8), NX: nx };
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/**
 * Translates one linear address as the CPU would for the given access, naming each entry used;
 * a fault says which level and why, with the error code pushed for the #PF (SDM Vol. 3A, 4.7).
 */
export async function translate(regs: PagingRegisters, linear: bigint, access: Access, read: PhysicalReader): Promise<Translation> {
  const mode = pagingMode(regs);
  const steps: LevelStep[] = [];
  const address = BigInt.asUintN(mode === '4-level' ? 64 : 32, linear);
  if (mode === 'off') return { ok: true, mode, steps, physical: address, pageSize: 0n, flags: leafFlags(0n, false, true, true, false) };
  const nxe = (regs.efer & EFER_NXE) !== 0n && mode !== '32-bit';
  const base = (access.write ? ERR_W : 0) | (access.user ? ERR_U : 0) | (access.fetch && nxe ? ERR_I : 0);
  const fail = (reason: string, code: number): Translation => ({ ok: false, mode, steps, reason, errorCode: code | base });
  if (mode === '4-level') {
    const top = address >> 47n;
    if (top !== 0n && top !== mask(17n)) return { ok: false, mode, steps, reason: `${hex(address)} is not canonical: the CPU raises #GP (or #SS), not #PF`, errorCode: 0 };
  }
  const wide = mode !== '32-bit';
  let table = tableBase(mode, regs.cr3);
  let rw = true;
  let us = true;
  let nx = false;
  const levels = levelsFor(mode, regs);
  for (const [i, level] of levels.entries()) {
    const index = Number((address >> BigInt(level.shift)) & mask(BigInt(level.bits)));
    const entryAddress = table + BigInt(index * (wide ? 8 : 4));
    const entry = await readEntry(read, entryAddress, wide);
    steps.push({ name: level.name, index, entryAddress, entry });
    if (!bit(entry, 0)) return fail(`the ${level.name} (index ${index}) is not present`, 0);
    const last = i === levels.length - 1;
    const large = !last && level.largeShift !== undefined && bit(entry, 7);
    const shift = last ? 12 : large ? level.largeShift : undefined;
    const reserved = reservedProblem(mode, level, entry, large ? shift : undefined, nxe);
    if (reserved) return fail(reserved, ERR_P | ERR_RSVD);
    // PAE PDPTEs carry no R/W, U/S or XD (SDM Vol. 3A, 4.4.1).
    if (!(mode === 'pae' && i === 0)) {
      rw &&= bit(entry, 1);
      us &&= bit(entry, 2);
      if (nxe && bit(entry, 63)) nx = true;
    }
    if (shift !== undefined) {
      if (access.user && !us) return fail('user-mode access to a supervisor page (U/S clear at some level)', ERR_P);
      if (access.write && !rw && (access.user || regs.cr0 & CR0_WP)) return fail('write to a read-only page (R/W clear at some level)', ERR_P);
      if (access.fetch && nx) return fail('instruction fetch from a no-execute page (XD set at some level)', ERR_P);
      const frame = leafFrame(mode, entry, shift);
      return { ok: true, mode, steps, physical: frame + (address & mask(BigInt(shift))), pageSize: 1n << BigInt(shift), flags: leafFlags(entry, large, rw, us, nx) };
    }
    table = wide ? entry & mask(MAXPHYADDR) & ~0xfffn : entry & 0xfffff000n;
  }
  throw new Error('page walk ended without a leaf');
}

export interface WalkLimits {
  /** Tables read at most, so a corrupt tree cannot stall the panel. */
  maxTables: number;
  maxMappings: number;
}

export interface Walk {
  mode: PagingMode;
  mappings: Mapping[];
  /** Set when the walk stopped at a limit: the list is then a prefix. */
  truncated: boolean;
}

const sameFlags = (a: PageFlags, b: PageFlags) => (Object.keys(a) as (keyof PageFlags)[]).every((k) => k === 'A' || k === 'D' ? true : a[k] === b[k]);

/** Every present leaf under CR3, in linear order, adjacent pages with the same rights merged. */
export async function walkPageTables(regs: PagingRegisters, read: PhysicalReader, limits: WalkLimits = { maxTables: 256, maxMappings: 512 }): Promise<Walk> {
  const mode = pagingMode(regs);
  const mappings: Mapping[] = [];
  if (mode === 'off') return { mode, mappings, truncated: false };
  const levels = levelsFor(mode, regs);
  const wide = mode !== '32-bit';
  const nxe = (regs.efer & EFER_NXE) !== 0n && mode !== '32-bit';
  let tables = 0;
  let truncated = false;

  const add = (m: Mapping) => {
    const prev = mappings.at(-1);
    if (prev && prev.linear + prev.size === m.linear && prev.physical + prev.size === m.physical && sameFlags(prev.flags, m.flags)) {
      prev.size += m.size;
      prev.flags = { ...prev.flags, A: prev.flags.A && m.flags.A, D: prev.flags.D && m.flags.D, PS: prev.flags.PS || m.flags.PS };
      return;
    }
    if (mappings.length >= limits.maxMappings) {
      truncated = true;
      return;
    }
    mappings.push(m);
  };

  const visit = async (table: bigint, depth: number, prefix: bigint, rw: boolean, us: boolean, nx: boolean): Promise<void> => {
    if (truncated) return;
    if (++tables > limits.maxTables) {
      truncated = true;
      return;
    }
    const level = levels[depth];
    const count = 1 << level.bits;
    const size = wide ? 8 : 4;
    const bytes = await read(table, count * size);
    for (let index = 0; index < count && !truncated; index++) {
      let entry = 0n;
      for (let b = size - 1; b >= 0; b--) entry = (entry << 8n) | BigInt(bytes[index * size + b] ?? 0);
      if (!bit(entry, 0)) continue;
      const last = depth === levels.length - 1;
      const large = !last && level.largeShift !== undefined && bit(entry, 7);
      const shift = last ? 12 : large ? level.largeShift : undefined;
      if (reservedProblem(mode, level, entry, large ? shift : undefined, nxe)) continue;
      const paeTop = mode === 'pae' && depth === 0;
      const nrw = paeTop ? rw : rw && bit(entry, 1);
      const nus = paeTop ? us : us && bit(entry, 2);
      const nnx = nx || (!paeTop && nxe && bit(entry, 63));
      let linear = prefix | (BigInt(index) << BigInt(level.shift));
      if (mode === '4-level' && bit(linear, 47)) linear |= ~mask(48n) & mask(64n);
      if (shift !== undefined) {
        add({ linear, physical: leafFrame(mode, entry, shift), size: 1n << BigInt(shift), flags: leafFlags(entry, large, nrw, nus, nnx) });
      } else {
        await visit(wide ? entry & mask(MAXPHYADDR) & ~0xfffn : entry & 0xfffff000n, depth + 1, linear, nrw, nus, nnx);
      }
    }
  };

  await visit(tableBase(mode, regs.cr3), 0, 0n, true, true, false);
  return { mode, mappings, truncated };
}

export function describeFlags(flags: PageFlags): string {
  return (Object.keys(flags) as (keyof PageFlags)[]).filter((k) => k !== 'P' && flags[k]).join(' ');
}

/** The #PF error code's bits by name (SDM Vol. 3A, 4.7). */
export function describeErrorCode(code: number): string {
  const parts = [code & ERR_P ? 'P (protection)' : 'not present', code & ERR_W ? 'W' : 'R', code & ERR_U ? 'U' : 'S'];
  if (code & ERR_RSVD) parts.push('RSVD');
  if (code & ERR_I) parts.push('I/D');
  return parts.join(', ');
}
