/**
 * The standard machine every generated scenario starts from: identity-mapped RAM, a flat GDT
 * with extra descriptors for the invalid-selector cases, an IDT whose every vector leads to its
 * own HLT (so RIP after the stop names the vector that ran), a TSS, and separate stacks.
 */
import {
  code32, code64, data, descriptorBytes, gate32, gate64, hex, MemoryImage, PageAllocator, PageTables,
  systemDescriptor32, systemDescriptor64, SysType, tss32, tss32Descriptor, tss64, tss64Descriptor,
  type Dpl, type Gate32Fields, type Gate64Fields, type PagingMode,
} from '../../../../emulator/layout/index.ts';
import { assemble } from './asm.ts';
import { Rng } from './random.ts';
import type { MsrName, RegName, Scenario, SegName } from '../scenario-types.ts';

export const A = {
  PT: 0x1000, PT_END: 0x1f000,
  GDT: 0x20000, IDT: 0x21000, TSS: 0x22000, LDT: 0x22800,
  HANDLERS: 0x23000,
  KCODE: 0x30000, UCODE: 0x40000, DATA: 0x50000,
  KSTACK: 0x60000, USTACK: 0x70000, RSP0: 0x80000,
  ALT: 0x100000,
} as const;
export const istTop = (n: number) => 0x88000 + n * 0x1000;
export const handlerAddr = (v: number) => A.HANDLERS + v;
/** RIP after the HLT of vector v's handler: what the result shows when v was delivered. */
export const afterHandler = (v: number) => handlerAddr(v) + 1;

type Desc = bigint | [bigint, bigint];

/** Extra GDT entries, long mode (index from 8; TSS takes 6 and 7). */
export const XL = {
  code64Dpl3NotPresent: 0x40, code64Dpl0Conforming: 0x48, code64Dpl3Conforming: 0x50, dataDpl3NotPresent: 0x58,
  dataDpl3ReadOnly: 0x60, dataDpl0ReadOnly: 0x68, code64Dpl1: 0x70, dataDpl1: 0x78, code64Dpl2: 0x80, dataDpl2: 0x88,
  code64Dpl0NotPresent: 0x90, dataDpl0NotPresent: 0x98, code32Dpl0: 0xa0, ldt: 0xa8, code64Dpl3ExecOnly: 0xb8,
  dataDpl0ExpandDown: 0xc0, code64Dpl0LandD: 0xc8, code64Dpl0ExecOnly: 0xd0,
} as const;

function longExtras(): Desc[] {
  const a = { accessed: true };
  return [
    code64(3, { ...a, present: false }), code64(0, { ...a, conforming: true }), code64(3, { ...a, conforming: true }),
    data(3, { ...a, present: false }), data(3, { ...a, writable: false }), data(0, { ...a, writable: false }),
    code64(1, a), data(1, a), code64(2, a), data(2, a), code64(0, { ...a, present: false }), data(0, { ...a, present: false }),
    code32(0, a), systemDescriptor64({ base: A.LDT, limit: 0x1f, type: SysType.ldt }), code64(3, { ...a, readable: false }),
    data(0, { ...a, expandDown: true }), (code64(0, a) | (1n << 54n)), code64(0, { ...a, readable: false }),
  ];
}

/** Extra GDT entries, protected mode (index from 6). */
export const XP = {
  codeDpl3NotPresent: 0x30, codeDpl0Conforming: 0x38, codeDpl3Conforming: 0x40, dataDpl3NotPresent: 0x48,
  dataDpl3ReadOnly: 0x50, dataDpl0ReadOnly: 0x58, codeDpl1: 0x60, dataDpl1: 0x68, codeDpl2: 0x70, dataDpl2: 0x78,
  codeDpl0NotPresent: 0x80, dataDpl0NotPresent: 0x88, codeDpl3Limited: 0x90, ldt: 0x98, codeDpl3ExecOnly: 0xa0,
  dataDpl3Limited: 0xa8, tss2: 0xb0,
} as const;

function protExtras(): Desc[] {
  const a = { accessed: true };
  return [
    code32(3, { ...a, present: false }), code32(0, { ...a, conforming: true }), code32(3, { ...a, conforming: true }),
    data(3, { ...a, present: false }), data(3, { ...a, writable: false }), data(0, { ...a, writable: false }),
    code32(1, a), data(1, a), code32(2, a), data(2, a), code32(0, { ...a, present: false }), data(0, { ...a, present: false }),
    code32(3, { ...a, g: false, limit: 0x40fff }), systemDescriptor32({ base: A.LDT, limit: 0x1f, type: SysType.ldt }),
    code32(3, { ...a, readable: false }), data(3, { ...a, g: false, limit: 0x7ffff }), tss32Descriptor(A.TSS + 0x100),
  ];
}

