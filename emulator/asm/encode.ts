/**
 * Chooses an instruction form from iced-x86's op-code tables the way GNU as does (the shortest
 * encoding, ties going to the earlier table row, which puts `r/m, reg` before `reg, r/m`), and
 * encodes it with iced-x86's encoder.
 */
import { Encoder, Instruction, OpKind } from 'iced-x86';
import { formsOf, OperandKind as K, type Form } from './encode-table.ts';
import { lookupRegister, noRegister, type RegInfo } from './encode-registers.ts';

export type Bits = 16 | 32 | 64;

export interface MemRef {
  base: RegInfo | null;
  index: RegInfo | null;
  scale: number;
  seg: RegInfo | null;
  /** Explicit size in bits (Intel `dword ptr`, AT&T suffix applied by the caller), or null. */
  bits: number | null;
  disp: bigint;
  /** The displacement is a constant known when the instruction is read, so it may shrink to 8 bits. */
  dispKnown: boolean;
  /** `disp(%rip)`: disp is the absolute target when `ripTarget`, else the displacement itself. */
  ripTarget: boolean;
}

export type Opnd =
  | { k: 'reg'; reg: RegInfo }
  | { k: 'imm'; value: bigint; known: boolean; sized?: number | null }
  | { k: 'mem'; m: MemRef }
  | { k: 'branch'; target: bigint }
  | { k: 'far'; sel: bigint; off: bigint };

export interface Request {
  mnemonics: string[];
  /** Operand size from a suffix, or null. */
  size: number | null;
  /** Source size of movzx/movsx from an AT&T suffix (`movzbl`). */
  srcSize: number | null;
  far: boolean;
  movabs: boolean;
  /** Branch forms wanted: 'short' (rel8), 'near' (rel16/32) or null for any. */
  branch: 'short' | 'near' | null;
  operands: Opnd[];
  bits: Bits;
  /** Stack-width instructions default unsized memory to the stack width without a warning. */
  stackDefault: boolean;
}

export interface Choice {
  form: Form;
  length: number;
  /** Set when the operand size was not given and GNU as falls back to a default (AT&T warns). */
  defaulted: number | null;
}

export class EncodeError extends Error {}

const encoders = new Map<number, Encoder>();
function encoderFor(bits: Bits): Encoder {
  let e = encoders.get(bits);
  if (!e) encoders.set(bits, (e = new Encoder(bits)));
  return e;
}

const gprKinds: Record<number, number> = {
  [K.r8_reg]: 8, [K.r8_opcode]: 8,
  [K.r16_reg]: 16, [K.r16_rm]: 16, [K.r16_opcode]: 16, [K.r16_reg_mem]: 16,
  [K.r32_reg]: 32, [K.r32_rm]: 32, [K.r32_opcode]: 32, [K.r32_reg_mem]: 32,
  [K.r64_reg]: 64, [K.r64_rm]: 64, [K.r64_opcode]: 64, [K.r64_reg_mem]: 64,
};
const rmKinds: Record<number, number> = { [K.r8_or_mem]: 8, [K.r16_or_mem]: 16, [K.r32_or_mem]: 32, [K.r64_or_mem]: 64 };
const fixedRegs: Record<number, string> = {
  [K.al]: 'al', [K.cl]: 'cl', [K.ax]: 'ax', [K.dx]: 'dx', [K.eax]: 'eax', [K.rax]: 'rax',
  [K.es]: 'es', [K.cs]: 'cs', [K.ss]: 'ss', [K.ds]: 'ds', [K.fs]: 'fs', [K.gs]: 'gs',
};
const stringKinds = new Set<number>([K.seg_rSI, K.es_rDI, K.seg_rDI, K.seg_rBX_al]);
const branchKinds: Record<number, { bits: number; short: boolean }> = {
  [K.br16_1]: { bits: 16, short: true }, [K.br32_1]: { bits: 32, short: true }, [K.br64_1]: { bits: 64, short: true },
  [K.br16_2]: { bits: 16, short: false }, [K.br32_4]: { bits: 32, short: false }, [K.br64_4]: { bits: 64, short: false },
};

