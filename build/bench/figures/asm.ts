// asm.file500_ms: re-assembling a realistic 500-line kernel file after a one-character edit, as
// the editor does on every keystroke. asm.file500_cold_ms: the same with the assembler's caches
// emptied first (the op-code tables themselves stay built). Each run reports the fastest of a few
// edits, so that a busy machine's scheduling noise does not dominate a millisecond-scale figure.
import type { Figure } from '../figure.ts';
import { assemble, clearAssemblerCaches } from '../../../emulator/asm/index.ts';

/** A kernel-like file: context save/restore, interrupt stubs from a macro, syscall entry, data. */
export function realisticSource(edit: number): string {
  const lines: string[] = [
    '.set CTX_RAX, 0x00',
    '.set CTX_RBX, 0x08',
    '.set CTX_RSP, 0x38',
    '.set CTX_RIP, 0x80',
    '.set CTX_RFLAGS, 0x88',
    '.macro STUB n',
    '.p2align 3',
    'isr\\n:',
    'pushq $0',
    'pushq $\\n',
    'jmp isr_common',
    '.endm',
    '.text',
  ];
  const regs = ['rbx', 'rcx', 'rdx', 'rsi', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
  for (let t = 0; lines.length < 440; t++) {
    lines.push(`save_${t}:`);
    regs.forEach((r, i) => lines.push(`\tmovq %${r}, ${8 + i * 8}(%rdi)`));
    lines.push(
      '\tleaq 8(%rsp), %rax',
      '\tmovq %rax, CTX_RSP(%rdi)',
      '\tpushfq',
      '\tpopq CTX_RFLAGS(%rdi)',
      `\tcmpq $${t === 0 ? edit : t}, %rsi`,
      '\tjne 1f',
      '\tmovl $1, %eax',
      '1:\tret',
    );
    lines.push(`restore_${t}:`);
    regs.forEach((r, i) => lines.push(`\tmovq ${8 + i * 8}(%rdi), %${r}`));
    lines.push(
      '\tpushq $0x10',
      '\tpushq CTX_RSP(%rdi)',
      '\tpushq CTX_RFLAGS(%rdi)',
      '\tpushq $0x08',
      '\tpushq CTX_RIP(%rdi)',
      '\tmovq CTX_RAX(%rdi), %rax',
      '\tiretq',
    );
  }
  for (let v = 0; lines.length < 470; v++) lines.push(`\tSTUB ${v}`);
  lines.push(
    'isr_common:',
    '\tpushq %rax',
    '\tpushq %rdi',
    '\tmovq %rsp, %rdi',
    '\tcall save_0',
    '\tpopq %rdi',
    '\tpopq %rax',
    '\taddq $16, %rsp',
    '\tiretq',
    '.data',
    'table:',
  );
  while (lines.length < 500) lines.push(`\t.quad save_${lines.length % 5}, restore_${lines.length % 5}`);
  return `${lines.join('\n')}\n`;
}

function timeOnce(source: string): number {
  const t0 = performance.now();
  const result = assemble(source);
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(`benchmark source does not assemble: ${result.diagnostics[0]?.message}`);
  return ms;
}

const EDITS_PER_RUN = 5;
let edits = 0;
export const figures: Figure[] = [
  {
    name: 'asm.file500_ms',
    unit: 'ms',
    runs: 11,
    measure: async () => {
      if (edits === 0) for (let i = 0; i < 5; i++) timeOnce(realisticSource(1000 + i));
      let best = Infinity;
      for (let i = 0; i < EDITS_PER_RUN; i++) best = Math.min(best, timeOnce(realisticSource(++edits)));
      return best;
    },
  },
  {
    name: 'asm.file500_cold_ms',
    unit: 'ms',
    runs: 7,
    measure: async () => {
      let best = Infinity;
      for (let i = 0; i < EDITS_PER_RUN; i++) {
        clearAssemblerCaches();
        best = Math.min(best, timeOnce(realisticSource(++edits)));
      }
      return best;
    },
  },
];
