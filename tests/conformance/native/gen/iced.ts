/**
 * The generator's only contact with iced-x86: instruction forms by name, encoding with iced's
 * Encoder, Intel-syntax text, and the RFLAGS bits iced reports as undefined/modified.
 */
import { Code, Decoder, DecoderOptions, Encoder, Formatter, FormatterSyntax, Instruction, MemoryOperand, Mnemonic, OpCodeOperandKind, OpKind, Register, RepPrefixKind } from 'iced-x86';

export type OperandKind =
  | 'rm'
  | 'reg'
  | 'mem'
  | 'moffs'
  | 'imm'
  | 'branch'
  | 'al'
  | 'ax'
  | 'eax'
  | 'rax'
  | 'cl';

export interface OperandSpec {
  kind: OperandKind;
  /** Operand width in bits (registers, r/m, immediates as encoded). */
  bits: number;
  /** Immediates: sign-extended by the CPU to the operand size. */
  signed?: boolean;
  /** Immediates fixed by the form (SHL r/m, 1). */
  fixed?: bigint;
}

export interface Form {
  name: string;
  code: Code;
  mnemonic: string;
  operands: OperandSpec[];
}

export type Operand =
  | { kind: 'reg'; reg: string }
  | { kind: 'mem'; base: string | null; index: string | null; scale: 1 | 2 | 4 | 8; disp: bigint; displSize: number; segment?: string }
  | { kind: 'imm'; value: bigint }
  | { kind: 'branch'; target: bigint };

export interface Encoded {
  bytes: Uint8Array;
  text: string;
  /** x86 RFLAGS bit masks. */
  undefinedFlags: number;
  modifiedFlags: number;
  readFlags: number;
  /** Shifts and rotates leave every flag alone when the masked count is 0 (SDM Vol. 2B SAL/SAR/SHL/SHR). */
  flagsOnlyIfCounted: boolean;
}

const countedFlags = new Set(['rol', 'ror', 'rcl', 'rcr', 'shl', 'sal', 'shr', 'sar', 'shld', 'shrd']);

const widthOfKind: Partial<Record<string, [OperandKind, number, boolean?]>> = {
  r8_or_mem: ['rm', 8], r16_or_mem: ['rm', 16], r32_or_mem: ['rm', 32], r64_or_mem: ['rm', 64],
  r8_reg: ['reg', 8], r8_opcode: ['reg', 8], r16_reg: ['reg', 16], r16_opcode: ['reg', 16], r16_rm: ['reg', 16],
  r32_reg: ['reg', 32], r32_opcode: ['reg', 32], r32_rm: ['reg', 32], r64_reg: ['reg', 64], r64_opcode: ['reg', 64],
  r64_rm: ['reg', 64], mem: ['mem', 0], mem_offs: ['moffs', 0], al: ['al', 8], ax: ['ax', 16], eax: ['eax', 32],
  rax: ['rax', 64], cl: ['cl', 8], imm8: ['imm', 8], imm16: ['imm', 16], imm32: ['imm', 32], imm64: ['imm', 64],
  imm8sex16: ['imm', 8, true], imm8sex32: ['imm', 8, true], imm8sex64: ['imm', 8, true], imm32sex64: ['imm', 32, true],
  imm8_const_1: ['imm', 8], br64_1: ['branch', 8], br64_4: ['branch', 32],
};

let allForms: Form[] | undefined;

/** Every legacy-encoded form valid in 64-bit mode whose operands are GPRs, memory, immediates or branch targets. */
export function gprForms(): Form[] {
  if (allForms) return allForms;
  allForms = [];
  for (const [name, value] of Object.entries(Code)) {
    if (typeof value !== 'number' || value === Code.INVALID) continue;
    const instr = Instruction.create(value);
    const info = instr.opCode;
    try {
      if (!info.mode64 || info.encoding !== 0 || !info.isInstruction) continue;
      const operands: OperandSpec[] = [];
      let supported = true;
      for (let i = 0; i < info.opCount; i++) {
        const kindName = OpCodeOperandKind[info.opKind(i)];
        const mapped = widthOfKind[kindName];
        if (!mapped) {
          supported = false;
          break;
        }
        const spec: OperandSpec = { kind: mapped[0], bits: mapped[1], signed: mapped[2] };
        if (kindName === 'imm8_const_1') spec.fixed = 1n;
        operands.push(spec);
      }
      if (supported) allForms.push({ name, code: value, mnemonic: info.instructionString.split(' ')[0], operands });
    } finally {
      info.free();
      instr.free();
    }
  }
  return allForms;
}

export function formsMatching(pattern: RegExp): Form[] {
  const forms = gprForms().filter((f) => pattern.test(f.name));
  if (forms.length === 0) throw new Error(`no iced-x86 form matches ${pattern}`);
  return forms;
}

