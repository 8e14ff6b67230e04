import { describe, expect, it } from 'vitest';
import { CheckExprError, parseExpr, type Scope } from '../../../exercises/engine/expr.ts';

const scope = (values: Record<string, bigint>): Scope => ({ get: (p) => values[p] });
const vars = { 'in.rax': 5n, rax: 5n, 'ctx.r12': 9n, '&ctx': 0x20000n, 'sizeof:ctx': 0x90n, 'in.big': 0xffffffffffffffffn };

describe('checks language', () => {
  it.each([
    ['1 + 2 * 3', '7'],
    ['(1 + 2) * 3', '9'],
    ['1 << 4 + 1', '32'],
    ['0x10 | 0b1', '17'],
    ['1_000', '1000'],
    ['rax == in.rax', '1'],
    ['ctx.r12 != 9', '0'],
    ['&ctx + sizeof(ctx)', '131216'],
    ['in.big + 1', '0'],
    ['0 - 1', '18446744073709551615'],
    ['~0', '18446744073709551615'],
    ['s64(in.big) < 0', '1'],
    ['in.big < 0', '0'],
    ['u32(in.big)', '4294967295'],
    ['bit(0x800, 11)', '1'],
    ['bits(0xabcd, 11, 4)', '188'],
    ['!0 && 1 || 0', '1'],
    ['7 / 2 + 7 % 2', '4'],
    ['-1 >> 63', '1'],
    ['true', '1'],
  ])('%s = %s', (src, value) => {
    expect(parseExpr(src).eval(scope(vars)).toString()).toBe(value);
  });

  it.each([
    ['', 'the expression is empty', 1],
    ['rax ==', 'expected a value (a number, a name like `in.rax`, or `(`), found the end', 7],
    ['rax = 1', '`=` is not an operator here; compare with `==`', 5],
    ['(rax == 1', 'expected `)`, found the end', 10],
    ['rax == 1 == 1', 'comparisons do not chain: use `&&` between `==` and `==`', 10],
    ['foo(1)', 'unknown function `foo`; known: s64, u32, u16, u8, bit, bits, sizeof', 1],
    ['bit(1)', '`bit` takes 2 arguments, got 1', 1],
    ['12ab', '`12a` is not a number', 1],
    ['rax $ 1', 'unexpected character `$`', 5],
    ['rax rbx', 'expected an operator or the end, found `rbx`', 5],
  ])('%j fails: %s (column %d)', (src, message, column) => {
    let error: unknown;
    try { parseExpr(src); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(CheckExprError);
    expect((error as CheckExprError).message).toBe(message);
    expect((error as CheckExprError).column).toBe(column);
  });

  it('lists the names an expression reads', () => {
    expect(parseExpr('ctx.rax == in.rax + sizeof(ctx) + &stack').names.sort()).toEqual(['&stack', 'ctx.rax', 'in.rax', 'sizeof:ctx']);
  });

  it('reports an unknown name when evaluated', () => {
    expect(() => parseExpr('nope + 1').eval(scope({}))).toThrow('`nope` is not known here');
  });
});
