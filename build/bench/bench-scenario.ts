/**
 * The one machine every CPU peer runs for the speed figures: long mode, one 2 MiB identity page
 * (user-accessible), a GDT with kernel and user segments and a TSS, and an IDT that sends vector
 * 0x80 to HANDLER and every other vector to STOP. As a complete `switchyard-scenario/1`, so the
 * emulator, QEMU and Bochs start from the same state and run the same bytes.
 */
import { REG_NAMES, SEG_NAMES, type RegName, type Scenario, type SegName } from '../../tests/conformance/system/scenario-types.ts';
import { hex, leBytes, toHex } from '../../emulator/layout/index.ts';
import type { BenchLoop } from './loops.ts';

export const CODE = 0x10000;
export const HANDLER = 0x30000;
/** Where every vector but 0x80 goes, and where a loop returns to (the ring-3 loop ends with a HLT's #GP). */
export const STOP = 0x31000;
const SCRATCH = 0x20000;
const KERNEL_STACK = 0x8800;
const USER_STACK = 0x8000;
const INT_VECTOR = 0x80;
const ZERO_IDTR = STOP + 0x100;

const le = (value: number, bytes: number): string => toHex(leBytes(value, bytes));

/**
 * How the run ends at STOP. The emulator stops at a HLT. The peers end with a triple fault (LIDT
 * of a zero-limit table, then UD2), which ends their process: a run is then timed to its exit,
 * with nothing polling the guest.
 */
export type Ending = 'hlt' | 'triple-fault';
const ENDINGS: Record<Ending, string> = {
  hlt: 'f4',
  // lidt (ZERO_IDTR); ud2
  'triple-fault': '0f011c25' + le(ZERO_IDTR, 4) + '0f0b',
};

/** A 64-bit interrupt gate to `target` in kernel code segment 0x08, DPL 0. */
const gate = (target: number): string => le(target & 0xffff, 2) + le(0x08, 2) + '008e' + le(target >>> 16, 2) + '00000000' + '00000000';

const GDT = [
  '0000000000000000',
  'ffff0000009aaf00',
  'ffff00000092cf00',
  'ffff000000facf00',
  'ffff000000f2cf00',
  'ffff000000faaf00',
  '6700005000890000',
  '0000000000000000',
].join('');

export interface BenchRun {
  name: string;
  /** Code at CODE, run from its first byte. */
  code: string;
  /** The handler of INT 0x80 and the target of SYSCALL. */
  handler?: string;
  /** Starts in ring 3 (CS 0x2b) rather than ring 0. */
  user?: boolean;
  regs?: Partial<Record<RegName, number>>;
  /** The register the loop counts down to zero. */
  counter: RegName;
  /** Extra memory (a return address on the stack). */
  memory?: { addr: number; hex: string }[];
  cr4?: number;
}

export function benchScenario(run: BenchRun, ending: Ending): Scenario {
  const regs = Object.fromEntries(REG_NAMES.map((r) => [r, '0x0'])) as Record<RegName, string>;
  regs.rflags = '0x2';
  regs.rip = hex(CODE);
  regs.rsp = hex(run.user ? USER_STACK : KERNEL_STACK);
  for (const [name, value] of Object.entries(run.regs ?? {})) regs[name as RegName] = hex(value);
  const seg = Object.fromEntries(SEG_NAMES.map((s) => [s, '0x0'])) as Record<SegName, string>;
  Object.assign(seg, run.user ? { cs: '0x2b', ss: '0x23', ds: '0x23', es: '0x23', tr: '0x30' } : { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', tr: '0x30' });
  const tss = '00000000' + le(0x9000, 8) + '0'.repeat(0x5c * 2);
  return {
    format: 'switchyard-scenario/1',
    name: `bench/${run.name}`,
    cpu: {
      mode: 'long64',
      regs,
      cr0: '0x80000033',
      cr3: '0x1000',
      cr4: hex(run.cr4 ?? 0x20),
      efer: '0x501',
      gdtr: { base: '0x2000', limit: '0x3f' },
      idtr: { base: '0x3000', limit: '0xfff' },
      seg,
      // SYSCALL enters CS 0x08 / SS 0x10 at HANDLER; SYSRETQ returns to CS 0x2b / SS 0x23.
      msr: { star: '0x001b000800000000', lstar: hex(HANDLER), sfmask: '0x0' },
    },
    memory: [
      { addr: '0x1000', hex: '0760000000000000' },
      { addr: '0x6000', hex: '0770000000000000' },
      { addr: '0x7000', hex: '8700000000000000' },
      { addr: '0x2000', hex: GDT },
      { addr: '0x3000', hex: Array.from({ length: 256 }, (_, v) => gate(v === INT_VECTOR ? HANDLER : STOP)).join('') },
      { addr: hex(STOP), hex: ENDINGS[ending] },
      { addr: hex(ZERO_IDTR), hex: '00'.repeat(10) },
      { addr: '0x5000', hex: tss },
      { addr: hex(CODE), hex: run.code },
      ...(run.handler ? [{ addr: hex(HANDLER), hex: run.handler }] : []),
      ...(run.memory ?? []).map((m) => ({ addr: hex(m.addr), hex: m.hex })),
    ],
  };
}

/** One of the shared loops as a call from ring 0 with `iterations`, returning to STOP. */
export function loopRun(loop: BenchLoop, iterations: number): BenchRun {
  return {
    name: loop.name,
    code: toHex(loop.code),
    counter: 'rdx',
    regs: { rsp: KERNEL_STACK - 8, rdi: SCRATCH, rdx: iterations },
    memory: [{ addr: KERNEL_STACK - 8, hex: le(STOP, 8) }],
    // PAE, OSFXSR and OSXMMEXCPT: the SSE loop runs as under any OS that enables SSE.
    cr4: 0x620,
  };
}

/** The two transition loops, each iteration four instructions: the delivery and the return count as one each. */
export const TRANSITION_LOOPS = {
  // 1: int $0x80; dec %rcx; jnz 1b; ud2 (its #UD goes to STOP) / handler: iretq
  int_iretq: (iterations: number): BenchRun => ({
    name: 'int_iretq',
    code: 'cd80' + '48ffc9' + '75f9' + '0f0b',
    handler: '48cf',
    counter: 'rcx',
    regs: { rcx: iterations },
  }),
  // 1: syscall; dec %rdx; jnz 1b; hlt (ring 3: its #GP goes to STOP) / handler: sysretq
  syscall_sysret: (iterations: number): BenchRun => ({
    name: 'syscall_sysret',
    code: '0f05' + '48ffca' + '75f9' + 'f4',
    handler: '480f07',
    user: true,
    counter: 'rdx',
    regs: { rdx: iterations },
  }),
};
export const TRANSITION_PER_ITERATION = 4;
