/**
 * Segment descriptors and gates (Intel SDM Vol. 3A §3.4.5 segment descriptors, §7.2.3 TSS
 * descriptor in 64-bit mode, §6.11 IDT descriptors, §6.14.1 64-bit mode IDT).
 * 8-byte descriptors are returned as one bigint, 16-byte ones as [low, high].
 */
import { checkRange, concatBytes, leBytes, type Int } from './bytes.ts';

export type Dpl = 0 | 1 | 2 | 3;

/** Type field values for S=1 (code/data) descriptors. Bit 0 is "accessed". */
export const SegType = {
  dataRO: 0x0,
  dataRW: 0x2,
  dataRODown: 0x4,
  dataRWDown: 0x6,
  codeXO: 0x8,
  codeXR: 0xa,
  codeConformingXO: 0xc,
  codeConformingXR: 0xe,
} as const;

/** Type field values for S=0 (system) descriptors and gates. */
export const SysType = {
  tss16Available: 0x1,
  ldt: 0x2,
  tss16Busy: 0x3,
  callGate16: 0x4,
  taskGate: 0x5,
  interruptGate16: 0x6,
  trapGate16: 0x7,
  tssAvailable: 0x9,
  tssBusy: 0xb,
  callGate: 0xc,
  interruptGate: 0xe,
  trapGate: 0xf,
} as const;

export interface SegmentFields {
  base?: Int;
  /** 20-bit limit field (in 4 KiB units when g is set). */
  limit?: number;
  type: number;
  /** Descriptor type flag: true for code/data, false for system. Default true. */
  s?: boolean;
  dpl: Dpl;
  present?: boolean;
  avl?: boolean;
  /** 64-bit code segment flag. */
  l?: boolean;
  /** Default operation size / big flag. */
  db?: boolean;
  /** Granularity: limit in 4 KiB units. */
  g?: boolean;
}

export function segmentDescriptor(f: SegmentFields): bigint {
  const base = checkRange('descriptor base', f.base ?? 0, 32);
  const limit = checkRange('descriptor limit', f.limit ?? 0, 20);
  checkRange('descriptor type', f.type, 4);
  const access =
    BigInt(f.type) | ((f.s ?? true) ? 0x10n : 0n) | (BigInt(f.dpl) << 5n) | ((f.present ?? true) ? 0x80n : 0n);
  const flags = (f.avl ? 1n : 0n) | (f.l ? 2n : 0n) | (f.db ? 4n : 0n) | (f.g ? 8n : 0n);
  return (
    (limit & 0xffffn) |
    ((base & 0xffffffn) << 16n) |
    (access << 40n) |
    (((limit >> 16n) & 0xfn) << 48n) |
    (flags << 52n) |
    (((base >> 24n) & 0xffn) << 56n)
  );
}

export interface FlatOptions {
  present?: boolean;
  conforming?: boolean;
  accessed?: boolean;
  readable?: boolean;
  writable?: boolean;
}

/** 64-bit code segment (L=1, D=0), flat: 0x00af9a000000ffff at DPL 0. */
export function code64(dpl: Dpl, o: FlatOptions = {}): bigint {
  return segmentDescriptor({ type: codeType(o), dpl, present: o.present, l: true, g: true, limit: 0xfffff });
}

/** 32-bit code segment (D=1), flat 4 GiB: 0x00cf9a000000ffff at DPL 0. */
export function code32(dpl: Dpl, o: FlatOptions & { base?: Int; limit?: number; g?: boolean } = {}): bigint {
  return segmentDescriptor({
    type: codeType(o), dpl, present: o.present, db: true, g: o.g ?? true, limit: o.limit ?? 0xfffff, base: o.base,
  });
}

/** Data segment, flat 4 GiB, writable unless told: 0x00cf92000000ffff at DPL 0. */
export function data(dpl: Dpl, o: FlatOptions & { base?: Int; limit?: number; g?: boolean; expandDown?: boolean } = {}): bigint {
  const type = ((o.writable ?? true) ? 2 : 0) | (o.expandDown ? 4 : 0) | (o.accessed ? 1 : 0);
  return segmentDescriptor({ type, dpl, present: o.present, db: true, g: o.g ?? true, limit: o.limit ?? 0xfffff, base: o.base });
}

function codeType(o: FlatOptions): number {
  return 8 | ((o.readable ?? true) ? 2 : 0) | (o.conforming ? 4 : 0) | (o.accessed ? 1 : 0);
}

