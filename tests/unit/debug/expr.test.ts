import { describe, expect, it } from 'vitest';
import { ExpressionError, parseExpression } from '../../../emulator/debug/expr.ts';
import { isRegisterName, readRegister } from '../../../emulator/debug/registers.ts';
import { Machine } from '../../../emulator/index.ts';

const regs: Record<string, bigint> = { rax: 0x10n, rbx: 0xffffffffffffffffn, rsp: 0x1000n, rcx: 3n };
const memory = new Map<bigint, number>([
  [0x1000n, 0x78], [0x1001n, 0x56], [0x1002n, 0x34], [0x1003n, 0x12], [0x1004n, 0], [0x1005n, 0], [0x1006n, 0], [0x1007n, 0x80],
]);
const ctx = {
  register: (name: string) => regs[name] ?? 0n,
  memory: (address: bigint, size: number) => {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(memory.get(address + BigInt(i)) ?? 0);
    return v;
  },
};
const known = (n: string) => n in regs;
const evaluate = (src: string) => parseExpression(src, known).evaluate(ctx);

describe('condition expressions', () => {
  it.each([
    ['rax == 0x10', 1n],
    ['rax == 0x10 && [rsp] != 0', 1n],
    ['rax != 16 || rcx == 4', 0n],
    ['[rsp]', 0x8000000012345678n],
    ['dword [rsp]', 0x12345678n],
    ['byte ptr [rsp + 1]', 0x56n],
    ['word [rsp+2] == 0x1234', 1n],
    ['rbx + 1', 0n],
    ['-1 == rbx', 1n],
    ['~0 == rbx', 1n],
    ['!rax', 0n],
    ['(rax + rcx) * 2', 38n],
    ['rax >> 4 | 1 << 8', 0x101n],
    ['rax & 0xf0 ^ 0x11', 0x01n],
    ['rcx % 2 == 1 && rcx / 2 == 1', 1n],
    ['rax > rcx && rcx >= 3 && rcx <= 3 && rcx < 4', 1n],
    ['1_000 == 0x3e8', 1n],
    ['0b1010 == 10', 1n],
    ['rax / 0', 0n],
    ['RAX == 0X10', 1n],
  ])('%s = %s', (src, value) => {
    expect(evaluate(src)).toBe(value);
  });

  it.each([
    ['', 'empty expression', 1],
    ['rax ==', 'the expression ends too early', 7],
    ['rax == = 1', "unexpected character '='", 8],
    ['rxa == 1', "unknown register 'rxa'", 1],
    ['[rsp', "expected ']' to close the memory reference", 5],
    ['[]', 'empty memory reference', 2],
    ['dword rsp', "expected '[' after 'dword'", 7],
    ['(rax', "expected ')' to close the parenthesis", 5],
    ['rax # 1', "unexpected character '#'", 5],
    ['12ab', "malformed number '12a'", 1],
    ['rax rcx', "unexpected 'rcx' after a complete expression", 5],
  ])('%j is rejected: %s at column %i', (src, message, column) => {
    try {
      parseExpression(src, known);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      expect((e as ExpressionError).shortMessage).toBe(message);
      expect((e as ExpressionError).column + 1).toBe(column);
      expect((e as ExpressionError).message).toContain(`at column ${column}`);
    }
  });
});

describe('register names for conditions and watchpoints', () => {
  const m = new Machine();
  m.setRegister('rax', 0x1122334455667788n);
  m.setRegister('r9', 0xa0b0c0d0e0f01020n);
  m.setRegister('rflags', 0x2n | 0x40n | 0x200n);
  it.each([
    ['rax', 0x1122334455667788n], ['eax', 0x55667788n], ['ax', 0x7788n], ['al', 0x88n], ['ah', 0x77n],
    ['r9', 0xa0b0c0d0e0f01020n], ['r9d', 0xe0f01020n], ['r9w', 0x1020n], ['r9b', 0x20n],
    ['zf', 1n], ['cf', 0n], ['if', 1n], ['eflags', 0x242n], ['cs', 0x8n], ['cpl', 0n], ['rip', 0n],
  ])('%s', (name, value) => {
    expect(isRegisterName(name)).toBe(true);
    expect(readRegister(m, name)).toBe(value);
  });
  it.each(['r16', 'xax', 'r7d', 'foo'])('%s is not a register', (name) => {
    expect(isRegisterName(name)).toBe(false);
  });
});