export interface MachineOptions {
  mode: 'long64' | 'protected32';
  seed: number;
  paging?: PagingMode | 'none';
  /** Start at CPL 3 (user code segment, user stack) instead of CPL 0. */
  user?: boolean;
  /**
   * Map the low region (0..2 MiB, or 0..4 MiB in 32-bit paging) with 4 KiB pages, for scenarios
   * that edit the entries of their own stacks; otherwise RAM is identity mapped with large pages.
   */
  fineLow?: boolean;
}

/** Where scenarios map the pages they fault on: linear 6 MiB and up, its own page table. */
export const FAULT_LINEAR = 0x600000;

export class Machine {
  readonly mem = new MemoryImage(0x400000);
  readonly rng: Rng;
  readonly pt: PageTables | undefined;
  readonly mode: 'long64' | 'protected32';
  readonly regs = {} as Record<RegName, bigint>;
  readonly seg = {} as Record<SegName, number>;
  gdt: Desc[];
  readonly idt = new Map<number, Desc>();
  tss: Uint8Array;
  cr0: bigint; cr3 = 0n; cr4: bigint; efer: bigint;
  fsBase = 0n; gsBase = 0n; kernelGsBase = 0n;
  readonly msr: Partial<Record<MsrName, bigint>> = {};
  readonly dumps: [number, number][] = [];
  gdtLimit?: number;
  idtLimit?: number;

  constructor(readonly opts: MachineOptions) {
    this.mode = opts.mode;
    this.rng = new Rng(opts.seed);
    const long = opts.mode === 'long64';
    const paging = opts.paging ?? (long ? 'ia32e' : 'none');
    if (long && paging !== 'ia32e') throw new Error('long64 needs IA-32e paging');
    if (paging !== 'none') {
      this.pt = new PageTables(this.mem, paging, new PageAllocator(A.PT, A.PT_END));
      const large = paging === 'legacy32' ? '4m' : '2m';
      const lowEnd = paging === 'legacy32' ? 0x400000 : 0x200000;
      this.pt.identityMap(0, lowEnd, { user: true, writable: true, pageSize: opts.fineLow ? '4k' : large });
      if (lowEnd < 0x400000) this.pt.identityMap(lowEnd, 0x400000, { user: true, writable: true, pageSize: large });
      this.cr3 = BigInt(this.pt.root);
    }
    this.cr0 = paging === 'none' ? 0x00050033n : 0x80050033n;
    this.cr4 = paging === 'ia32e' || paging === 'pae' ? 0x20n : paging === 'legacy32' ? 0x10n : 0n;
    this.efer = long ? 0xd01n : paging === 'pae' ? 0x800n : 0n;
    this.gdt = long
      ? [0n, code64(0, { accessed: true }), data(0, { accessed: true }), code32(3, { accessed: true }), data(3, { accessed: true }), code64(3, { accessed: true }), tss64Descriptor(A.TSS), ...longExtras()]
      : [0n, code32(0, { accessed: true }), data(0, { accessed: true }), code32(3, { accessed: true }), data(3, { accessed: true }), tss32Descriptor(A.TSS), ...protExtras()];
    // Exceptions and two software vectors have gates; other vectors are absent until set.
    for (const v of [...Array(32).keys(), 0x40, 0x41]) {
      this.idt.set(v, long ? gate64({ offset: handlerAddr(v), selector: 0x08 }) : gate32({ offset: handlerAddr(v), selector: 0x08 }));
    }
    this.mem.write(A.HANDLERS, new Uint8Array(256).fill(0xf4));
    this.tss = long
      ? tss64({ rsp: [A.RSP0, A.RSP0 - 0x2000, A.RSP0 - 0x4000], ist: [1, 2, 3, 4, 5, 6, 7].map(istTop) })
      : tss32({ ss0: 0x10, esp0: A.RSP0, ss1: 0x79, esp1: A.RSP0 - 0x2000, ss2: 0x7a, esp2: A.RSP0 - 0x4000 });
    // A small LDT: null, data DPL3, code DPL3 (64-bit in long mode).
    this.mem.write(A.LDT + 8, descriptorBytes(data(3, { accessed: true })));
    this.mem.write(A.LDT + 16, descriptorBytes(long ? code64(3, { accessed: true }) : code32(3, { accessed: true })));
    const r = this.rng;
    for (const name of ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const) {
      this.regs[name] = long ? r.u64() : BigInt(r.u32());
    }
    const arith = [0x1n, 0x4n, 0x10n, 0x40n, 0x80n, 0x800n].filter(() => r.bool()).reduce((a, b) => a | b, 0n);
    this.regs.rflags = 0x2n | arith;
    const user = opts.user ?? false;
    this.regs.rip = BigInt(user ? A.UCODE : A.KCODE);
    this.regs.rsp = BigInt(user ? A.USTACK : A.KSTACK);
    const code = user ? (long ? 0x2b : 0x1b) : 0x08;
    const dataSel = user ? 0x23 : 0x10;
    Object.assign(this.seg, { cs: code, ss: dataSel, ds: dataSel, es: dataSel, fs: 0, gs: 0, tr: long ? 0x30 : 0x28, ldtr: 0 });
    if (long) {
      this.msr.star = 0n; this.msr.lstar = 0n; this.msr.cstar = 0n; this.msr.sfmask = 0n;
    }
    this.dumpStack(A.KSTACK).dumpStack(A.RSP0);
    if (user) this.dumpStack(A.USTACK);
  }