export interface SystemFields {
  base: Int;
  limit: number;
  type: number;
  dpl?: Dpl;
  present?: boolean;
  g?: boolean;
}

/** 16-byte system descriptor of IA-32e mode (TSS or LDT; SDM Vol. 3A §7.2.3, Figure 7-4). */
export function systemDescriptor64(f: SystemFields): [bigint, bigint] {
  const base = checkRange('system descriptor base', f.base, 64);
  const low = segmentDescriptor({
    base: base & 0xffffffffn, limit: f.limit, type: f.type, s: false, dpl: f.dpl ?? 0, present: f.present, g: f.g,
  });
  return [low, base >> 32n];
}

/** 8-byte system descriptor of legacy protected mode (TSS or LDT). */
export function systemDescriptor32(f: SystemFields): bigint {
  return segmentDescriptor({ base: f.base, limit: f.limit, type: f.type, s: false, dpl: f.dpl ?? 0, present: f.present, g: f.g });
}

export function tss64Descriptor(base: Int, o: { busy?: boolean; limit?: number; dpl?: Dpl; present?: boolean } = {}): [bigint, bigint] {
  return systemDescriptor64({ base, limit: o.limit ?? 0x67, type: o.busy ? SysType.tssBusy : SysType.tssAvailable, dpl: o.dpl, present: o.present });
}

export function tss32Descriptor(base: Int, o: { busy?: boolean; limit?: number; dpl?: Dpl; present?: boolean } = {}): bigint {
  return systemDescriptor32({ base, limit: o.limit ?? 0x67, type: o.busy ? SysType.tssBusy : SysType.tssAvailable, dpl: o.dpl, present: o.present });
}

export type GateKind = 'interrupt' | 'trap' | 'call';

export interface Gate64Fields {
  offset: Int;
  selector: number;
  kind?: GateKind;
  /** Raw type field, overriding `kind` (to build invalid gates). */
  type?: number;
  dpl?: Dpl;
  present?: boolean;
  /** Interrupt stack table index 0..7 (0 = none). */
  ist?: number;
}

const gateTypes: Record<GateKind, number> = { interrupt: SysType.interruptGate, trap: SysType.trapGate, call: SysType.callGate };

/** 16-byte IDT gate (or call gate) of IA-32e mode (SDM Vol. 3A §6.14.1, Figure 6-8). */
export function gate64(f: Gate64Fields): [bigint, bigint] {
  const offset = checkRange('gate offset', f.offset, 64);
  checkRange('gate selector', f.selector, 16);
  const ist = checkRange('gate IST', f.ist ?? 0, 3);
  const type = BigInt(f.type ?? gateTypes[f.kind ?? 'interrupt']);
  const low =
    (offset & 0xffffn) |
    (BigInt(f.selector) << 16n) |
    (ist << 32n) |
    (type << 40n) |
    (BigInt(f.dpl ?? 0) << 45n) |
    ((f.present ?? true) ? 1n << 47n : 0n) |
    (((offset >> 16n) & 0xffffn) << 48n);
  return [low, offset >> 32n];
}

export interface Gate32Fields {
  offset?: Int;
  selector: number;
  kind?: GateKind | 'task';
  type?: number;
  dpl?: Dpl;
  present?: boolean;
  /** Call gates only: dwords copied from the caller's stack. */
  paramCount?: number;
}

/** 8-byte gate of legacy protected mode (SDM Vol. 3A §6.11, Figure 6-2; §5.8.3 call gates). */
export function gate32(f: Gate32Fields): bigint {
  const offset = checkRange('gate offset', f.offset ?? 0, 32);
  checkRange('gate selector', f.selector, 16);
  const params = checkRange('gate parameter count', f.paramCount ?? 0, 5);
  const type = BigInt(f.type ?? (f.kind === 'task' ? SysType.taskGate : gateTypes[f.kind ?? 'interrupt']));
  return (
    (offset & 0xffffn) |
    (BigInt(f.selector) << 16n) |
    (params << 32n) |
    (type << 40n) |
    (BigInt(f.dpl ?? 0) << 45n) |
    ((f.present ?? true) ? 1n << 47n : 0n) |
    ((offset >> 16n) << 48n)
  );
}

export function descriptorBytes(d: bigint | [bigint, bigint]): Uint8Array {
  return Array.isArray(d) ? concatBytes(leBytes(d[0], 8), leBytes(d[1], 8)) : leBytes(d, 8);
}

export function selector(index: number, rpl: Dpl = 0, ldt = false): number {
  return (index << 3) | (ldt ? 4 : 0) | rpl;
}