const s = (v: bigint, lo: bigint, hi: bigint) => v >= lo && v <= hi;

/** Whether a value fits an immediate field of this kind (GNU as accepts both signed and unsigned spellings). */
export function immFits(kind: number, v: bigint): boolean {
  switch (kind) {
    case K.imm8: return s(v, -128n, 255n);
    case K.imm8sex16: return s(v, -128n, 127n) || s(v, 0xff80n, 0xffffn);
    case K.imm8sex32: return s(v, -128n, 127n) || s(v, 0xffffff80n, 0xffffffffn);
    case K.imm8sex64: return s(v, -128n, 127n);
    case K.imm16: return s(v, -32768n, 65535n);
    case K.imm32: return s(v, -(1n << 31n), (1n << 32n) - 1n);
    case K.imm32sex64: return s(v, -(1n << 31n), (1n << 31n) - 1n);
    case K.imm64: return true;
    case K.imm8_const_1: return v === 1n;
    default: return false;
  }
}

export function immWidth(kind: number): number {
  switch (kind) {
    case K.imm8: case K.imm8sex16: case K.imm8sex32: case K.imm8sex64: case K.imm8_const_1: return 8;
    case K.imm16: return 16;
    case K.imm64: return 64;
    default: return 32;
  }
}

function isImmKind(kind: number): boolean {
  return kind >= K.imm8 && kind <= K.imm64;
}

function memAddrBits(m: MemRef, bits: Bits): number {
  const r = m.base ?? m.index;
  if (r) return r.size;
  return bits;
}

function matchOperand(kind: number, op: Opnd, form: Form, req: Request): boolean {
  switch (op.k) {
    case 'reg': {
      const r = op.reg;
      if (r.cls === 'gpr') {
        const g = gprKinds[kind] ?? rmKinds[kind];
        if (g !== undefined) return g === r.size;
        const fixed = fixedRegs[kind];
        return fixed !== undefined && fixed === r.name;
      }
      if (r.cls === 'seg') return kind === K.seg_reg || fixedRegs[kind] === r.name;
      if (r.cls === 'cr') return kind === K.cr_reg;
      if (r.cls === 'dr') return kind === K.dr_reg;
      if (r.cls === 'tr') return kind === K.tr_reg;
      return false;
    }
    case 'imm':
      if (!isImmKind(kind)) return false;
      if (kind === K.imm8_const_1) return op.known && op.value === 1n;
      if (!op.known) return kind !== K.imm8sex16 && kind !== K.imm8sex32 && kind !== K.imm8sex64;
      // With the operand size known (suffix or register), GNU as accepts any immediate for a field of
      // that width and truncates it on output (tc-i386.c optimize_imm).
      if (op.sized && kind !== K.imm8sex16 && kind !== K.imm8sex32 && kind !== K.imm8sex64 && kind !== K.imm32sex64 && immWidth(kind) >= op.sized) return true;
      return immFits(kind, op.value);
    case 'mem': {
      const m = op.m;
      if (kind === K.mem_offs) {
        if (m.base || m.index || (m.bits !== null && m.bits !== form.memBits)) return false;
        return req.movabs || req.bits !== 64;
      }
      if (req.movabs) return false;
      if (kind === K.mem) return m.bits === null || form.memBits === 0 || m.bits === form.memBits;
      if (rmKinds[kind] !== undefined) return m.bits === null || m.bits === form.memBits;
      return false;
    }
    case 'branch': {
      const b = branchKinds[kind];
      if (!b) return false;
      const want = req.size ?? (req.bits === 16 ? 16 : req.bits === 32 ? 32 : 64);
      if (b.bits !== want) return false;
      return req.branch === null || (req.branch === 'short') === b.short;
    }
    case 'far':
      return kind === K.farbr2_2 || kind === K.farbr4_2;
  }
}