  get long(): boolean { return this.mode === 'long64'; }

  /** Maps linear FAULT_LINEAR + off to physical `phys` with a 4 KiB page; returns the linear address. */
  mapFaultPage(index: number, phys: number): number {
    const lin = FAULT_LINEAR + index * 0x1000;
    this.pt!.map(lin, phys, { user: true, writable: true });
    return lin;
  }

  /** Places assembled code; returns its length. */
  code(addr: number, source: string, bits: 32 | 64 = this.long ? 64 : 32): number {
    const bytes = assemble(source, bits);
    this.mem.write(addr, bytes);
    return bytes.length;
  }

  gate(v: number, f: Partial<Omit<Gate64Fields, 'kind'> & Gate32Fields>): this {
    const offset = f.offset ?? handlerAddr(v);
    const selector = f.selector ?? 0x08;
    const { kind, ...rest } = f;
    this.idt.set(v, this.long
      ? gate64({ ...rest, offset, selector, kind: kind === 'task' ? undefined : kind })
      : gate32({ ...f, offset, selector }));
    return this;
  }

  /** Dumps the bytes just below a stack top (where frames land). */
  dumpStack(top: number, len = 0x100): this {
    if (!this.dumps.some(([a, l]) => a === top - len && l === len)) this.dumps.push([top - len, len]);
    return this;
  }

  dump(addr: number, len: number): this {
    this.dumps.push([addr, len]);
    return this;
  }

  build(name: string): Scenario {
    const gdtBytes = this.gdt.map(descriptorBytes);
    let at = A.GDT;
    for (const b of gdtBytes) { this.mem.write(at, b); at += b.length; }
    const gdtLimit = this.gdtLimit ?? at - A.GDT - 1;
    const gateSize = this.long ? 16 : 8;
    for (const [v, g] of this.idt) this.mem.write(A.IDT + v * gateSize, descriptorBytes(g));
    this.mem.write(A.TSS, this.tss);
    const h = (v: bigint | number) => hex(v);
    const regs = Object.fromEntries(Object.entries(this.regs).map(([k, v]) => [k, h(v)])) as Record<RegName, string>;
    const s: Scenario = {
      format: 'switchyard-scenario/1',
      name,
      ramSize: h(this.mem.size),
      cpu: {
        mode: this.mode,
        regs: Object.fromEntries(['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags'].map((k) => [k, regs[k as RegName]])) as Record<RegName, string>,
        cr0: h(this.cr0), cr3: h(this.cr3), cr4: h(this.cr4), efer: h(this.efer),
        gdtr: { base: h(A.GDT), limit: h(gdtLimit) },
        idtr: { base: h(A.IDT), limit: h(this.idtLimit ?? 256 * gateSize - 1) },
        seg: Object.fromEntries(['cs', 'ss', 'ds', 'es', 'fs', 'gs', 'tr', 'ldtr'].map((k) => [k, h(this.seg[k as SegName])])) as Record<SegName, string>,
      },
      memory: this.mem.entries(),
      limits: { maxInstructions: '0x10000' },
      dump: this.dumps.map(([a, l]) => ({ addr: h(a), len: h(l) })),
    };
    if (this.long) {
      s.cpu.fsBase = h(this.fsBase);
      s.cpu.gsBase = h(this.gsBase);
      s.cpu.kernelGsBase = h(this.kernelGsBase);
    }
    const msr = Object.fromEntries(Object.entries(this.msr).map(([k, v]) => [k, h(v)]));
    if (Object.keys(msr).length) s.cpu.msr = msr;
    return s;
  }
}

export type { Dpl };
