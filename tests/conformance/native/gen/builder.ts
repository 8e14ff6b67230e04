/** Assembles one case: registers, flags and data page, then the code, instruction by instruction. */
import { CODE_ADDR, DATA_ADDR, GPR_NAMES, STACK_TOP, type NativeCase } from '../types.ts';
import { encode, form as formNamed, type Encoded, type EncodeOptions, type Form, type Operand, type OperandSpec } from './iced.ts';
import { edgeWeighted, mask, registerValue, type Random } from './random.ts';

export const RSP = 4;

const low8 = ['AL', 'CL', 'DL', 'BL', 'SPL', 'BPL', 'SIL', 'DIL', 'R8L', 'R9L', 'R10L', 'R11L', 'R12L', 'R13L', 'R14L', 'R15L'];
const high8 = ['AH', 'CH', 'DH', 'BH'];
const by16 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI', 'R8W', 'R9W', 'R10W', 'R11W', 'R12W', 'R13W', 'R14W', 'R15W'];
const by32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI', 'R8D', 'R9D', 'R10D', 'R11D', 'R12D', 'R13D', 'R14D', 'R15D'];
const by64 = GPR_NAMES.map((n) => n.toUpperCase());

export interface RegisterRef {
  index: number;
  shift: number;
  bits: number;
}

const registerTable = new Map<string, RegisterRef>();
low8.forEach((n, i) => registerTable.set(n, { index: i, shift: 0, bits: 8 }));
high8.forEach((n, i) => registerTable.set(n, { index: i, shift: 8, bits: 8 }));
by16.forEach((n, i) => registerTable.set(n, { index: i, shift: 0, bits: 16 }));
by32.forEach((n, i) => registerTable.set(n, { index: i, shift: 0, bits: 32 }));
by64.forEach((n, i) => registerTable.set(n, { index: i, shift: 0, bits: 64 }));

export function registerRef(name: string): RegisterRef {
  const ref = registerTable.get(name);
  if (!ref) throw new Error(`unknown register ${name}`);
  return ref;
}

export function registerName(index: number, bits: number): string {
  return (bits === 8 ? low8 : bits === 16 ? by16 : bits === 32 ? by32 : by64)[index];
}

/** Status flags and DF: the bits a case varies. */
const VARIABLE_FLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800;
/** Reserved bit 1 and IF, which user mode always runs with. */
const FIXED_FLAGS = 0x202;

export type MemOperand = Extract<Operand, { kind: 'mem' }>;

export interface MemOptions {
  /** Byte offset in the data page; random (within the page) when absent. */
  offset?: number;
  /** Alignment of a random offset (1 = any). */
  align?: number;
  /** Leave the bytes at the operand as they are (no edge value written). */
  keepData?: boolean;
}

export class UndefinedFlagRead extends Error {}

export class CaseBuilder {
  readonly regs: bigint[];
  rflags: number;
  readonly data: Uint8Array;
  private readonly parts: Encoded[] = [];
  private undefinedNow = 0;
  private readonly used = new Set<number>([RSP]);
  /** Registers memory operands use as base or index: later operands must not give them new values. */
  private readonly pointers = new Set<number>();
  /** Set by families whose code uses the stack: RSP then only ever holds the stack pointer. */
  stackInUse = false;
  /** Initial x87/SSE/AVX state, for SIMD cases. */
  simd: { hex(): string } | null = null;
  readonly requires = new Set<string>();
  readonly ignoreData: [number, number][] = [];

  constructor(
    readonly rng: Random,
    dataLength = 128,
  ) {
    this.regs = GPR_NAMES.map(() => registerValue(rng, rng.pick([8, 16, 32, 64])));
    this.regs[RSP] = STACK_TOP;
    this.rflags = (rng.u32() & VARIABLE_FLAGS & ~0x400) | (rng.chance(0.15) ? 0x400 : 0) | FIXED_FLAGS;
    this.data = rng.bytes(dataLength);
  }

  get codeLength(): number {
    return this.parts.reduce((n, p) => n + p.bytes.length, 0);
  }

  get rip(): bigint {
    return CODE_ADDR + BigInt(this.codeLength);
  }

  /** Marks registers as having a role so memory operands do not take them as pointers. */
  reserve(...indices: number[]): void {
    for (const i of indices) this.used.add(i);
  }

  setReg(name: string, value: bigint): void {
    const { index, shift, bits } = registerRef(name);
    const m = mask(bits) << BigInt(shift);
    this.regs[index] = (this.regs[index] & ~m) | ((value << BigInt(shift)) & m);
  }

  getReg(name: string): bigint {
    const { index, shift, bits } = registerRef(name);
    return (this.regs[index] >> BigInt(shift)) & mask(bits);
  }