/** Size an AT&T suffix would name for this form: its operand size, else its byte-register width. */
function primarySize(form: Form): number {
  if (form.operandSize) return form.operandSize;
  if (form.kinds.some((k) => k === K.r8_or_mem || k === K.r8_reg || k === K.r8_opcode || k === K.al)) return 8;
  return 0;
}

function availableIn(form: Form, bits: Bits): boolean {
  return bits === 64 ? form.mode64 : bits === 32 ? form.mode32 : form.mode16;
}

export interface Candidates {
  forms: Form[];
}

export function candidates(req: Request): Candidates {
  const out: Form[] = [];
  const strings = req.operands.length === 0;
  for (const mn of req.mnemonics) {
    for (const form of formsOf(mn) ?? []) {
      if (!availableIn(form, req.bits) || form.far !== req.far) continue;
      const kinds = strings && form.kinds.some((k) => stringKinds.has(k)) ? [] : form.kinds;
      if (kinds.length !== req.operands.length) continue;
      if (req.movabs && !form.kinds.some((k) => k === K.imm64 || k === K.mem_offs)) continue;
      let ok = true;
      for (let i = 0; i < kinds.length && ok; i++) ok = matchOperand(kinds[i], req.operands[i], form, req);
      if (!ok) continue;
      if (req.size !== null) {
        const p = primarySize(form);
        if (p !== 0 && p !== req.size) continue;
      }
      if (req.srcSize !== null && form.memBits !== req.srcSize) continue;
      out.push(form);
    }
  }
  return { forms: out };
}

function operandKey(o: Opnd): string {
  switch (o.k) {
    case 'reg':
      return o.reg.name;
    case 'imm':
      return o.known ? `$${o.value}${o.sized ? `/${o.sized}` : ''}` : '$?';
    case 'mem': {
      const m = o.m;
      return `[${m.seg?.name ?? ''}:${m.base?.name ?? ''}+${m.index?.name ?? ''}*${m.scale}+${m.dispKnown ? m.disp : '?'}/${m.bits ?? ''}${m.ripTarget ? 'r' : ''}]`;
    }
    case 'branch':
      return 'b';
    case 'far':
      return 'f';
  }
}

// The editor re-assembles on every keystroke: remember which form each distinct instruction took.
const choiceCache = new Map<string, Choice | EncodeError>();
const CACHE_LIMIT = 50_000;

/** Picks the form GNU as would; throws EncodeError with a readable reason. */
export function choose(req: Request, intel: boolean): Choice {
  // Every instruction looks here, so the key is kept short: the four flags are one number.
  const flags = (req.far ? 1 : 0) | (req.movabs ? 2 : 0) | (req.stackDefault ? 4 : 0) | (intel ? 8 : 0);
  const mnemonic = req.mnemonics.length === 1 ? req.mnemonics[0] : req.mnemonics.join('/');
  let ops = '';
  for (let i = 0; i < req.operands.length; i++) ops += i === 0 ? operandKey(req.operands[i]) : `,${operandKey(req.operands[i])}`;
  const key = `${mnemonic}|${req.size}|${req.srcSize}|${flags}|${req.branch}|${req.bits}|${ops}`;
  const hit = choiceCache.get(key);
  if (hit instanceof EncodeError) throw hit;
  if (hit) return hit;
  let result: Choice | EncodeError;
  try {
    result = chooseUncached(req, intel);
  } catch (e) {
    if (!(e instanceof EncodeError)) throw e;
    result = e;
  }
  if (choiceCache.size >= CACHE_LIMIT) choiceCache.clear();
  choiceCache.set(key, result);
  if (result instanceof EncodeError) throw result;
  return result;
}

