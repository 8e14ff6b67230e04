import { describe, expect, it } from 'vitest';
import { exampleFor } from '../../../renderer/src/lib/editor/examples.ts';
import { hoverText } from '../../../renderer/src/lib/editor/features.ts';

describe('examples in the preferred syntax', () => {
  it.each([
    ['movq', 'att', 'Example (AT&T): `movq %rax, 8(%rdi)`'],
    ['movq', 'intel', 'Example (Intel): `mov qword ptr [rdi + 8], rax`'],
    ['pushad', 'att', 'Example (AT&T): `pushal`'],
    ['IRETQ', 'intel', 'Example (Intel): `iretq`'],
  ] as const)('hover on %s in %s shows %s', (word, syntax, line) => {
    const text = hoverText(word, syntax);
    expect(text).toContain(line);
    expect(text).not.toContain(syntax === 'att' ? 'Intel' : 'AT&T');
  });

  it.each(['MOV', 'LEA', 'TEST', 'INVLPG', 'MOVZX', 'LGDT'])('%s: Intel example has no AT&T sigils and AT&T has them', (mnemonic) => {
    const intel = exampleFor(mnemonic, 'intel')!;
    const att = exampleFor(mnemonic, 'att')!;
    expect(intel).not.toMatch(/[%$]/);
    expect(att).toMatch(/%/);
  });

  it('an unknown word has no hover', () => {
    expect(hoverText('frobnicate', 'intel')).toBeUndefined();
  });
});
