/**
 * Linear-to-physical translation by the page tables at CR3 (Intel SDM Vol. 3A, chapter 4):
 * 32-bit two-level paging (with 4 MiB pages under CR4.PSE), PAE paging and 4-level IA-32e paging,
 * with the P, R/W, U/S, NX checks, reserved-bit checks, SMEP/SMAP, and accessed/dirty updates.
 * It plugs into the one translation hook; with CR0.PG clear it is the identity.
 */
import { CR0_PG, CR4_PAE, CR4_PSE, CR4_SMAP, CR4_SMEP, EFER_NXE } from '../arch/control-registers.ts';
import { AC } from '../arch/rflags.ts';
import { hex, pageFault } from '../arch/faults.ts';
import { ACCESS_EXECUTE, ACCESS_USER, ACCESS_WRITE, type LinearMemory, type Translate } from './linear.ts';
import { PAGE_SIZE, type PhysicalMemory } from './physical.ts';

/** What the page walk reads of the CPU: its paging controls, RFLAGS.AC for SMAP, and the memory it walks. */
export interface PagingControls {
  readonly cr0: number;
  readonly cr3: number;
  readonly cr4: number;
  readonly efer: number;
  readonly flags: number;
  readonly longMode: boolean;
  readonly phys: PhysicalMemory;
  readonly mem: LinearMemory;
}
import { TWO32 } from '../arch/registers.ts';

const CR0_WP = 1 << 16;

const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const PS = 0x80;

/** Physical-address width this CPU reports (CPUID 0x80000008): bits above it in an entry are reserved. */
const MAXPHYADDR = 40;

const ERR_P = 1;
const ERR_W = 2;
const ERR_U = 4;
const ERR_RSVD = 8;
const ERR_I = 16;

interface Entry {
  lo: number;
  hi: number;
}

function readEntry(cpu: PagingControls, address: number, wide: boolean): Entry {
  const pn = Math.floor(address / PAGE_SIZE);
  const view = cpu.phys.view(pn, 'page-table read');
  const off = address - pn * PAGE_SIZE;
  return { lo: view.getUint32(off, true), hi: wide ? view.getUint32(off + 4, true) : 0 };
}

function setBits(cpu: PagingControls, address: number, bits: number): void {
  const pn = Math.floor(address / PAGE_SIZE);
  const view = cpu.phys.view(pn);
  const off = address - pn * PAGE_SIZE;
  const old = view.getUint32(off, true);
  if ((old | bits) === old) return;
  // The page walker's A/D updates are memory writes too: the debugger's journal must see them.
  const observer = cpu.mem.writeObserver;
  if (observer !== null) observer(address, 4);
  view.setUint32(off, old | bits, true);
  // A page of decoded code or cached table entries may hold page tables too.
  if (cpu.phys.watched[pn]) cpu.phys.wrote(pn);
}

/** Translation through CR3's page tables, or the identity while CR0.PG is clear. */
export function pagingTranslate(cpu: PagingControls): Translate {
  return (linear, access) => {
    if ((cpu.cr0 & CR0_PG) === 0) return linear;
    return walk(cpu, linear, access);
  };
}