  /** A register operand of the given width with an edge-weighted value (the rest of the register random). */
  pickReg(bits: number, options: { fresh?: boolean; value?: bigint; avoid?: number[] } = {}): string {
    let index: number;
    do index = this.rng.int(16);
    while (
      (index === RSP && (this.stackInUse || this.rng.chance(0.5))) ||
      (options.fresh && this.used.has(index)) ||
      options.avoid?.includes(index) ||
      this.pointers.has(index)
    );
    let name = registerName(index, bits);
    if (bits === 8 && index < 4 && this.rng.chance(0.25)) name = high8[index];
    this.used.add(index);
    if (registerRef(name).shift === 0) this.regs[index] = registerValue(this.rng, bits);
    this.setReg(name, options.value ?? edgeWeighted(this.rng, bits));
    return name;
  }

  private freePointerRegister(): number {
    const free = [...Array(16).keys()].filter((i) => !this.used.has(i));
    const index = free.length ? this.rng.pick(free) : this.rng.pick([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    this.used.add(index);
    this.pointers.add(index);
    return index;
  }

  /** Whether a memory operand already addresses the data page through this register. */
  isPointer(index: number): boolean {
    return this.pointers.has(index);
  }

  /** Writes a little-endian value into the data page. */
  poke(offset: number, bytes: number, value: bigint): void {
    for (let i = 0; i < bytes; i++) this.data[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }

  peek(offset: number, bytes: number): bigint {
    let v = 0n;
    for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.data[offset + i]);
    return v;
  }

  randomOffset(bytes: number, align = 1): number {
    const aligned = align > 1 || this.rng.chance(0.7) ? Math.max(align, Math.min(bytes, 8)) : 1;
    const slots = Math.floor((this.data.length - bytes) / aligned) + 1;
    return this.rng.int(slots) * aligned;
  }

  /** A memory operand addressing `bytes` bytes of the data page, through a randomly chosen addressing form. */
  mem(bytes: number, options: MemOptions = {}): MemOperand & { offset: number } {
    const operand = this.addressing(bytes, options);
    // CS, DS, ES and SS overrides are ignored in 64-bit mode (SDM Vol. 1 §3.3.7.1).
    if (this.rng.chance(0.06)) operand.segment = this.rng.pick(['CS', 'DS', 'ES', 'SS']);
    return operand;
  }

  private addressing(bytes: number, options: MemOptions): MemOperand & { offset: number } {
    const offset = options.offset ?? this.randomOffset(bytes, options.align);
    if (!options.keepData) this.poke(offset, bytes, edgeWeighted(this.rng, bytes * 8));
    const target = DATA_ADDR + BigInt(offset);
    const style = this.rng.int(7);
    const wrap = (v: bigint) => v & mask(64);
    if (style === 4) return { kind: 'mem', base: 'RIP', index: null, scale: 1, disp: target, displSize: 8, offset };
    if (style === 5) {
      if (this.rng.chance(0.5)) return { kind: 'mem', base: null, index: null, scale: 1, disp: target, displSize: 8, offset };
      const index = this.freePointerRegister();
      const scale = this.rng.pick([1, 2, 4, 8] as const);
      const iv = BigInt(this.rng.int(16));
      this.regs[index] = iv;
      return { kind: 'mem', base: null, index: by64[index], scale, disp: target - iv * BigInt(scale), displSize: 8, offset };
    }
    if (style === 6) {
      // 0x67: the address is computed in 32 bits and zero-extended, so the upper halves of the
      // base and index registers do not matter (SDM Vol. 1 §3.3.7).
      const base = this.freePointerRegister();
      const index = this.rng.chance(0.4) ? this.freePointerRegister() : null;
      const scale = this.rng.pick([1, 2, 4, 8] as const);
      const iv = index === null ? 0n : BigInt(this.rng.int(64));
      if (index !== null) this.regs[index] = (this.rng.u64() & ~mask(32)) | iv;
      const displSize = this.rng.pick([0, 1, 4]);
      const disp = displSize === 0 ? 0n : displSize === 1 ? BigInt(this.rng.range(-128, 127)) : BigInt(this.rng.u32() | 0);
      const low = (target - disp - iv * BigInt(scale)) & mask(32);
      this.regs[base] = (this.rng.u64() & ~mask(32)) | low;
      return { kind: 'mem', base: by32[base], index: index === null ? null : by32[index], scale, disp: disp & mask(32), displSize, offset };
    }
    const base = this.freePointerRegister();
    let disp = 0n;
    let displSize = 0;
    if (style === 1) {
      disp = BigInt(this.rng.range(-128, 127));
      displSize = 1;
    } else if (style === 2) {
      disp = BigInt(this.rng.u32() | 0);
      displSize = 8;
    }
    if (style === 3) {
      const index = this.freePointerRegister();
      const scale = this.rng.pick([1, 2, 4, 8] as const);
      const iv = this.rng.chance(0.3) ? wrap(-BigInt(this.rng.range(1, 64))) : BigInt(this.rng.int(64));
      this.regs[index] = iv;
      disp = BigInt(this.rng.range(-128, 127));
      this.regs[base] = wrap(target - disp - iv * BigInt(scale));
      return { kind: 'mem', base: by64[base], index: by64[index], scale, disp, displSize: disp === 0n ? 0 : 1, offset };
    }
    this.regs[base] = wrap(target - disp);
    return { kind: 'mem', base: by64[base], index: null, scale: 1, disp, displSize, offset };
  }

  /** Operands for a form from its operand kinds: registers, memory (with probability memChance), immediates. */
  operands(f: Form, options: { memChance?: number; memBytes?: number; imm?: (spec: OperandSpec, i: number) => bigint } = {}): Operand[] {
    const regs: (Operand | undefined)[] = f.operands.map((spec) => {
      switch (spec.kind) {
        case 'reg':
          return { kind: 'reg', reg: this.pickReg(spec.bits) };
        case 'al':
        case 'ax':
        case 'eax':
        case 'rax':
        case 'cl': {
          const reg = spec.kind.toUpperCase();
          this.reserve(registerRef(reg).index);
          this.setReg(reg, edgeWeighted(this.rng, spec.bits));
          return { kind: 'reg', reg };
        }
        case 'imm':
          return undefined;
        default:
          return undefined;
      }
    });
    return f.operands.map((spec, i): Operand => {
      const done = regs[i];
      if (done) return done;
      switch (spec.kind) {
        case 'rm':
          if (this.rng.chance(options.memChance ?? 0.4)) return this.mem(spec.bits / 8);
          return { kind: 'reg', reg: this.pickReg(spec.bits) };
        case 'mem':
          return this.mem(options.memBytes ?? 8);
        case 'moffs': {
          const width = registerRef((f.operands[0].kind === 'moffs' ? f.operands[1] : f.operands[0]).kind.toUpperCase()).bits / 8;
          const offset = this.randomOffset(width);
          this.poke(offset, width, edgeWeighted(this.rng, width * 8));
          return { kind: 'mem', base: null, index: null, scale: 1, disp: DATA_ADDR + BigInt(offset), displSize: 8 };
        }
        case 'imm':
          return { kind: 'imm', value: spec.fixed ?? options.imm?.(spec, i) ?? edgeWeighted(this.rng, spec.bits) };
        default:
          throw new Error(`${f.name}: operand ${i} (${spec.kind}) needs a family-specific value`);
      }
    });
  }

  emit(f: Form | string, ops: Operand[] = [], options: EncodeOptions = {}): Encoded {
    const encoded = encode(typeof f === 'string' ? formNamed(f) : f, ops, this.rip, options);
    this.emitEncoded(encoded);
    return encoded;
  }

  /**
   * Appends an instruction, following which flags are undefined so far: an instruction that reads
   * one (ADC after BSF, CMOVA after IMUL) would make registers depend on it, so it is refused.
   */
  emitEncoded(encoded: Encoded): void {
    if (encoded.readFlags & this.undefinedNow) throw new UndefinedFlagRead(`${encoded.text} reads flags left undefined by the code before it`);
    const kept = encoded.flagsOnlyIfCounted ? this.undefinedNow : this.undefinedNow & ~encoded.modifiedFlags;
    this.undefinedNow = kept | encoded.undefinedFlags;
    this.parts.push(encoded);
  }

  /** RFLAGS bits undefined after the code so far. */
  get undefinedFlags(): number {
    return this.undefinedNow;
  }

  build(id: string, family: string): NativeCase {
    const undefinedFlags = this.undefinedNow;
    const code = this.parts.map((p) => hex(p.bytes)).join('');
    const regs = Object.fromEntries(GPR_NAMES.map((n, i) => [n, `0x${this.regs[i].toString(16)}`])) as NativeCase['regs'];
    const built: NativeCase = {
      id,
      family,
      text: this.parts.map((p) => p.text).join('; '),
      code,
      regs,
      rflags: `0x${this.rflags.toString(16)}`,
      data: hex(this.data),
      undefinedFlags: `0x${undefinedFlags.toString(16)}`,
    };
    if (this.simd) built.simd = this.simd.hex();
    if (this.requires.size) built.requires = [...this.requires].sort();
    if (this.ignoreData.length) built.ignoreData = this.ignoreData;
    return built;
  }
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
