import { describe, expect, it } from 'vitest';
import { assemble } from '../../../emulator/asm/index.ts';
import { byteCases } from './cases.ts';

const hexOf = (source: string, section = '.text', options = {}) => {
  const r = assemble(source, { symbols: { CTX_R15: 0x78 }, ...options });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return Buffer.from(r.sections.find((s) => s.name === section)?.bytes ?? []).toString('hex');
};

describe('assemble: bytes GNU as gives', () => {
  it.each(byteCases)('%s', (_name, source, hex) => {
    expect(hexOf(source)).toBe(hex);
  });

  it('pads data sections with zeros', () => {
    expect(hexOf('.data\n.byte 1\n.align 4\n.byte 2', '.data')).toBe('0100000002');
  });

  it('takes a label named after an object member as a label, not as a conditional', () => {
    expect(hexOf('constructor: nop\njmp constructor\ntostring:\n ret')).toBe('90ebfdc3');
  });

    it('uses lea-based NOPs for 32-bit code when assembling as --32 would', () => {
    expect(hexOf('ret\n.p2align 3\nret', '.text', { bits: 32 })).toBe('c3' + '8db42600000000' + 'c3');
  });
});

describe('assemble: symbols and section bases', () => {
  it('resolves absolute references against section bases', () => {
    const r = assemble('start: push $1f\nmov $start, %eax\n1: .quad start\n.data\nd: .long d', { sectionBases: { '.text': 0x400000n, '.data': 0x600000 } });
    expect(r.ok).toBe(true);
    const text = Buffer.from(r.sections[0].bytes).toString('hex');
    expect(text).toBe('680a004000' + 'b800004000' + '0000400000000000');
    expect(Buffer.from(r.sections.find((s) => s.name === '.data')!.bytes).toString('hex')).toBe('00006000');
  });

  it('lists labels and constants in the symbol table', () => {
    const r = assemble('.globl main\n.set K, 0x10\nmain: nop\nloop: jmp loop\n.data\nx: .byte 0', { sectionBases: { '.text': 0x1000 } });
    const table = Object.fromEntries(r.symbols.map((s) => [s.name, s]));
    expect(table.main).toMatchObject({ section: '.text', value: 0n, address: 0x1000n, global: true, line: 3 });
    expect(table.loop).toMatchObject({ section: '.text', value: 1n, address: 0x1001n, global: false, line: 4 });
    expect(table.K).toMatchObject({ section: null, value: 0x10n, line: 2 });
    expect(table.x).toMatchObject({ section: '.data', value: 0n });
  });

  it('takes supplied symbols as constants known from the start', () => {
    expect(hexOf('mov CTX_R15(%rdi), %r15\naddq $CTX_R15, %rax')).toBe('4c8b7f78' + '4883c078');
  });
});

describe('assemble: listing', () => {
  it('maps each source line to its section, offset and bytes, section by section', () => {
    const r = assemble('nop\n\n  push %rbp\n.data\n.word 7\n.text\nret');
    expect(r.listing.map((l) => [l.line, l.section, l.offset, Buffer.from(l.bytes).toString('hex')])).toEqual([
      [1, '.text', 0, '90'],
      [3, '.text', 1, '55'],
      [7, '.text', 2, 'c3'],
      [5, '.data', 0, '0700'],
    ]);
  });

  it('maps macro and .rept expansions back to the invocation line', () => {
    const r = assemble('.macro two\nnop\nnop\n.endm\ntwo\n.rept 2\nret\n.endr');
    expect(r.listing.map((l) => [l.line, Buffer.from(l.bytes).toString('hex')])).toEqual([
      [5, '9090'],
      [6, 'c3c3'],
    ]);
  });
});
