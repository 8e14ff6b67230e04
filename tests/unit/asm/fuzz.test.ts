// Random and mutated input never makes the assembler throw, hang or report an internal error.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assemble, type AssembleResult } from '../../../emulator/asm/index.ts';

const corpusDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'conformance', 'gas', 'corpus');
const corpusLines = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.s'))
  .flatMap((f) => readFileSync(join(corpusDir, f), 'utf8').split('\n'))
  .filter((l) => l.trim() !== '');

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tokens = ['%rax', '%eax', '$', '(', ')', ',', '[', ']', '*', ':', '.', '1f', '1b', '0x', '"', "'", '\\', '#', ';', '/*', '*/', '.macro m', '.endm', '.rept 3', '.endr', '.if 1', '.else', '.endif', 'qword ptr', '.intel_syntax noprefix', '.att_syntax', '.code32', '.code16', 'lock', 'rep', '%fs:', '-', '<<', '\u00e9', '\u0000', '.org 100', '.align 8', '.byte', 'label:', '1:', '=', '.set x, x+1', '\\@', '\\a'];

function check(source: string, options = {}): AssembleResult {
  const started = performance.now();
  let result: AssembleResult | undefined;
  expect(() => {
    result = assemble(source, options);
  }, source).not.toThrow();
  const elapsed = performance.now() - started;
  expect(elapsed, `took ${elapsed.toFixed(0)} ms:\n${source.slice(0, 300)}`).toBeLessThan(3000);
  const r = result!;
  const lines = source.split('\n').length;
  for (const d of r.diagnostics) {
    expect(d.message, source.slice(0, 300)).not.toMatch(/internal (assembler )?error/);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(Math.max(lines, 1));
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.endColumn).toBeGreaterThan(d.column);
  }
  expect(r.ok).toBe(!r.diagnostics.some((d) => d.severity === 'error'));
  return r;
}

function mutate(line: string, next: () => number): string {
  const chars = [...line];
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (chars.length + 1));
    const op = Math.floor(next() * 4);
    if (op === 0 && chars.length) chars.splice(Math.min(at, chars.length - 1), 1);
    else if (op === 1) chars.splice(at, 0, String.fromCharCode(32 + Math.floor(next() * 95)));
    else if (op === 2 && chars.length > 1) {
      const b = Math.floor(next() * chars.length);
      const a = Math.min(at, chars.length - 1);
      [chars[a], chars[b]] = [chars[b], chars[a]];
    } else chars.splice(at, 0, ` ${tokens[Math.floor(next() * tokens.length)]} `);
  }
  return chars.join('');
}

describe('assembler fuzz', () => {
  it.each([1, 2, 3, 4])('mutated corpus lines never throw (seed %i)', (seed) => {
    const next = rng(seed);
    for (let i = 0; i < 150; i++) {
      const block: string[] = [];
      const n = 1 + Math.floor(next() * 8);
      for (let j = 0; j < n; j++) {
        const line = corpusLines[Math.floor(next() * corpusLines.length)];
        block.push(next() < 0.7 ? mutate(line, next) : line);
      }
      check(block.join('\n'), { bits: next() < 0.5 ? 64 : 32 });
    }
  });

  it('random token soup never throws', () => {
    const next = rng(99);
    for (let i = 0; i < 300; i++) {
      const parts: string[] = [];
      const n = Math.floor(next() * 12);
      for (let j = 0; j < n; j++) parts.push(tokens[Math.floor(next() * tokens.length)]);
      check(parts.join(next() < 0.5 ? ' ' : '\n'), { bits: ([16, 32, 64] as const)[i % 3] });
    }
  });

  it.each([
    ['self-recursive macro', '.macro r\nr\n.endm\nr', 'nested more than'],
    ['mutually recursive macros', '.macro a\nb\n.endm\n.macro b\na\n.endm\na', 'nested more than'],
    ['huge .rept', '.rept 1000000000\nnop\n.endr', 'too many'],
    ['nested .rept that multiplies', '.rept 1000\n.rept 1000\nnop\n.endr\n.endr', 'statements'],
    ['huge .fill', '.fill 1000000000, 8, 1', 'too large'],
    ['huge .skip', '.skip 0x7fffffffffff', 'too large'],
    ['.org far away', '.org 0x7fffffff', 'larger than'],
    ['huge alignment', 'nop\n.p2align 30', 'larger than'],
    ['self-referencing .set', '.set a, a + 1\n.byte a', ''],
    ['unterminated string', '.ascii "abc', 'missing closing'],
    ['unterminated macro', '.macro m\nnop', 'without a matching'],
    ['a macro whose argument doubles each time', '.macro m a\nm \\a\\a\n.endm\nm x', 'longer than'],
    ['deeply nested parentheses', `.byte ${'('.repeat(5000)}1${')'.repeat(5000)}`, 'nested more than'],
    ['a very long operator chain', `.byte ${Array(20000).fill('1').join('+')}`, 'more than 4096 operators'],
    ['a long run of unary minus', `.byte ${'-'.repeat(10000)}1`, 'nested more than'],
  ])('%s ends with a clear error', (_name, source, message) => {
    const r = check(source);
    if (message) expect(r.diagnostics.map((d) => d.message).join('\n')).toContain(message);
  });

  it('a very long line and many labels stay fast', () => {
    check(`.byte ${Array.from({ length: 20000 }, (_, i) => i & 0xff).join(', ')}`);
    check(Array.from({ length: 5000 }, (_, i) => `l${i}: jmp l${(i * 7919) % 5000}`).join('\n'));
  });
});
