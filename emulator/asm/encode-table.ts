/**
 * Op-code tables read from iced-x86: every legacy-encoded instruction form, grouped by mnemonic.
 * Built once, lazily; operand matching in encode.ts is driven entirely by these rows.
 */
import { Code, CodeExt, EncodingKind, MemorySizeExt, Mnemonic, OpCodeOperandKind as K } from 'iced-x86';

export interface Form {
  code: number;
  name: string;
  kinds: number[];
  /** 0, 16, 32 or 64 (iced's operandSize). */
  operandSize: number;
  /** Bits read or written through memory, 0 when unsized (lea, invlpg). */
  memBits: number;
  mode16: boolean;
  mode32: boolean;
  mode64: boolean;
  /** Far pointer forms (ptr16:32, m16:32). */
  far: boolean;
  /** Operand size the stack forms use by default in 64-bit code (push, pop, call, jmp, ret). */
  defaultOpSize64: boolean;
  /** Accepts a LOCK prefix (with a memory destination). */
  lockable: boolean;
}

let table: Map<string, Form[]> | null = null;

const codeCount = Object.keys(Code).filter((k) => Number.isNaN(Number(k))).length;

function build(): Map<string, Form[]> {
  const byMnemonic = new Map<string, Form[]>();
  for (let code = 0; code < codeCount; code++) {
    const oc = CodeExt.opCode(code);
    try {
      if (oc.encoding !== EncodingKind.Legacy || !oc.isInstruction) continue;
      // 486-era cmpxchg opcodes (0f a6/a7) share the mnemonic but no assembler emits them.
      if (Code[code].includes('486')) continue;
      const kinds: number[] = [];
      for (let i = 0; i < oc.opCount; i++) kinds.push(oc.opKind(i));
      const name = Code[code];
      const form: Form = {
        code,
        name,
        kinds,
        operandSize: oc.operandSize,
        memBits: MemorySizeExt.size(oc.memorySize) * 8,
        mode16: oc.mode16,
        mode32: oc.mode32,
        mode64: oc.mode64,
        far: kinds.some((k) => k === K.farbr2_2 || k === K.farbr4_2) || /_m16(16|32|64)$/.test(name) && /^(Jmp|Call)_/.test(name),
        defaultOpSize64: oc.defaultOpSize64 || oc.forceOpSize64,
        lockable: oc.canUseLockPrefix,
      };
      const mnemonic = Mnemonic[oc.mnemonic].toLowerCase();
      let list = byMnemonic.get(mnemonic);
      if (!list) byMnemonic.set(mnemonic, (list = []));
      list.push(form);
    } finally {
      oc.free();
    }
  }
  return byMnemonic;
}

export function formsOf(mnemonic: string): Form[] | undefined {
  table ??= build();
  return table.get(mnemonic);
}

export function allMnemonics(): string[] {
  table ??= build();
  return [...table.keys()];
}

export { K as OperandKind };

const nonGpKinds = new Set<number>([
  K.mm_or_mem, K.xmm_or_mem, K.ymm_or_mem, K.zmm_or_mem, K.bnd_or_mem_mpx, K.k_or_mem, K.k_reg, K.kp1_reg, K.k_rm, K.k_vvvv,
  K.mm_reg, K.mm_rm, K.xmm_reg, K.xmm_rm, K.xmm_vvvv, K.xmmp3_vvvv, K.xmm_is4, K.xmm_is5, K.ymm_reg, K.ymm_rm, K.ymm_vvvv,
  K.ymm_is4, K.ymm_is5, K.zmm_reg, K.zmm_rm, K.zmm_vvvv, K.zmmp3_vvvv, K.bnd_reg, K.st0, K.sti_opcode, K.tmm_reg, K.tmm_rm, K.tmm_vvvv,
  K.r32_or_mem_mpx, K.r64_or_mem_mpx, K.mem_mpx, K.mem_mib,
]);
const gpCache = new Map<string, boolean>();

/** Whether a mnemonic has forms that use only general-purpose and system operands. */
export function isGpMnemonic(mnemonic: string): boolean {
  let v = gpCache.get(mnemonic);
  if (v === undefined) {
    v = (formsOf(mnemonic) ?? []).some((f) => f.kinds.every((k) => !nonGpKinds.has(k)));
    gpCache.set(mnemonic, v);
  }
  return v;
}
