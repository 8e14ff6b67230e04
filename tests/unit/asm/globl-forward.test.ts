import { describe, expect, it } from 'vitest';
import { assemble } from '../../../emulator/asm/index.ts';

// Bytes from GNU as linked by ld at address 0: a name declared `.globl` before its label is a forward reference.
const cases: Array<[string, string, string]> = [
  ['jmp, call, mov $ and .quad to a label declared global first', '.globl g\njmp g\ncall g\nmovq $g, %rdi\n.quad g\ng: ret', 'eb14e80f00000048c7c7160000001600000000000000c3'],
  ['call to a global label defined after it', '.globl g\nf: call g\ng: ret', 'e800000000c3'],
  ['global label defined before use', 'g: ret\n.globl g\ncall g', 'c3e8faffffff'],
];

describe('assemble: .globl before the label', () => {
  it.each(cases)('%s', (_name, source, hex) => {
    const r = assemble(source);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(Buffer.from(r.sections[0].bytes).toString('hex')).toBe(hex);
  });

  it('reports a global that is never defined instead of using address 0', () => {
    const r = assemble('.globl nowhere\ncall nowhere');
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0].message).toContain('undefined symbol `nowhere`');
  });
});
