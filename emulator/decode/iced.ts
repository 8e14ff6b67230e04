/**
 * The one module that talks to iced-x86. It decodes one instruction into a plain record of
 * numbers (registers as our indices, memory operands split into parts, immediates as int32
 * halves), frees every WASM object before returning, and keeps BigInt at this boundary.
 */
import { Code, CpuidFeature, Decoder, DecoderError, DecoderOptions, MemorySizeExt, Mnemonic, OpKind, Register } from 'iced-x86';
import { AF, CF, DF, IF, OF, PF, SF, ZF, AC } from '../arch/rflags.ts';
import { MemRef, OP_CR, OP_DR, OP_IMM, OP_MEM, OP_OTHER, OP_REG, OP_SEG, OP_ST, OP_XMM, Operand } from '../cpu/insn.ts';
import { BASE_RIP } from '../arch/registers.ts';

export interface RawInsn {
  /** Upper-case mnemonic (`ADD`), `INVALID` for bytes that encode nothing. */
  mnemonic: string;
  /** iced-x86's name of the exact form, e.g. `Add_rm64_r64`. */
  form: string;
  length: number;
  /** True when the bytes ran out before the instruction ended. */
  truncated: boolean;
  ops: Operand[];
  mem: MemRef | null;
  rel: number;
  cond: number;
  rep: number;
  lock: boolean;
  addrBits: number;
  segPrefix: number;
  opSize: number;
  /** RFLAGS bits (our layout) the SDM leaves undefined after this instruction. */
  undefinedFlags: number;
  /** x87 or SIMD (MMX/SSE/AVX) instructions: CR0.EM and CR0.TS decide between #NM and #UD for them. */
  unit: 'x87' | 'simd' | null;
}

const FEATURE_NAMES = CpuidFeature as unknown as Record<number, string>;
const X87_FEATURES = new Set(Object.keys(FEATURE_NAMES).map(Number).filter((n) => /^FPU/.test(FEATURE_NAMES[n] ?? '')));
const SIMD_FEATURES = new Set(
  Object.keys(FEATURE_NAMES).map(Number).filter((n) => /^(SSE|SSSE|MMX|AVX|FMA|F16C|AES|PCLMULQDQ|SHA|D3NOW|XOP|GFNI|VAES|VPCLMULQDQ)/.test(FEATURE_NAMES[n] ?? '')),
);

function unitOf(features: Int32Array): 'x87' | 'simd' | null {
  for (const f of features) {
    if (X87_FEATURES.has(f)) return 'x87';
    if (SIMD_FEATURES.has(f)) return 'simd';
  }
  return null;
}

/** Every mnemonic iced-x86 knows, upper-case (so that any encoding can be named in #UD messages). */
export const ALL_MNEMONICS: readonly string[] = Object.keys(Mnemonic)
  .filter((k) => Number.isNaN(Number(k)) && k !== 'INVALID')
  .map((k) => k.toUpperCase());

const CODE_NAMES = Code as unknown as Record<number, string>;
const MNEMONIC_NAMES = Mnemonic as unknown as Record<number, string>;

/** Maps iced-x86's Register to [kind, index, size, high]. */
function registerOperand(r: Register): Operand {
  if (r >= Register.AL && r <= Register.BL) return new Operand(OP_REG, r - Register.AL, false, 1, 0, 0);
  if (r >= Register.AH && r <= Register.BH) return new Operand(OP_REG, r - Register.AH, true, 1, 0, 0);
  if (r >= Register.SPL && r <= Register.R15L) return new Operand(OP_REG, r - Register.SPL + 4, false, 1, 0, 0);
  if (r >= Register.AX && r <= Register.R15W) return new Operand(OP_REG, r - Register.AX, false, 2, 0, 0);
  if (r >= Register.EAX && r <= Register.R15D) return new Operand(OP_REG, r - Register.EAX, false, 4, 0, 0);
  if (r >= Register.RAX && r <= Register.R15) return new Operand(OP_REG, r - Register.RAX, false, 8, 0, 0);
  if (r >= Register.ES && r <= Register.GS) return new Operand(OP_SEG, r - Register.ES, false, 2, 0, 0);
  if (r >= Register.CR0 && r <= Register.CR15) return new Operand(OP_CR, r - Register.CR0, false, 8, 0, 0);
  if (r >= Register.DR0 && r <= Register.DR15) return new Operand(OP_DR, r - Register.DR0, false, 8, 0, 0);
  if (r >= Register.XMM0 && r <= Register.XMM15) return new Operand(OP_XMM, r - Register.XMM0, false, 16, 0, 0);
  if (r >= Register.YMM0 && r <= Register.YMM15) return new Operand(OP_XMM, r - Register.YMM0, false, 32, 0, 0);
  if (r >= Register.ST0 && r <= Register.ST7) return new Operand(OP_ST, r - Register.ST0, false, 10, 0, 0);
  return new Operand(OP_OTHER, r, false, 0, 0, 0);
}