function chooseUncached(req: Request, intel: boolean): Choice {
  let { forms } = candidates(req);
  if (forms.length === 0) throw new EncodeError('no form');
  let defaulted: number | null = null;
  const mem = req.operands.find((o) => o.k === 'mem');
  if (mem && mem.k === 'mem' && mem.m.bits === null && req.size === null) {
    const sizes = new Set(forms.map((f) => f.memBits));
    if (sizes.size > 1) {
      const stack = req.bits === 16 ? 16 : req.bits === 32 ? 32 : 64;
      // Far indirect jumps and calls default to m16:32, as GNU as does.
      const extend = req.mnemonics[0] === 'movzx' || req.mnemonics[0] === 'movsx';
      const fallback = extend ? 8 : req.far ? (req.bits === 16 ? 32 : 48) : req.stackDefault ? stack : req.bits === 16 ? 16 : 32;
      if (intel && !req.stackDefault && !req.far) throw new EncodeError('ambiguous');
      const kept = forms.filter((f) => f.memBits === fallback);
      if (kept.length === 0) throw new EncodeError('ambiguous');
      forms = kept;
      if (!req.stackDefault && !req.far) defaulted = fallback;
    }
  }
  if (req.stackDefault && req.size === null && !req.operands.some((o) => o.k === 'reg')) {
    // push $imm and friends take the stack width, even where a 16-bit form would be shorter.
    const stack = req.bits === 16 ? 16 : req.bits === 32 ? 32 : 64;
    const kept = forms.filter((f) => f.operandSize === 0 || f.operandSize === stack);
    if (kept.length > 0) forms = kept;
  }
  let best: Choice | null = null;
  let lastError: unknown = null;
  for (const form of forms) {
    try {
      const bytes = encodeForm(form, req.operands, 0n, req.bits, []);
      // Equal lengths: GNU as prefers the sign-extended imm8 form (`66 83 c0 01` over `66 05 01 00`).
      const better = !best || bytes.length < best.length || (bytes.length === best.length && hasImm8(form) && !hasImm8(best.form));
      if (better) best = { form, length: bytes.length, defaulted };
    } catch (e) {
      lastError = e;
    }
  }
  if (!best) throw lastError instanceof EncodeError ? lastError : new EncodeError(String(lastError instanceof Error ? lastError.message : lastError));
  return best;
}

function hasImm8(form: Form): boolean {
  return form.kinds.some((k) => k === K.imm8sex16 || k === K.imm8sex32 || k === K.imm8sex64);
}

function immOpKind(kind: number): number {
  switch (kind) {
    case K.imm8: case K.imm8_const_1: return OpKind.Immediate8;
    case K.imm8sex16: return OpKind.Immediate8to16;
    case K.imm8sex32: return OpKind.Immediate8to32;
    case K.imm8sex64: return OpKind.Immediate8to64;
    case K.imm16: return OpKind.Immediate16;
    case K.imm32: return OpKind.Immediate32;
    case K.imm32sex64: return OpKind.Immediate32to64;
    default: return OpKind.Immediate64;
  }
}

function stringOpKind(kind: number, addrBits: number): number {
  const pick = (a16: number, a32: number, a64: number) => (addrBits === 16 ? a16 : addrBits === 32 ? a32 : a64);
  if (kind === K.es_rDI) return pick(OpKind.MemoryESDI, OpKind.MemoryESEDI, OpKind.MemoryESRDI);
  if (kind === K.seg_rDI) return pick(OpKind.MemorySegDI, OpKind.MemorySegEDI, OpKind.MemorySegRDI);
  return pick(OpKind.MemorySegSI, OpKind.MemorySegESI, OpKind.MemorySegRSI);
}

/** GNU as emits legacy prefixes in this order: segment, address size, operand size, rep, lock. */
const prefixSlot: Record<number, number> = { 0x26: 1, 0x2e: 1, 0x36: 1, 0x3e: 1, 0x64: 1, 0x65: 1, 0x67: 2, 0x66: 3, 0xf2: 4, 0xf3: 4, 0xf0: 5 };

