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