function walk(cpu: PagingControls, linear: number, access: number): number {
  const write = (access & ACCESS_WRITE) !== 0;
  const user = (access & ACCESS_USER) !== 0;
  const fetch = (access & ACCESS_EXECUTE) !== 0;
  const nxe = (cpu.efer & EFER_NXE) !== 0;
  const long = cpu.longMode;
  const pae = (cpu.cr4 & CR4_PAE) !== 0;
  const baseCode = (write ? ERR_W : 0) | (user ? ERR_U : 0) | (fetch && (nxe || cpu.cr4 & CR4_SMEP) ? ERR_I : 0);
  const fault = (code: number, why: string) =>
    pageFault(BigInt.asUintN(64, BigInt(linear)), code | baseCode, `${fetch ? 'instruction fetch' : write ? 'write' : 'read'} at ${hex(linear)}: ${why}`);

  const u = linear < 0 ? linear + 2 ** 64 : linear;
  let table: number;
  let levels: number[];
  let wide = true;
  if (long) {
    table = Math.floor(cpu.cr3 / PAGE_SIZE) * PAGE_SIZE % 2 ** MAXPHYADDR;
    const low48 = linear < 0 ? linear + 2 ** 48 : linear;
    levels = [39, 30, 21, 12].map((shift) => Math.floor(low48 / 2 ** shift) % 512);
  } else if (pae) {
    table = (cpu.cr3 >>> 0) & ~31;
    levels = [Math.floor(u / 2 ** 30) % 4, Math.floor(u / 2 ** 21) % 512, Math.floor(u / 2 ** 12) % 512];
  } else {
    table = (cpu.cr3 >>> 0) & ~0xfff;
    levels = [Math.floor(u / 2 ** 22) % 1024, Math.floor(u / 2 ** 12) % 1024];
    wide = false;
  }
  let writable = true;
  let userOk = true;
  let noExec = false;
  const used: number[] = [];
  for (let level = 0; level < levels.length; level++) {
    const at = table + levels[level] * (wide ? 8 : 4);
    const e = readEntry(cpu, at, wide);
    if ((e.lo & P) === 0) throw fault(0, `the ${entryName(long, pae, level, levels.length)} is not present`);
    const paeTop = pae && !long && level === 0;
    if (wide) {
      // Bits MAXPHYADDR..51 (IA-32e) or MAXPHYADDR..62 (PAE) are reserved, and bit 63 unless EFER.NXE.
      const reservedHigh = (e.hi >>> (MAXPHYADDR - 32)) & (long ? 0xfff : 0x7fffff);
      if (reservedHigh !== 0 || (!nxe && e.hi & 0x80000000)) throw fault(ERR_P | ERR_RSVD, `reserved bits are set in the ${entryName(long, pae, level, levels.length)}`);
      // PAE PDPTEs: the SDM reserves bits 1-2 and 5-8 and checks them when CR3 is loaded; like QEMU, this CPU ignores them.
      if (long && level === 0 && e.lo & PS) throw fault(ERR_P | ERR_RSVD, 'PS is set in the PML4E (reserved)');
      if (nxe && e.hi & 0x80000000) noExec = true;
    }
    used.push(at);
    if (!paeTop) {
      if ((e.lo & RW) === 0) writable = false;
      if ((e.lo & US) === 0) userOk = false;
    }
    const last = level === levels.length - 1;
    const large = !last && !paeTop && (e.lo & PS) !== 0 && (wide || cpu.cr4 & CR4_PSE) && !(long && level === 0);
    if (large || last) {
      const pageBits = last ? 12 : wide ? (long && level === 1 ? 30 : 21) : 22;
      let frame: number;
      if (wide) {
        const full = e.hi % 2 ** (MAXPHYADDR - 32) * TWO32 + (e.lo >>> 0);
        frame = Math.floor(full / 2 ** pageBits) * 2 ** pageBits;
        if (large && Math.floor((e.lo >>> 0) / 2 ** 13) % 2 ** (pageBits - 13) !== 0) throw fault(ERR_P | ERR_RSVD, 'reserved bits are set in a large-page entry');
      } else if (large) {
        // 4 MiB page: bits 31..22 of the frame, bits 39..32 from entry bits 20..13 (PSE-36).
        frame = Math.floor((e.lo >>> 0) / 2 ** 22) * 2 ** 22 + (Math.floor(e.lo / 2 ** 13) & 0xff) * TWO32;
      } else {
        frame = (e.lo >>> 0) - ((e.lo >>> 0) % PAGE_SIZE);
      }
      checkRights(cpu, { write, user, fetch, writable, userOk, noExec }, fault);
      for (const u2 of used.slice(0, -1)) setBits(cpu, u2, A);
      setBits(cpu, at, write ? A | D : A);
      return frame + (u % 2 ** pageBits);
    }
    table = wide ? (e.hi % 2 ** (MAXPHYADDR - 32)) * TWO32 + ((e.lo >>> 0) & ~0xfff) : (e.lo >>> 0) & ~0xfff;
  }
  throw new Error('unreachable: page walk ended without a leaf');
}

function entryName(long: boolean, pae: boolean, level: number, count: number): string {
  const names = long ? ['PML4E', 'PDPTE', 'PDE', 'PTE'] : pae ? ['PDPTE', 'PDE', 'PTE'] : ['PDE', 'PTE'];
  return names[level] ?? `level-${count - level} entry`;
}

interface Rights {
  write: boolean;
  user: boolean;
  fetch: boolean;
  writable: boolean;
  userOk: boolean;
  noExec: boolean;
}

/** Access rights (Intel SDM Vol. 3A, 4.6). */
function checkRights(cpu: PagingControls, r: Rights, fault: (code: number, why: string) => unknown): void {
  if (r.user && !r.userOk) throw fault(ERR_P, 'user-mode access to a supervisor page');
  if (r.write && !r.writable && (r.user || cpu.cr0 & CR0_WP)) throw fault(ERR_P, 'write to a read-only page');
  if (r.fetch && r.noExec) throw fault(ERR_P, 'instruction fetch from a no-execute page');
  if (!r.user && r.userOk) {
    if (r.fetch && cpu.cr4 & CR4_SMEP) throw fault(ERR_P, 'supervisor instruction fetch from a user page (CR4.SMEP)');
    if (!r.fetch && cpu.cr4 & CR4_SMAP) {
      // The outcome depends on RFLAGS.AC, which STAC and CLAC change without a TLB flush: not cached.
      cpu.mem.cacheable = false;
      if ((cpu.flags & AC) === 0) throw fault(ERR_P, 'supervisor access to a user page with RFLAGS.AC clear (CR4.SMAP)');
    }
  }
}