export function reorderPrefixes(bytes: Uint8Array): void {
  let n = 0;
  while (n < bytes.length && prefixSlot[bytes[n]] !== undefined) n++;
  if (n < 2) return;
  const sorted = [...bytes.subarray(0, n)].sort((a, b) => prefixSlot[a] - prefixSlot[b]);
  bytes.set(sorted, 0);
}

export interface Prefixes {
  rep?: 'rep' | 'repe' | 'repne';
  lock?: boolean;
  /** String instructions: address size from the operands or the mode. */
  stringAddrBits?: number;
  /** Segment override on string instructions. */
  stringSeg?: RegInfo | null;
}

/**
 * Encodes one form at `ip`. Memory displacements given as known constants shrink (disp0/disp8);
 * others stay full size so that layout never depends on label values.
 */
const bytesCache = new Map<string, Uint8Array | EncodeError>();

/** Forgets remembered form choices and encodings (for cold-start measurements). */
export function clearEncodeCaches(): void {
  choiceCache.clear();
  bytesCache.clear();
}

export function encodeForm(form: Form, operands: Opnd[], ip: bigint, bits: Bits, extra: Prefixes | [], ripLength = 0): Uint8Array {
  const pre: Prefixes = Array.isArray(extra) ? {} : extra;
  // Bytes depend on the address only for relative branches and %rip-relative operands.
  const positional = operands.some((o) => o.k === 'branch' || (o.k === 'mem' && o.m.base?.cls === 'ip'));
  if (positional) return encodeUncached(form, operands, ip, bits, pre, ripLength);
  const key = `${form.code}|${bits}|${pre.rep ?? ''}|${pre.lock ? 1 : 0}|${pre.stringAddrBits ?? ''}|${pre.stringSeg?.name ?? ''}|${operands.map((o) => (o.k === 'imm' ? `$${o.value}` : o.k === 'mem' ? `${operandKey(o)}${o.m.disp}` : o.k === 'far' ? `${o.sel}:${o.off}` : operandKey(o))).join(',')}`;
  const hit = bytesCache.get(key);
  if (hit instanceof EncodeError) throw hit;
  if (hit) return hit.slice();
  let result: Uint8Array | EncodeError;
  try {
    result = encodeUncached(form, operands, ip, bits, pre, ripLength);
  } catch (e) {
    if (!(e instanceof EncodeError)) throw e;
    result = e;
  }
  if (bytesCache.size >= CACHE_LIMIT) bytesCache.clear();
  bytesCache.set(key, result);
  if (result instanceof EncodeError) throw result;
  return result.slice();
}

