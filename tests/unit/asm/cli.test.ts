import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../backend/cli/main.ts';
import type { CliIO } from '../../../backend/cli/io.ts';

function capture(): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', stderrIsTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const dir = mkdtempSync(join(tmpdir(), 'asm-cli-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('switchyard asm', () => {
  it('prints the JSON contract and exits 0', async () => {
    const io = capture();
    const code = await main(['asm', file('ok.s', 'restore:\n  push 16(%rdi)\n  push (%rdi)\n'), '--json'], io);
    expect(code).toBe(0);
    expect(JSON.parse(io.out)).toEqual({
      ok: true,
      sections: [{ name: '.text', hex: 'ff7710ff37' }],
      symbols: { restore: { section: '.text', offset: '0x0' } },
      listing: [
        { line: 2, section: '.text', offset: '0x0', hex: 'ff7710' },
        { line: 3, section: '.text', offset: '0x3', hex: 'ff37' },
      ],
      diagnostics: [],
    });
  });

  it('honours --bits', async () => {
    const io = capture();
    expect(await main(['asm', file('b.s', 'push %eax\n'), '--bits', '32', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out).sections[0].hex).toBe('50');
  });

  it('reports errors GNU-as style with a caret and exits 1', async () => {
    const io = capture();
    const p = file('bad.s', 'nop\n  iretq %rax\n');
    expect(await main(['asm', p], io)).toBe(1);
    expect(io.err).toBe(`${p}:2:3: error: \`iretq\` takes no operands\n    iretq %rax\n    ^~~~~~~~~~\n`);
  });

  it('keeps ok false and lists diagnostics in JSON mode', async () => {
    const io = capture();
    expect(await main(['asm', file('bad2.s', 'mov $1, %rxx\n'), '--json'], io)).toBe(1);
    const json = JSON.parse(io.out);
    expect(json.ok).toBe(false);
    expect(json.diagnostics[0]).toEqual({ severity: 'error', line: 1, column: 9, endLine: 1, endColumn: 13, message: 'unknown register %rxx; did you mean %rax?' });
  });

  it.each([
    [['asm'], 'FILE is missing'],
    [['asm', 'x.s', '--bits', '48'], '--bits takes 16, 32 or 64'],
    [['asm', 'x.s', '--frobnicate'], "unknown option '--frobnicate'"],
    [['asm', join(dir, 'missing.s')], 'cannot read'],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const io = capture();
    expect(await main(args, io)).toBe(2);
    expect(io.err).toContain(message);
  });
});
