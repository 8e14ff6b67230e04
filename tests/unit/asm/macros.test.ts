import { describe, expect, it } from 'vitest';
import { assemble } from '../../../emulator/asm/index.ts';

const hex = (source: string) => {
  const r = assemble(source);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return Buffer.from(r.sections[0].bytes).toString('hex');
};

describe('macro language', () => {
  it.each([
    ['%expr arguments in .altmacro', '.altmacro\n.macro b v\n.byte v\n.endm\ni=5\nb %i\nb %(i*2)+1', '.byte 5\n.byte 11'],
    ['<...> quoting with ! escapes', '.altmacro\n.macro s t\n.ascii "t"\n.endm\ns <a!>b>', '.ascii "a>b"'],
    ['LOCAL names differ per expansion', '.altmacro\n.macro l\nLOCAL x\nx: jmp x\n.endm\nl\nl', '1: jmp 1b\n2: jmp 2b'],
    ['normal-mode arguments split at commas even inside parentheses', '.macro t a, b\n.byte \\a\\b\n.endm\nt (1,2)', '.byte (12)'],
    ['keyword arguments and defaults', '.macro k a=1, b=2\n.byte \\a, \\b\n.endm\nk b=7\nk 3', '.byte 1, 7\n.byte 3, 2'],
    ['vararg collects the rest', '.macro v first, rest:vararg\n.byte \\first\n.byte \\rest\n.endm\nv 1, 2, 3', '.byte 1\n.byte 2, 3'],
    ['\\() separates and \\@ counts expansions', '.macro c n\nl\\n\\()x\\@: .byte \\@\n.endm\nc 1\nc 1', '.byte 0\n.byte 1'],
    ['.irpc over characters', '.irpc d, 123\n.byte \\d\n.endr', '.byte 1, 2, 3'],
    ['.exitm leaves the macro', '.macro e\n.byte 1\n.exitm\n.byte 2\n.endm\ne', '.byte 1'],
    ['.struct lays out absolute offsets until a section directive', '.struct 0\na: .skip 8\nb: .long 0\nc:\n.text\n.byte a, b, c', '.byte 0, 8, 12'],
    ['.eqv is evaluated where it is used', 'x = 1\n.eqv y, x + 1\n.byte y\nx = 5\n.byte y', '.byte 2, 6'],
    ['.ifeqs / .ifnes compare quoted strings', '.ifeqs "a", "a"\n.byte 1\n.endif\n.ifnes "a", "b"\n.byte 2\n.endif', '.byte 1, 2'],
    ['.ifc compares text up to the comma', '.ifc a b ,a b\n.byte 1\n.endif\n.ifnc "a", a\n.byte 2\n.endif', '.byte 1, 2'],
    ['.ifnotdef', '.ifnotdef nothing\n.byte 9\n.endif', '.byte 9'],
    ['a trailing & joins an .altmacro parameter to what follows', '.altmacro\n.macro j a, b\n.byte a&b\n.endm\nj 1, 2', '.byte 12'],
    ['LOCAL inside a string declares nothing', '.altmacro\n.macro q x\n.ascii "LOCAL x"\n.endm\nq 7', '.ascii "LOCAL 7"'],
    ['several LOCAL names, fresh in each expansion', '.altmacro\n.macro m a\nLOCAL l, k\nl: k: .byte a\njmp l\n.endm\nm 3\nm 4', '1: 2: .byte 3\njmp 1b\n3: 4: .byte 4\njmp 3b'],
    ['.irp substitutes bare names in .altmacro', '.altmacro\n.irp v, 1, 2\n.byte v\n.endr', '.byte 1, 2'],
    ['&name substitutes in normal mode too', '.macro n a\n.byte \\a, &a\n.endm\nn 5', '.byte 5, 5'],
  ])('%s', (_name, source, equivalent) => {
    expect(hex(source)).toBe(hex(equivalent));
  });

  it('reports an unknown directive in a macro body once, at the body line, with the invocation', () => {
    const r = assemble('.macro STUB n\n\t.fooz \\n\n\tpushq $\\n\n.endm\n.rept 256\n\tSTUB 1\n.endr');
    expect(r.diagnostics).toEqual([
      {
        severity: 'error', line: 2, column: 2, endLine: 2, endColumn: 10, message: 'unknown directive `.fooz`',
        related: [
          { line: 6, column: 2, endLine: 6, endColumn: 8, message: 'in macro `STUB` at line 2, invoked from line 6' },
          { line: 5, column: 1, endLine: 5, endColumn: 10, message: 'in `.rept` at line 6, expanded from line 5' },
        ],
      },
    ]);
  });

  it('names a directive it does not support, once', () => {
    const r = assemble('.incbin "x.bin"\nnop');
    expect(r.diagnostics.map((d) => d.message)).toEqual(['`.incbin` (binary includes) is not supported by this assembler']);
  });

  it('puts the bytes of a macro on the invoking line in the listing', () => {
    const r = assemble('.macro two\nnop\nnop\n.endm\n\ttwo');
    expect(r.listing.map((l) => l.line)).toEqual([5]);
  });

  it('rejects redefining a macro and a bad parameter qualifier', () => {
    const r = assemble('.macro m\n.endm\n.macro m\n.endm\n.macro q a:opt\n.endm');
    expect(r.diagnostics.map((d) => [d.line, d.message])).toEqual([
      [3, 'macro `m` is already defined on line 1 (`.purgem m` first to redefine it)'],
      [5, '`opt` is not a valid parameter qualifier for `a` in macro `q` (use :req or :vararg)'],
    ]);
  });
});