function encodeUncached(form: Form, operands: Opnd[], ip: bigint, bits: Bits, pre: Prefixes, ripLength: number): Uint8Array {
  const ins = Instruction.create(form.code);
  try {
    let opIndex = 0;
    for (let i = 0; i < form.kinds.length; i++) {
      const kind = form.kinds[i];
      if (stringKinds.has(kind)) {
        ins.setOpKind(i, stringOpKind(kind, pre.stringAddrBits ?? bits));
        continue;
      }
      if (operands.length === 0 && fixedRegs[kind] !== undefined) {
        // The implicit accumulator or %dx of a string instruction.
        ins.setOpKind(i, OpKind.Register);
        ins.setOpRegister(i, lookupRegister(fixedRegs[kind])!.id);
        continue;
      }
      const op = operands[opIndex++];
      if (op === undefined) throw new EncodeError('missing operand');
      switch (op.k) {
        case 'reg':
          ins.setOpKind(i, OpKind.Register);
          ins.setOpRegister(i, op.reg.id);
          break;
        case 'imm': {
          const width = immWidth(kind);
          ins.setOpKind(i, i > 0 && form.kinds[i - 1] !== undefined && isImmKind(form.kinds[i - 1]) && width === 8 ? OpKind.Immediate8_2nd : immOpKind(kind));
          if (kind === K.imm64) ins.setImmediateU64(i, BigInt.asUintN(64, op.value));
          else ins.setImmediateU64(i, BigInt.asUintN(width, op.value));
          break;
        }
        case 'mem': {
          const m = op.m;
          ins.setOpKind(i, OpKind.Memory);
          const addrBits = kind === K.mem_offs ? (req64Moffs(bits, m) ? 64 : memAddrBits(m, bits)) : memAddrBits(m, bits);
          ins.memoryBase = m.base ? m.base.id : noRegister;
          ins.memoryIndex = m.index ? m.index.id : noRegister;
          ins.memoryIndexScale = m.scale;
          const full = addrBits / 8;
          if (m.base?.cls === 'ip') {
            // A constant displacement is relative to the next instruction; while the length is still
            // unknown (choosing a form) any in-range target gives the same length.
            const target = m.ripTarget ? m.disp : ripLength ? ip + BigInt(ripLength) + m.disp : ip;
            ins.memoryDisplacement = BigInt.asUintN(64, target);
            ins.memoryDisplSize = full;
          } else {
            ins.memoryDisplacement = BigInt.asUintN(addrBits, m.disp);
            // The displacement size follows the value before truncation to the address size, as in GNU as.
            const small = m.disp >= -128n && m.disp <= 127n;
            ins.memoryDisplSize = kind === K.mem_offs || (!m.base && !m.index) || !m.dispKnown || !small ? full : m.disp === 0n ? 0 : 1;
          }
          if (m.seg) ins.segmentPrefix = m.seg.id;
          break;
        }
        case 'branch': {
          const b = branchKinds[kind];
          if (b.bits === 64) {
            ins.setOpKind(i, OpKind.NearBranch64);
            ins.nearBranch64 = BigInt.asUintN(64, op.target);
          } else if (b.bits === 32) {
            ins.setOpKind(i, OpKind.NearBranch32);
            ins.nearBranch32 = Number(BigInt.asUintN(32, op.target));
          } else {
            ins.setOpKind(i, OpKind.NearBranch16);
            ins.nearBranch16 = Number(BigInt.asUintN(16, op.target));
          }
          break;
        }
        case 'far':
          ins.setOpKind(i, kind === K.farbr2_2 ? OpKind.FarBranch16 : OpKind.FarBranch32);
          ins.farBranchSelector = Number(BigInt.asUintN(16, op.sel));
          if (kind === K.farbr2_2) ins.farBranch16 = Number(BigInt.asUintN(16, op.off));
          else ins.farBranch32 = Number(BigInt.asUintN(32, op.off));
          break;
      }
    }
    if (pre.stringSeg) ins.segmentPrefix = pre.stringSeg.id;
    if (pre.rep === 'rep') ins.hasRepPrefix = true;
    else if (pre.rep === 'repe') ins.hasRepePrefix = true;
    else if (pre.rep === 'repne') ins.hasRepnePrefix = true;
    if (pre.lock) ins.hasLockPrefix = true;
    const encoder = encoderFor(bits);
    try {
      encoder.encode(ins, BigInt.asUintN(64, ip));
    } catch (e) {
      encoder.takeBuffer();
      throw new EncodeError(e instanceof Error ? e.message : String(e));
    }
    const bytes = encoder.takeBuffer();
    reorderPrefixes(bytes);
    return bytes;
  } catch (e) {
    // iced-x86 also rejects some operand combinations while the instruction is being built.
    if (e instanceof EncodeError) throw e;
    throw new EncodeError(e instanceof Error ? e.message : String(e));
  } finally {
    ins.free();
  }
}

function req64Moffs(bits: Bits, m: MemRef): boolean {
  return bits === 64 && !m.base && !m.index;
}
