import { describe, expect, it } from 'vitest';
import { AF, CF, OF, PF, SF, STATUS, ZF, run } from './helpers.ts';

type Row = [text: string, hex: string, inputs: Record<string, bigint>, flagsIn: bigint, expected: Record<string, bigint>, flagsOut: bigint, flagMask?: bigint];

// Expected values worked out from the Intel SDM's definitions (and checked against the host CPU by tests/conformance/native).
const rows: Row[] = [
  ['add rax,rbx (wrap to zero)', '4801d8', { rax: 0xffffffffffffffffn, rbx: 1n }, 0n, { rax: 0n }, CF | PF | AF | ZF],
  ['add rax,rbx (signed overflow)', '4801d8', { rax: 0x7fffffffffffffffn, rbx: 1n }, 0n, { rax: 0x8000000000000000n }, OF | SF | AF | PF],
  ['adc eax,1 (carry in, zero-extends)', '83d001', { rax: 0xfffffffffffffffen }, CF, { rax: 0n }, CF | PF | AF | ZF],
  ['sub cl,dl (borrow, upper bits kept)', '28d1', { rcx: 0x1234000000000010n, rdx: 0x20n }, 0n, { rcx: 0x12340000000000f0n }, CF | PF | SF],
  ['sbb ax,0x1234 (borrow in)', '661d3412', { rax: 0x1234n }, CF, { rax: 0xffffn }, CF | PF | AF | SF],
  ['neg rax (zero)', '48f7d8', { rax: 0n }, CF, { rax: 0n }, ZF | PF],
  ['neg rax (most negative)', '48f7d8', { rax: 0x8000000000000000n }, 0n, { rax: 0x8000000000000000n }, CF | PF | SF | OF],
  ['inc qword [rdi] keeps CF', '48ff07', {}, CF, {}, CF],
  ['xor eax,eax clears rax', '31c0', { rax: 0xffffffffffffffffn }, CF | OF, { rax: 0n }, ZF | PF],
  ['test al,0x80', 'a880', { rax: 0x80n }, 0n, { rax: 0x80n }, SF, CF | PF | ZF | SF | OF],
  ['and rax,-16', '4883e0f0', { rax: 0x123456789n }, CF, { rax: 0x123456780n }, 0n, CF | PF | ZF | SF | OF],
  ['or rax,rbx', '4809d8', { rax: 0x8000000000000000n, rbx: 1n }, 0n, { rax: 0x8000000000000001n }, SF, CF | PF | ZF | SF | OF],
  ['cmp rax,rbx (less, signed)', '4839d8', { rax: 0xffffffffffffffffn, rbx: 1n }, 0n, { rax: 0xffffffffffffffffn }, SF, STATUS],
  ['imul rax,rbx,7 (overflow)', '486bc307', { rbx: 0x2000000000000000n }, 0n, { rax: 0xe000000000000000n }, CF | OF, CF | OF],
  ['mul rbx (128-bit product)', '48f7e3', { rax: 0xffffffffffffffffn, rbx: 2n }, 0n, { rax: 0xfffffffffffffffen, rdx: 1n }, CF | OF, CF | OF],
  ['div rcx', '48f7f1', { rax: 100n, rdx: 0n, rcx: 7n }, 0n, { rax: 14n, rdx: 2n }, 0n, 0n],
  ['idiv ecx (negative dividend)', 'f7f9', { rax: 0xfffffff9n, rdx: 0xffffffffn, rcx: 2n }, 0n, { rax: 0xfffffffdn, rdx: 0xffffffffn }, 0n, 0n],
  ['shl rax,cl (count 1 sets OF)', '48d3e0', { rax: 0x8000000000000001n, rcx: 1n }, 0n, { rax: 2n }, CF | OF, CF | OF | ZF | SF],
  ['shl rax,cl (count 64 is masked to 0)', '48d3e0', { rax: 5n, rcx: 64n }, CF | ZF, { rax: 5n }, CF | ZF, STATUS],
  ['sar eax,1', 'd1f8', { rax: 0xffffffff80000001n }, 0n, { rax: 0xc0000000n }, CF | SF | PF, CF | SF | ZF | PF | OF],
  ['rol bl,3', 'c0c303', { rbx: 0x81n }, CF, { rbx: 0x0cn }, 0n, CF],
  ['rcr dx,1 (through carry)', '66d1da', { rdx: 2n }, CF, { rdx: 0x8001n }, OF, CF | OF],
  ['shld rax,rbx,4', '480fa4d804', { rax: 0x0123456789abcdefn, rbx: 0xf000000000000000n }, 0n, { rax: 0x123456789abcdeffn }, 0n, CF | ZF | SF],
  ['shrd eax,ebx,cl', '0fadd8', { rax: 0x1n, rbx: 0x2n, rcx: 1n }, 0n, { rax: 0n }, CF | ZF | PF, CF | ZF | PF | SF],
];

describe('arithmetic, logic, multiply/divide and shifts', () => {
  it.each(rows)('%s', (_text, hex, inputs, flagsIn, expected, flagsOut, mask = STATUS) => {
    const o = run(hex, { regs: inputs, flags: flagsIn, data: '0000000000000000' });
    expect(o.result.reason, o.result.message).toBe('breakpoint');
    for (const [name, value] of Object.entries(expected)) expect(`${name}=0x${o.reg(name).toString(16)}`).toBe(`${name}=0x${value.toString(16)}`);
    expect(`0x${(o.flags & mask).toString(16)}`).toBe(`0x${(flagsOut & mask).toString(16)}`);
  });
});

describe('divide errors', () => {
  it.each([
    ['div rcx by zero', '48f7f1', { rcx: 0n }, 'DIV: divisor is zero'],
    ['idiv ecx overflow', 'f7f9', { rax: 0x80000000n, rdx: 0xffffffffn, rcx: 0xffffffffn }, 'IDIV: the quotient 2147483648 does not fit in 32 bits'],
  ] as const)('%s raises #DE with RIP at the instruction', (_t, hex, regs, reason) => {
    const o = run(hex, { regs: { ...regs } });
    expect(o.result.reason).toBe('fault');
    expect(o.result.fault?.name).toBe('#DE');
    expect(o.result.fault?.reason).toBe(reason);
    expect(o.reg('rip')).toBe(0x1000n);
    expect(o.result.instructions).toBe(0);
  });
});
