/** Builds executable instructions from decoded records: the instruction table decides what is implemented. */
import { CR0_EM, CR0_TS } from '../arch/control-registers.ts';
import { deviceNotAvailable, hex, invalidOpcode } from '../arch/faults.ts';
import { INSTRUCTIONS } from '../isa/table.ts';
import { aluOps } from '../ops/alu.ts';
import { bitsOps } from '../ops/bits.ts';
import { controlOps } from '../ops/control.ts';
import { flagOps } from '../ops/flags.ts';
import { miscOps } from '../ops/misc.ts';
import { moveOps } from '../ops/move.ts';
import { muldivOps } from '../ops/muldiv.ts';
import type { Factory } from '../ops/operands.ts';
import { shiftOps } from '../ops/shift.ts';
import { stackOps } from '../ops/stack.ts';
import { stringOps } from '../ops/string.ts';
import { iretOps } from '../ops/iret.ts';
import { fastSyscallOps } from '../ops/fast-syscall.ts';
import { descriptorTableOps } from '../ops/descriptor-tables.ts';
import { controlRegisterOps } from '../ops/control-registers.ts';
import { msrOps } from '../ops/msr.ts';
import { farOps } from '../ops/far.ts';
import { sseOps } from '../ops/sse.ts';
import { x87Ops } from '../ops/x87.ts';
import { xsaveOps } from '../ops/xsave.ts';
import type { RawInsn } from './iced.ts';
import { Insn, OP_MEM, OP_OTHER, type Exec } from '../cpu/insn.ts';

/** Every handler factory, by mnemonic, as the families register them. */
/** The string MOVSD (A5) and SSE2's MOVSD share iced's mnemonic: the form tells them apart. */
const movsd: Factory = (raw) => (raw.form === 'Movsd_m32_m32' ? stringOps.MOVSD! : sseOps.MOVSD!)(raw);

export const HANDLERS: ReadonlyMap<string, Factory> = new Map(
  Object.entries({ ...moveOps, ...stackOps, ...aluOps, ...muldivOps, ...shiftOps, ...bitsOps, ...controlOps, ...stringOps, ...flagOps, ...miscOps, ...iretOps, ...fastSyscallOps, ...descriptorTableOps, ...controlRegisterOps, ...msrOps, ...farOps, ...sseOps, ...x87Ops, ...xsaveOps, MOVSD: movsd }),
);

const FACTS = new Map(INSTRUCTIONS.map((f) => [f.mnemonic, f]));

const bytesText = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

function raising(reason: string): Exec {
  return () => {
    throw invalidOpcode(reason);
  };
}

const TS_REASON = ' (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)';

/**
 * x87 and SIMD instructions are not implemented, but CR0 still decides what they raise first
 * (SDM Vol. 3A, 2.5, CR0.EM and CR0.TS): x87 with EM or TS set is #NM; SIMD with EM set is #UD, with
 * TS set #NM. Only then does the missing implementation show as #UD.
 */
function coprocessor(unit: 'x87' | 'simd', mnemonic: string, reason: string): Exec {
  return (cpu) => {
    if (unit === 'x87' ? cpu.cr0 & (CR0_EM | CR0_TS) : (cpu.cr0 & (CR0_EM | CR0_TS)) === CR0_TS) {
      throw deviceNotAvailable(cpu.cr0 & CR0_TS ? `${mnemonic}: CR0.TS is set${TS_REASON}` : `${mnemonic}: CR0.EM is set (x87 instructions are left to a software emulator: #NM)`);
    }
    throw invalidOpcode(reason);
  };
}

/** Chooses the handler for one decoded instruction; anything not implemented becomes a #UD that names it. */
export function buildInsn(raw: RawInsn, bytes: Uint8Array, bits: number, address: number): Insn {
  let exec: Exec;
  const facts = FACTS.get(raw.mnemonic);
  const factory = facts ? HANDLERS.get(raw.mnemonic) : undefined;
  if (raw.mnemonic === 'INVALID') {
    exec = raising(`bytes ${bytesText(bytes)} at ${hex(address)} are not a valid instruction in ${bits}-bit code`);
  } else if (!factory || raw.ops.some((op) => op.kind === OP_OTHER)) {
    const reason = `${raw.mnemonic} is not implemented by this CPU${factory ? ` (form ${raw.form})` : ''}`;
    exec = raw.unit ? coprocessor(raw.unit, raw.mnemonic, reason) : raising(reason);
  } else if (raw.lock && !(facts!.lockable && raw.ops[0]?.kind === OP_MEM)) {
    exec = raising(`LOCK prefix is not allowed on ${raw.mnemonic}${facts!.lockable ? ' with a register destination' : ''}`);
  } else {
    exec = factory(raw);
  }
  return new Insn(exec, raw.mnemonic, raw.form, raw.length, bits, raw.opSize, raw.ops, raw.mem, raw.rel, raw.cond, raw.rep, raw.lock, raw.addrBits, raw.segPrefix, bytes);
}