export function form(name: string): Form {
  const found = gprForms().find((f) => f.name === name);
  if (!found) throw new Error(`iced-x86 has no 64-bit GPR form named ${name}`);
  return found;
}

const encoder = new Encoder(64);
const formatter = new Formatter(FormatterSyntax.Intel);

function register(name: string | null): Register {
  if (name === null) return Register.None;
  const value = (Register as unknown as Record<string, number>)[name];
  if (typeof value !== 'number') throw new Error(`unknown register ${name}`);
  return value;
}

function memoryOperand(op: Extract<Operand, { kind: 'mem' }>): MemoryOperand {
  return new MemoryOperand(register(op.base), register(op.index), op.scale, op.disp, op.displSize, false, register(op.segment ?? null));
}

function immediate(spec: OperandSpec, value: bigint): { signed: boolean; value: number | bigint } {
  if (spec.bits === 64) return { signed: false, value };
  if (spec.signed) {
    const top = 1n << BigInt(spec.bits - 1);
    return { signed: true, value: Number(value >= top ? value - (top << 1n) : value) };
  }
  return { signed: false, value: Number(value) };
}

function create(f: Form, ops: Operand[]): Instruction {
  const sig = ops.map((o) => (o.kind === 'reg' ? 'r' : o.kind === 'mem' ? 'm' : o.kind === 'imm' ? 'i' : 'b')).join('');
  const reg = (i: number) => register((ops[i] as { reg: string }).reg);
  const mem = (i: number) => memoryOperand(ops[i] as Extract<Operand, { kind: 'mem' }>);
  const imm = (i: number) => immediate(f.operands[i], (ops[i] as { value: bigint }).value);
  const i32 = (i: number) => {
    const v = imm(i);
    return v.value as number;
  };
  const signedAt = (i: number) => imm(i).signed;
  const c = f.code;
  switch (sig) {
    case '':
      return Instruction.create(c);
    case 'r':
      return Instruction.createReg(c, reg(0));
    case 'm':
      return Instruction.createMem(c, mem(0));
    case 'i':
      return signedAt(0) ? Instruction.createI32(c, i32(0)) : Instruction.createU32(c, i32(0));
    case 'b':
      return Instruction.createBranch(c, (ops[0] as { target: bigint }).target);
    case 'rr':
      return Instruction.createRegReg(c, reg(0), reg(1));
    case 'rm':
      return Instruction.createRegMem(c, reg(0), mem(1));
    case 'mr':
      return Instruction.createMemReg(c, mem(0), reg(1));
    case 'ri': {
      const v = imm(1);
      if (typeof v.value === 'bigint') return Instruction.createRegU64(c, reg(0), v.value);
      return v.signed ? Instruction.createRegI32(c, reg(0), v.value) : Instruction.createRegU32(c, reg(0), v.value);
    }
    case 'mi':
      return signedAt(1) ? Instruction.createMemI32(c, mem(0), i32(1)) : Instruction.createMemU32(c, mem(0), i32(1));
    case 'ii':
      return Instruction.createU32U32(c, i32(0), i32(1));
    case 'rrr':
      return Instruction.createRegRegReg(c, reg(0), reg(1), reg(2));
    case 'mrr':
      return Instruction.createMemRegReg(c, mem(0), reg(1), reg(2));
    case 'rri':
      return signedAt(2) ? Instruction.createRegRegI32(c, reg(0), reg(1), i32(2)) : Instruction.createRegRegU32(c, reg(0), reg(1), i32(2));
    case 'rmi':
      return signedAt(2) ? Instruction.createRegMemI32(c, reg(0), mem(1), i32(2)) : Instruction.createRegMemU32(c, reg(0), mem(1), i32(2));
    case 'mri':
      return signedAt(2) ? Instruction.createMemRegI32(c, mem(0), reg(1), i32(2)) : Instruction.createMemRegU32(c, mem(0), reg(1), i32(2));
    default:
      throw new Error(`${f.name}: no iced-x86 constructor for operand pattern '${sig}'`);
  }
}

export interface EncodeOptions {
  lock?: boolean;
  /** A prefix compilers put on branches: `rep ret`, `bnd` (F2), branch hints and `notrack` (2E/3E). */
  prefix?: 'rep' | 'repne' | 'cs' | 'ds';
}

/** Encodes one instruction at `rip`; throws (with iced's reason) when the operands are not encodable. */
export function encode(f: Form, ops: Operand[], rip: bigint, options: EncodeOptions = {}): Encoded {
  if (ops.length !== f.operands.length) throw new Error(`${f.name}: expected ${f.operands.length} operands, got ${ops.length}`);
  const instr = create(f, ops);
  if (options.lock) instr.hasLockPrefix = true;
  if (options.prefix === 'rep') instr.hasRepPrefix = true;
  else if (options.prefix === 'repne') instr.hasRepnePrefix = true;
  else if (options.prefix) instr.segmentPrefix = register(options.prefix.toUpperCase());
  return finish(instr, rip);
}