function gprIndex(r: Register): number {
  if (r === Register.None) return -1;
  if (r === Register.RIP || r === Register.EIP) return BASE_RIP;
  const op = registerOperand(r);
  return op.kind === OP_REG ? op.reg : -1;
}

function gprBits(r: Register): number {
  if (r === Register.RIP) return 64;
  if (r === Register.EIP) return 32;
  return r >= Register.RAX && r <= Register.R15 ? 64 : r >= Register.EAX && r <= Register.R15D ? 32 : 16;
}

const segIndex = (r: Register): number => (r >= Register.ES && r <= Register.GS ? r - Register.ES : -1);

function flagsFromIced(bits: number): number {
  let f = 0;
  if (bits & 1) f |= OF;
  if (bits & 2) f |= SF;
  if (bits & 4) f |= ZF;
  if (bits & 8) f |= AF;
  if (bits & 16) f |= CF;
  if (bits & 32) f |= PF;
  if (bits & 64) f |= DF;
  if (bits & 128) f |= IF;
  if (bits & 256) f |= AC;
  return f;
}

function split(value: bigint): [number, number] {
  const v = BigInt.asUintN(64, value);
  return [Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0];
}

/** Operand size from a form-name suffix iced-x86 adds to the mnemonic (`Pushq_imm32`, `Retnd`, `Enterw_imm16_imm8`). */
function suffixSize(form: string, mnemonic: string): number {
  const head = form.split('_')[0];
  if (head.length <= mnemonic.length || !head.toLowerCase().startsWith(mnemonic.toLowerCase())) return 0;
  const last = head[head.length - 1];
  return last === 'w' ? 2 : last === 'd' ? 4 : last === 'q' ? 8 : 0;
}

