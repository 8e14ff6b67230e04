/**
 * The machine code both the emulator and the host CPU run for the speed figures, so the two are
 * measured on identical instructions. Each loop is a System V function: f(rdi = 16-byte scratch
 * buffer, rsi = anything, rdx = iteration count) that returns with RET.
 */
export interface BenchLoop {
  name: 'alu_loop' | 'call_loop' | 'shift_loop' | 'mem_loop' | 'sse_loop';
  /** 64-bit machine code, position independent. */
  code: Uint8Array;
  /** Instructions retired per iteration, and outside the loop (the final RET). */
  perIteration: number;
  fixed: number;
  /** Uses SSE: the emulator's machine needs CR4.OSFXSR, as any OS that runs SSE code sets it. */
  sse?: boolean;
}

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((b) => parseInt(b, 16)));

export const benchLoops: BenchLoop[] = [
  {
    // 1: mov (%rdi),%rax; add %rax,%rsi; sub $1,%rdx; mov %rsi,8(%rdi); cmp $0,%rdx; jne 1b; ret
    name: 'alu_loop',
    code: hex('488b07' + '4801c6' + '4883ea01' + '48897708' + '4883fa00' + '75ec' + 'c3'),
    perIteration: 6,
    fixed: 1,
  },
  {
    // 1: push %rax; push %rsi; call 2f; pop %rsi; pop %rax; sub $1,%rdx; jne 1b; ret; 2: push %rcx; pop %rcx; ret
    name: 'call_loop',
    code: hex('50' + '56' + 'e809000000' + '5e' + '58' + '4883ea01' + '75f1' + 'c3' + '51' + '59' + 'c3'),
    perIteration: 10,
    fixed: 1,
  },
  {
    // 1: mov (%rdi),%rax; shl $3,%rax; add %rax,%rsi; mov %rsi,%rcx; sar $2,%rcx; xor %rcx,%rsi; mov %rsi,8(%rdi); sub $1,%rdx; jne 1b; ret
    name: 'shift_loop',
    code: hex('488b07' + '48c1e003' + '4801c6' + '4889f1' + '48c1f902' + '4831ce' + '48897708' + '4883ea01' + '75e2' + 'c3'),
    perIteration: 9,
    fixed: 1,
  },
  {
    // 1: mov %edx,%ecx; and $1,%ecx; mov (%rdi,%rcx,8),%rax; add %rax,%rsi; mov %rsi,(%rdi,%rcx,8); add %rsi,8(%rdi); sub $1,%rdx; jne 1b; ret
    name: 'mem_loop',
    code: hex('89d1' + '83e101' + '488b04cf' + '4801c6' + '488934cf' + '48017708' + '4883ea01' + '75e6' + 'c3'),
    perIteration: 8,
    fixed: 1,
  },
  {
    // pxor %xmm4,%xmm4; pxor %xmm6,%xmm6
    // 1: movdqu (%rdi),%xmm0; paddd %xmm0,%xmm1; pxor %xmm1,%xmm2; paddq %xmm2,%xmm3; addps %xmm6,%xmm4;
    //    movaps %xmm3,%xmm5; movdqu %xmm1,(%rdi); sub $1,%rdx; jne 1b; ret
    // The float add works on zeros: no denormal or NaN assist slows the host's run.
    name: 'sse_loop',
    code: hex('660fefe4' + '660feff6' + 'f30f6f07' + '660ffec8' + '660fefd1' + '660fd4da' + '0f58e6' + '0f28eb' + 'f30f7f0f' + '4883ea01' + '75e0' + 'c3'),
    perIteration: 9,
    fixed: 3,
    sse: true,
  },
];

/** What `loadLoop` needs of a machine: the sources' Machine and the shipped bundle's alike. */
interface LoopMachine {
  load(address: number, bytes: Uint8Array): void;
  setRegister(name: string, value: bigint): void;
}

const CODE = 0x10000;
const SCRATCH = 0x20000;
const STACK_TOP = 0x80000;
const HALT = 0x30000;

/**
 * Puts `loop` in a ring-0 64-bit machine as a call with `iterations`, returning to a HLT.
 * Returns how many instructions the run retires up to and including that HLT.
 */
export function loadLoop(m: LoopMachine, loop: BenchLoop, iterations: number): number {
  m.load(CODE, loop.code);
  m.load(HALT, Uint8Array.of(0xf4));
  m.load(STACK_TOP - 8, new Uint8Array(new BigUint64Array([BigInt(HALT)]).buffer));
  m.setRegister('rsp', BigInt(STACK_TOP - 8));
  m.setRegister('rdi', BigInt(SCRATCH));
  m.setRegister('rdx', BigInt(iterations));
  m.setRegister('rip', BigInt(CODE));
  return iterations * loop.perIteration + loop.fixed + 1;
}
