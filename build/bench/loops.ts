/**
 * The machine code both the emulator and the host CPU run for the speed figures, so the two are
 * measured on identical instructions. Each loop is a System V function: f(rdi = 16-byte scratch
 * buffer, rsi = anything, rdx = iteration count) that returns with RET.
 */
export interface BenchLoop {
  name: 'alu_loop' | 'call_loop' | 'shift_loop' | 'mem_loop';
  /** 64-bit machine code, position independent. */
  code: Uint8Array;
  /** Instructions retired per iteration, and outside the loop (the final RET). */
  perIteration: number;
  fixed: number;
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
];
