import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import emulate from '../../../backend/cli/commands/emulate.ts';
import type { CliIO } from '../../../backend/cli/io.ts';

function capture(): { io: CliIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t), stderrIsTTY: false }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'emulate-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const scenario = {
  format: 'switchyard-scenario/1',
  cpu: { mode: 'protected32', regs: { rip: '0x1000', rsp: '0x8000' }, gdtr: { base: '0x2000', limit: '0x17' }, seg: { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10' } },
  memory: [
    { addr: '0x1000', hex: 'b82a000000a300700000f4' }, // mov eax, 42; mov [0x7000], eax; hlt
    { addr: '0x2000', hex: '0000000000000000ffff0000009acf00ffff00000092cf00' },
  ],
  dump: [{ addr: '0x7000', len: '0x4' }],
};

describe('switchyard emulate', () => {
  it('gives the same result in every execution mode, and names a mode it does not know', async () => {
    // A long64 loop hot enough to be compiled: mov ecx, 5000; L: add rax, rcx; shl rax, 1; dec rcx; jnz L; hlt
    const loop = {
      format: 'switchyard-scenario/1',
      ramSize: '0x400000',
      cpu: {
        mode: 'long64',
        regs: { rsp: '0x7000', rip: '0x10000', rflags: '0x2' },
        cr0: '0x80000033', cr3: '0x1000', cr4: '0x20', efer: '0x500',
        gdtr: { base: '0x2000', limit: '0x3f' },
        idtr: { base: '0x3000', limit: '0xfff' },
        seg: { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', fs: '0x0', gs: '0x0', tr: '0x30', ldtr: '0x0' },
      },
      memory: [
        { addr: '0x10000', hex: 'b9881300004801c848d1e048ffc975f5f4' },
        { addr: '0x2000', hex: '0000000000000000' + 'ffff0000009aaf00' + 'ffff00000092cf00' + '0'.repeat(48) + '6700005000890000' + '0000000000000000' },
        { addr: '0x1000', hex: '0340000000000000' },
        { addr: '0x4000', hex: '0350000000000000' },
        { addr: '0x5000', hex: '8300000000000000' },
      ],
    };
    const path = file('loop.json', JSON.stringify(loop));
    const outputs: unknown[] = [];
    for (const mode of ['compiled', 'blocks', 'interpreter']) {
      const c = capture();
      expect(await emulate.run([path, '--execution', mode], c.io)).toBe(0);
      outputs.push(JSON.parse(c.out.join('')));
    }
    expect((outputs[0] as { stop: string }).stop).toBe('hlt');
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
    await expect(emulate.run([path, '--execution', 'jit'], capture().io)).rejects.toThrow("--execution 'jit': expected compiled, blocks or interpreter");
  });

  it('prints the result and exits 0', async () => {
    const c = capture();
    expect(await emulate.run([file('ok.json', JSON.stringify(scenario))], c.io)).toBe(0);
    const result = JSON.parse(c.out.join(''));
    expect(result.stop).toBe('hlt');
    expect(result.cpu.mode).toBe('protected32');
    expect(result.cpu.regs.rax).toBe('0x2a');
    expect(result.memory).toEqual([{ addr: '0x7000', hex: '2a000000' }]);
  });

  it.each([
    ['a bad field', () => file('bad.json', JSON.stringify({ ...scenario, cpu: { ...scenario.cpu, regs: { rax: '12' } } })), 'cpu.regs.rax: expected a 0x-prefixed hex string, got "12"'],
    ['invalid JSON', () => file('broken.json', '{'), 'is not valid JSON'],
    ['a missing file', () => join(dir, 'absent.json'), 'cannot read'],
  ])('exits 2 on %s, naming the problem on stderr', async (_name, path, message) => {
    const c = capture();
    expect(await emulate.run([path()], c.io)).toBe(2);
    expect(c.err.join('')).toContain(message);
    expect(c.out).toEqual([]);
  });
});
