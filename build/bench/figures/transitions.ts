// emulator.int_iretq_mips: a ring-0 INT n / IRETQ loop with paging on; emulator.syscall_sysret_mips:
// SYSCALL / SYSRETQ round trips from ring 3. Both in million instructions per second, the delivery
// and the return each counted as the one instruction that caused it.
import type { Figure } from '../figure.ts';
import type { Machine } from '../../../emulator/index.ts';
import { shippedEmulator } from '../shipped-emulator.ts';

const CODE = 0x10000;
const HANDLER = 0x30000;
const ITERATIONS = 3_000_000;
const PER_ITERATION = 4;

const le = (value: number, bytes: number): string =>
  Array.from({ length: bytes }, (_, i) => (Math.floor(value / 256 ** i) % 256).toString(16).padStart(2, '0')).join('');

/** Where every vector but 0x80 goes: a HLT that ends the run (the ring-3 loop ends with a HLT's #GP). */
const STOP = 0x31000;
const INT_VECTOR = 0x80;

/** A 64-bit interrupt gate to `target` in kernel code segment 0x08, DPL 0. */
const gate = (target: number): string => le(target & 0xffff, 2) + le(0x08, 2) + '008e' + le(target >>> 16, 2) + '00000000' + '00000000';

/** Long mode, one 2 MiB identity page (user-accessible), GDT with kernel and user segments and a TSS, vector 0x80 to HANDLER. */
async function transitionMachine(code: string, handler: string, user: boolean): Promise<Machine> {
  const { parseScenario, setUpScenario } = await shippedEmulator();
  const gdt = [
    '0000000000000000',
    'ffff0000009aaf00',
    'ffff00000092cf00',
    'ffff000000facf00',
    'ffff000000f2cf00',
    'ffff000000faaf00',
    '6700005000890000',
    '0000000000000000',
  ].join('');
  const tss = '00000000' + le(0x9000, 8) + '0'.repeat(0x5c * 2);
  return setUpScenario(
    parseScenario({
      format: 'switchyard-scenario/1',
      cpu: {
        mode: 'long64',
        regs: {
          rsp: user ? '0x8000' : '0x8800',
          rip: `0x${CODE.toString(16)}`,
          rflags: '0x2',
          rcx: `0x${ITERATIONS.toString(16)}`,
          rdx: `0x${ITERATIONS.toString(16)}`,
        },
        cr3: '0x1000',
        efer: '0x501',
        gdtr: { base: '0x2000', limit: '0x3f' },
        idtr: { base: '0x3000', limit: '0xfff' },
        seg: user ? { cs: '0x2b', ss: '0x23', ds: '0x23', es: '0x23', tr: '0x30' } : { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', tr: '0x30' },
        // SYSCALL enters CS 0x08 / SS 0x10 at HANDLER; SYSRETQ returns to CS 0x2b / SS 0x23.
        msr: { star: '0x001b000800000000', lstar: `0x${HANDLER.toString(16)}`, sfmask: '0x0' },
      },
      memory: [
        { addr: '0x1000', hex: '0760000000000000' },
        { addr: '0x6000', hex: '0770000000000000' },
        { addr: '0x7000', hex: '8700000000000000' },
        { addr: '0x2000', hex: gdt },
        { addr: '0x3000', hex: Array.from({ length: 256 }, (_, v) => gate(v === INT_VECTOR ? HANDLER : STOP)).join('') },
        { addr: `0x${STOP.toString(16)}`, hex: 'f4' },
        { addr: '0x5000', hex: tss },
        { addr: `0x${CODE.toString(16)}`, hex: code },
        { addr: `0x${HANDLER.toString(16)}`, hex: handler },
      ],
    }),
  );
}

async function measure(name: string, code: string, handler: string, user: boolean): Promise<number> {
  const m = await transitionMachine(code, handler, user);
  // The loop, then one HLT retired in ring 0.
  const expected = ITERATIONS * PER_ITERATION + 1;
  const t0 = performance.now();
  const result = m.run({ maxInstructions: 10 * expected });
  const seconds = (performance.now() - t0) / 1000;
  if (result.reason !== 'hlt' || result.instructions !== expected || m.getRegister(user ? 'rdx' : 'rcx') !== 0n) {
    throw new Error(
      `${name}: expected HLT after ${expected} instructions, got ${result.reason} after ${result.instructions}${result.message ? `: ${result.message}` : ''}`,
    );
  }
  return result.instructions / seconds / 1e6;
}

export const figures: Figure[] = [
  {
    // 1: int $0x80; dec %rcx; jnz 1b / handler: iretq
    name: 'emulator.int_iretq_mips',
    unit: 'M instr/s',
    runs: 5,
    warmups: 2,
    pinned: true,
    measure: async () => measure('int_iretq', 'cd80' + '48ffc9' + '75f9' + 'f4', '48cf', false),
  },
  {
    // 1: syscall; dec %rdx; jnz 1b (ring 3) / handler: sysretq
    name: 'emulator.syscall_sysret_mips',
    unit: 'M instr/s',
    runs: 5,
    warmups: 2,
    pinned: true,
    measure: async () => measure('syscall_sysret', '0f05' + '48ffca' + '75f9' + 'f4', '480f07', true),
  },
];
