import { describe, expect, it } from 'vitest';
import { run } from './helpers.ts';

describe('cached links from a branch to its last target', () => {
  it('a CALL whose target page is rewritten runs the new bytes, not the instruction it linked to before', () => {
    // ecx = 2; ebx = 0; L: call f; add ebx, eax; mov byte [f+1], 2; dec ecx; jnz L; jmp end
    const loop = 'b902000000 31db e8f40f0000 01c3 c605ec0f000002 ffc9 75ee e9e80f0000'.replace(/\s+/g, '');
    // f, on the next page (only that page's decoded code is dropped by the store): mov eax, 1; ret
    const f = 'b801000000 c3';
    const out = run(loop + 'cc'.repeat(0x1000 - loop.length / 2) + f);
    expect(out.result.reason).toBe('breakpoint');
    // The first call returns 1, the second the patched 2.
    expect(out.reg('rbx')).toBe(3n);
  });

  it('a loop branch followed a million times still leaves on the fall-through when its condition changes', () => {
    // mov ecx, 1000000; L: dec ecx; jnz L; mov eax, 7
    const out = run('b940420f00 ffc9 75fc b807000000', { maxInstructions: 3_000_000 });
    expect([out.result.reason, out.reg('rax'), out.reg('rcx')]).toEqual(['breakpoint', 7n, 0n]);
  });
});
