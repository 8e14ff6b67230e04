import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/index.ts';
import { CODE, DATA, bytes, run, toHex } from './helpers.ts';

function machineWith(hex: string, at = CODE): Machine {
  const m = new Machine({ ramSize: 0x100000 });
  m.load(at, bytes(hex));
  m.setRegister('rip', BigInt(at));
  m.setRegister('rsp', 0x20000n);
  return m;
}

describe('run API', () => {
  it('enforces the instruction budget on a runaway loop', () => {
    const m = machineWith('ebfe');
    expect(m.run({ maxInstructions: 1000 })).toEqual({ reason: 'limit', instructions: 1000 });
    expect(m.getRegister('rip')).toBe(BigInt(CODE));
  });

  it('bounds a repeated string instruction by the budget too', () => {
    const m = machineWith('f3aa');
    m.setRegister('rcx', 0xffffffffffffn);
    m.setRegister('rdi', 0x10000n);
    const r = m.run({ maxInstructions: 3 });
    expect(r.reason).toBe('limit');
    expect(r.instructions).toBe(0);
    expect(m.getRegister('rcx')).toBe(0xffffffffffffn - 3n * 4096n);
  });

  it('stops at HLT with RIP after it', () => {
    const m = machineWith('90f4');
    expect(m.run({ maxInstructions: 10 })).toEqual({ reason: 'hlt', instructions: 2 });
    expect(m.getRegister('rip')).toBe(BigInt(CODE + 2));
  });

  it('stops before a breakpoint, and resumes from it', () => {
    const m = machineWith('ffc0ffc0ffc0f4');
    expect(m.run({ maxInstructions: 10, breakpoints: [BigInt(CODE + 4)] }).reason).toBe('breakpoint');
    expect(m.getRegister('rax')).toBe(2n);
    expect(m.run({ maxInstructions: 10, breakpoints: [BigInt(CODE + 4)] }).reason).toBe('hlt');
    expect(m.getRegister('rax')).toBe(3n);
  });

  it('steps one instruction at a time', () => {
    const m = machineWith('ffc0ffc0');
    expect(m.step()).toEqual({ reason: 'limit', instructions: 1 });
    expect(m.getRegister('rip')).toBe(BigInt(CODE + 2));
  });

  it('reports an exception thrown inside the run as an emulator error, never throwing', () => {
    const m = machineWith('90909090');
    m.beforeInstruction = () => {
      throw new Error('boom');
    };
    const r = m.run({ maxInstructions: 10 });
    expect(r.reason).toBe('error');
    expect(r.message).toContain('boom');
  });

  it('calls the before-instruction hook and stops when it returns true', () => {
    const m = machineWith('ffc0ffc0ffc0f4');
    let seen = 0;
    m.beforeInstruction = () => ++seen === 3;
    expect(m.run({ maxInstructions: 10 }).reason).toBe('breakpoint');
    expect(m.getRegister('rax')).toBe(2n);
  });

  it('reports every write to the write observer', () => {
    const m = machineWith('48890748894708');
    m.setRegister('rdi', BigInt(DATA));
    const writes: [number, number][] = [];
    m.cpu.mem.writeObserver = (p, n) => {
      writes.push([p, n]);
    };
    m.run({ maxInstructions: 2 });
    expect(writes).toEqual([[DATA, 8], [DATA + 8, 8]]);
  });

  it('rejects unknown register names', () => {
    expect(() => new Machine().getRegister('rxx')).toThrow("unknown register 'rxx'");
  });
});

describe('memory', () => {
  it.each([
    ['qword across a page boundary', 0x8ffc, '488907488b1f', 'rbx'],
    ['dword at an odd address', 0x8001, '8907 8b1f', 'rbx'],
  ] as const)('%s', (_t, where, hex, out) => {
    const o = run(hex, { regs: { rdi: BigInt(where), rax: 0x1122334455667788n } });
    expect(o.result.reason, o.result.message).toBe('breakpoint');
    const expected = hex.startsWith('48') ? 0x1122334455667788n : 0x55667788n;
    expect(o.reg(out)).toBe(expected);
  });

  it('invalidates decoded instructions when code is overwritten (self-modifying code)', () => {
    // mov byte [rip+1], 0xc3... : patches the following "inc eax" (ffc0) into "inc ecx" (ffc1)
    const o = run('c605 01000000 c1 ffc0', {});
    expect(o.result.reason, o.result.message).toBe('breakpoint');
    expect(o.reg('rax')).toBe(0n);
    expect(o.reg('rcx')).toBe(1n);
  });

  it('re-decodes after the same code is run twice with a store in between', () => {
    const m = machineWith('ffc0 c3');
    m.load(0x30000, bytes('f4'));
    m.load(0x20000 - 8, bytes('0000030000000000'));
    m.setRegister('rsp', 0x20000n - 8n);
    m.run({ maxInstructions: 10 });
    m.load(CODE, bytes('ffc1'));
    m.setRegister('rip', BigInt(CODE));
    m.setRegister('rsp', 0x20000n - 8n);
    m.run({ maxInstructions: 10 });
    expect(m.getRegister('rax')).toBe(1n);
    expect(m.getRegister('rcx')).toBe(1n);
  });

  it('decodes an instruction that spans two pages', () => {
    const m = machineWith('48b8 8877665544332211 f4', 0x1ffc);
    expect(m.run({ maxInstructions: 5 }).reason).toBe('hlt');
    expect(m.getRegister('rax')).toBe(0x1122334455667788n);
  });

  it('reads back what was loaded, untouched memory as zeros', () => {
    const m = new Machine({ ramSize: 0x10000 });
    m.load(0xffe, bytes('aabbccdd'));
    expect(toHex(m.read(0xffc, 8))).toBe('0000aabbccdd0000');
  });

  it('refuses to load beyond physical memory', () => {
    expect(() => new Machine({ ramSize: 0x10000 }).load(0xffff, bytes('0102'))).toThrow('cannot load 2 bytes at 0xffff: physical memory is 0x10000 bytes');
  });
});