/** Decodes the first instruction of `bytes` as code of `bits` (16, 32 or 64). */
export function decodeOne(bytes: Uint8Array, bits: number): RawInsn {
  const decoder = new Decoder(bits, bytes, DecoderOptions.None);
  decoder.ip = 0n;
  const i = decoder.decode();
  try {
    const truncated = decoder.lastError === DecoderError.NoMoreBytes;
    const form = CODE_NAMES[i.code] ?? 'INVALID';
    const mnemonic = i.code === Code.INVALID ? 'INVALID' : MNEMONIC_NAMES[i.mnemonic].toUpperCase();
    const length = i.length;
    const ops: Operand[] = [];
    let mem: MemRef | null = null;
    let rel = 0;
    let addrBits = bits;
    const segPrefix = segIndex(i.segmentPrefix);
    const memSize = i.code === Code.INVALID ? 0 : MemorySizeExt.size(i.memorySize);
    let opSize = 0;
    for (let n = 0; n < i.opCount; n++) {
      const kind = i.opKind(n);
      switch (kind) {
        case OpKind.Register: {
          const op = registerOperand(i.opRegister(n));
          ops.push(op);
          if (!opSize && op.kind === OP_REG) opSize = op.size;
          break;
        }
        case OpKind.Memory: {
          const base = i.memoryBase;
          const index = i.memoryIndex;
          const seg = segIndex(i.memorySegment);
          const displSize = i.memoryDisplSize;
          addrBits = base !== Register.None ? gprBits(base) : index !== Register.None ? gprBits(index) : displSize === 8 ? 64 : displSize === 2 ? 16 : bits === 64 ? (displSize === 4 ? 32 : 64) : displSize === 4 ? 32 : bits;
          let disp: number;
          if (base === Register.RIP || base === Register.EIP) {
            // iced-x86 resolves RIP-relative operands against ip 0: what remains is next-RIP + disp.
            disp = Number(BigInt.asIntN(64, i.memoryDisplacement)) - length;
          } else if (addrBits === 64) {
            disp = Number(BigInt.asIntN(64, i.memoryDisplacement));
          } else {
            disp = Number(BigInt.asIntN(32, i.memoryDisplacement));
          }
          mem = new MemRef(gprIndex(base), gprIndex(index), i.memoryIndexScale, disp, seg, addrBits, memSize);
          ops.push(new Operand(OP_MEM, 0, false, memSize, 0, 0));
          if (!opSize) opSize = memSize;
          break;
        }
        case OpKind.NearBranch16:
          rel = ((i.nearBranch16 - length) << 16) >> 16;
          if (!opSize) opSize = 2;
          ops.push(new Operand(OP_IMM, 0, false, 2, rel, 0));
          break;
        case OpKind.NearBranch32:
          rel = (i.nearBranch32 - length) | 0;
          if (!opSize) opSize = 4;
          ops.push(new Operand(OP_IMM, 0, false, 4, rel, 0));
          break;
        case OpKind.NearBranch64:
          rel = Number(BigInt.asIntN(64, i.nearBranch64)) - length;
          if (!opSize) opSize = 8;
          ops.push(new Operand(OP_IMM, 0, false, 8, rel, 0));
          break;
        case OpKind.FarBranch16:
          ops.push(new Operand(OP_IMM, 0, false, 2, i.farBranch16, i.farBranchSelector));
          break;
        case OpKind.FarBranch32:
          ops.push(new Operand(OP_IMM, 0, false, 4, i.farBranch32 | 0, i.farBranchSelector));
          break;
        case OpKind.Immediate8:
        case OpKind.Immediate8_2nd:
          ops.push(new Operand(OP_IMM, 0, false, 1, kind === OpKind.Immediate8 ? i.immediate8 : i.immediate8_2nd, 0));
          break;
        case OpKind.Immediate16:
          ops.push(new Operand(OP_IMM, 0, false, 2, i.immediate16, 0));
          break;
        case OpKind.Immediate8to16:
          ops.push(new Operand(OP_IMM, 0, false, 2, i.immediate8to16 & 0xffff, 0));
          break;
        case OpKind.Immediate32:
          ops.push(new Operand(OP_IMM, 0, false, 4, i.immediate32 | 0, 0));
          break;
        case OpKind.Immediate8to32:
          ops.push(new Operand(OP_IMM, 0, false, 4, i.immediate8to32 | 0, 0));
          break;
        case OpKind.Immediate64:
        case OpKind.Immediate8to64:
        case OpKind.Immediate32to64: {
          const [lo, hi] = split(i.immediate(n));
          ops.push(new Operand(OP_IMM, 0, false, 8, lo, hi));
          break;
        }
        case OpKind.MemorySegSI:
        case OpKind.MemorySegESI:
        case OpKind.MemorySegRSI:
        case OpKind.MemorySegDI:
        case OpKind.MemorySegEDI:
        case OpKind.MemorySegRDI:
        case OpKind.MemoryESDI:
        case OpKind.MemoryESEDI:
        case OpKind.MemoryESRDI: {
          const k = (kind - OpKind.MemorySegSI) % 3;
          addrBits = k === 0 ? 16 : k === 1 ? 32 : 64;
          ops.push(new Operand(OP_MEM, -1, false, memSize, 0, 0));
          if (!opSize) opSize = memSize;
          break;
        }
        default:
          ops.push(new Operand(OP_OTHER, 0, false, 0, 0, 0));
      }
    }
    if (/_(?:rel8|rel16|rel32)_\d+_(CX|ECX|RCX)$/.test(form) || /^J[er]?cxz/.test(form)) {
      const reg = form.endsWith('RCX') || form.startsWith('Jrcxz') ? 64 : form.endsWith('ECX') || form.startsWith('Jecxz') ? 32 : 16;
      addrBits = reg;
    }
    // PUSH imm16 and the like: the immediate's width is the operand size.
    if (!opSize && ops.length > 0 && ops[0].kind === OP_IMM) opSize = ops[0].size;
    const hinted = suffixSize(form, MNEMONIC_NAMES[i.mnemonic] ?? '');
    if (hinted) opSize = hinted;
    const cond = i.conditionCode === 0 ? -1 : i.conditionCode - 1;
    return {
      mnemonic,
      form,
      length,
      truncated,
      ops,
      mem,
      rel,
      cond,
      rep: i.hasRepePrefix ? 1 : i.hasRepnePrefix ? 2 : 0,
      lock: i.hasLockPrefix,
      addrBits,
      segPrefix,
      opSize: opSize || (bits === 16 ? 2 : 4),
      undefinedFlags: i.code === Code.INVALID ? 0 : flagsFromIced(i.rflagsUndefined),
      unit: i.code === Code.INVALID ? null : unitOf(i.cpuidFeatures()),
    };
  } finally {
    i.free();
    decoder.free();
  }
}