export type StringOp = 'movs' | 'stos' | 'lods' | 'cmps' | 'scas';
export type RepKind = 'none' | 'rep' | 'repe' | 'repne';

const stringCreators: Record<StringOp, Record<number, (addressSize: number, rep: RepPrefixKind) => Instruction>> = {
  movs: {
    1: (a, r) => Instruction.createMovsb(a, Register.None, r), 2: (a, r) => Instruction.createMovsw(a, Register.None, r),
    4: (a, r) => Instruction.createMovsd(a, Register.None, r), 8: (a, r) => Instruction.createMovsq(a, Register.None, r),
  },
  stos: { 1: Instruction.createStosb, 2: Instruction.createStosw, 4: Instruction.createStosd, 8: Instruction.createStosq },
  lods: {
    1: (a, r) => Instruction.createLodsb(a, Register.None, r), 2: (a, r) => Instruction.createLodsw(a, Register.None, r),
    4: (a, r) => Instruction.createLodsd(a, Register.None, r), 8: (a, r) => Instruction.createLodsq(a, Register.None, r),
  },
  cmps: {
    1: (a, r) => Instruction.createCmpsb(a, Register.None, r), 2: (a, r) => Instruction.createCmpsw(a, Register.None, r),
    4: (a, r) => Instruction.createCmpsd(a, Register.None, r), 8: (a, r) => Instruction.createCmpsq(a, Register.None, r),
  },
  scas: { 1: Instruction.createScasb, 2: Instruction.createScasw, 4: Instruction.createScasd, 8: Instruction.createScasq },
};

const repKinds: Record<RepKind, RepPrefixKind> = {
  none: RepPrefixKind.None,
  rep: RepPrefixKind.Repe,
  repe: RepPrefixKind.Repe,
  repne: RepPrefixKind.Repne,
};

export function encodeString(op: StringOp, size: 1 | 2 | 4 | 8, addressSize: 32 | 64, rep: RepKind, rip: bigint): Encoded {
  return finish(stringCreators[op][size](addressSize, repKinds[rep]), rip);
}

function finish(instr: Instruction, rip: bigint): Encoded {
  try {
    encoder.encode(instr, rip);
    const bytes = encoder.takeBuffer();
    return {
      bytes,
      text: formatter.format(instr),
      undefinedFlags: toRflags(instr.rflagsUndefined),
      modifiedFlags: toRflags(instr.rflagsModified),
      readFlags: toRflags(instr.rflagsRead),
      flagsOnlyIfCounted: flagsOnlyIfCounted(instr),
    };
  } catch (error) {
    encoder.takeBuffer();
    throw error;
  } finally {
    instr.free();
  }
}

/** A count in CL may be 0 at run time; an immediate count is conservatively "maybe 0" unless its low five bits are set. */
function flagsOnlyIfCounted(instr: Instruction): boolean {
  if (!countedFlags.has(Mnemonic[instr.mnemonic].toLowerCase())) return false;
  const count = instr.opCount - 1;
  return instr.opKind(count) !== OpKind.Immediate8 || (instr.immediate8 & 0x1f) === 0;
}

// iced's RflagsBits numbering → architectural RFLAGS bit positions (SDM Vol. 1 §3.4.3).
const icedToRflags: [number, number][] = [
  [1, 1 << 11], // OF
  [2, 1 << 7], // SF
  [4, 1 << 6], // ZF
  [8, 1 << 4], // AF
  [16, 1 << 0], // CF
  [32, 1 << 2], // PF
  [64, 1 << 10], // DF
  [128, 1 << 9], // IF
  [256, 1 << 18], // AC
];

function toRflags(icedBits: number): number {
  let out = 0;
  for (const [from, to] of icedToRflags) if (icedBits & from) out |= to;
  return out;
}

/** Decodes 64-bit code into iced's form (Code) and mnemonic names, for coverage checks. */
export function decodeForms(code: Uint8Array): { form: string; mnemonic: string }[] {
  const decoder = new Decoder(64, code, DecoderOptions.NoInvalidCheck);
  const out: { form: string; mnemonic: string }[] = [];
  try {
    while (decoder.canDecode) {
      const instr = decoder.decode();
      out.push({ form: Code[instr.code], mnemonic: Mnemonic[instr.mnemonic].toLowerCase() });
      instr.free();
    }
  } finally {
    decoder.free();
  }
  return out;
}
