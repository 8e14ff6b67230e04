import { Machine, type Mode, type RunResult } from '../../../emulator/index.ts';

export const CODE = 0x1000;
export const DATA = 0x8000;
export const STACK_TOP = 0x20000;

export const CF = 0x1n;
export const PF = 0x4n;
export const AF = 0x10n;
export const ZF = 0x40n;
export const SF = 0x80n;
export const DF = 0x400n;
export const OF = 0x800n;
export const STATUS = CF | PF | AF | ZF | SF | OF;

export const bytes = (hex: string): Uint8Array => Uint8Array.from((hex.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)));
export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export interface Setup {
  regs?: Record<string, bigint>;
  flags?: bigint;
  /** Bytes placed at DATA (rdi points there unless regs says otherwise). */
  data?: string;
  mode?: Mode;
  maxInstructions?: number;
}

export interface Outcome {
  m: Machine;
  result: RunResult;
  reg: (name: string) => bigint;
  flags: bigint;
  data: (offset: number, length: number) => string;
}

/** Runs `hex` at CODE until RIP reaches its end (or a stop), with RDI at DATA and RSP at STACK_TOP. */
export function run(hex: string, setup: Setup = {}): Outcome {
  const code = bytes(hex);
  const m = new Machine({ ramSize: 0x100000, mode: setup.mode ?? 'long64' });
  m.load(CODE, code);
  if (setup.data) m.load(DATA, bytes(setup.data));
  m.setRegister('rdi', BigInt(DATA));
  m.setRegister('rsp', BigInt(STACK_TOP));
  for (const [name, value] of Object.entries(setup.regs ?? {})) m.setRegister(name, value);
  m.setRegister('rflags', (setup.flags ?? 0n) | 2n);
  m.setRegister('rip', BigInt(CODE));
  const result = m.run({ maxInstructions: setup.maxInstructions ?? 10_000, breakpoints: [BigInt(CODE + code.length)] });
  return {
    m,
    result,
    reg: (name) => m.getRegister(name),
    flags: m.getRegister('rflags'),
    data: (offset, length) => toHex(m.read(DATA + offset, length)),
  };
}
