import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/index.ts';
import { TSS_BASE, handlerAt, le, longMachine, qword } from './long-machine.ts';
import { bytes, toHex } from './helpers.ts';

const BUFFER = 0x40000;
/** I/O map base 0x68; the bitmap covers ports 0..0x3ff and ends at the TSS limit 0xe8. */
const MAP_BASE = 0x68;
const TSS_LIMIT = 0xe8;
const bitmap = (): string => {
  const map = new Uint8Array(0x80);
  map[0x60 >> 3] = 0x01; // port 0x60 denied
  map[0xe8 >> 3] = 0x04; // port 0xea denied (0xe9 allowed)
  return toHex(map);
};

interface IoCase {
  name: string;
  code: string;
  cpl?: 0 | 3;
  rflags?: string;
  regs?: Record<string, string>;
  /** The vector whose handler ends the run: 6 (the closing UD2) or 13 (#GP). */
  vector: 6 | 13;
  console?: string;
  rax?: bigint;
}

const cases: IoCase[] = [
  { name: 'OUT to an allowed port at CPL 3 reaches the debug console', code: 'b041e6e90f0b', cpl: 3, vector: 6, console: 'A' },
  { name: 'OUT to a port whose bitmap bit is set is #GP(0)', code: 'e6600f0b', cpl: 3, vector: 13 },
  { name: 'the neighbouring port is allowed', code: 'e6610f0b', cpl: 3, vector: 6 },
  { name: 'a word access checks both bytes (0xe8, 0xe9 allowed)', code: '66bae80066ef0f0b', cpl: 3, vector: 6 },
  { name: 'a doubleword access checks all four bytes (0xea denied)', code: '66bae800ef0f0b', cpl: 3, vector: 13 },
  { name: 'port 0x3ff: its bitmap bytes are within the TSS limit', code: '66baff03ec0f0b', cpl: 3, vector: 6, rax: 0xffn },
  { name: 'port 0x400: its bitmap bytes lie beyond the TSS limit', code: '66ba0004ec0f0b', cpl: 3, vector: 13 },
  { name: 'IOPL 3 allows every port at CPL 3', code: 'e6600f0b', cpl: 3, rflags: '0x3002', vector: 6 },
  { name: 'CPL 0 is never checked', code: 'e6600f0b', vector: 6 },
  { name: 'IN from the debug console port reads 0xE9', code: 'e4e90f0b', cpl: 3, vector: 6, rax: 0xe9n },
  { name: 'REP OUTSB writes a string to the console', code: 'f36e0f0b', cpl: 3, regs: { rsi: `0x${BUFFER.toString(16)}`, rcx: '0x3', rdx: '0xe9' }, vector: 6, console: 'Hi\n' },
  { name: 'REP OUTSB to a denied port faults before writing anything', code: 'f36e0f0b', cpl: 3, regs: { rsi: `0x${BUFFER.toString(16)}`, rcx: '0x3', rdx: '0xea' }, vector: 13, console: '' },
];

describe('IN, OUT, INS, OUTS and the TSS I/O permission bitmap', () => {
  it.each(cases)('$name', (c) => {
    const m = longMachine({
      code: c.code, cpl: c.cpl, rflags: c.rflags, regs: c.regs, tssLimit: TSS_LIMIT,
      memory: { [TSS_BASE + 0x66]: le(BigInt(MAP_BASE), 2) + bitmap(), [BUFFER]: toHex(new TextEncoder().encode('Hi\n')) },
    });
    expect(m.run({ maxInstructions: 100 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(c.vector) + 1));
    if (c.vector === 13) expect(qword(m, Number(m.getRegister('rsp')))).toBe(0n);
    if (c.console !== undefined) expect(m.debugConsole).toBe(c.console);
    if (c.rax !== undefined) expect(m.getRegister('rax') & 0xffn).toBe(c.rax);
  });

  it('REP INSB stores what the port reads (all ones for a port with no device)', () => {
    const m = longMachine({ code: 'f36c0f0b', regs: { rdi: `0x${BUFFER.toString(16)}`, rcx: '0x2', rdx: '0x61' } });
    m.run({ maxInstructions: 100 });
    expect(toHex(m.read(BUFFER, 3))).toBe('ffff00');
    expect(m.getRegister('rdi')).toBe(BigInt(BUFFER + 2));
  });

  it('without a TSS, I/O above IOPL is #GP(0) and the message says why', () => {
    const m = new Machine({ ramSize: 0x100000, mode: 'protected32', cpl: 3 });
    m.load(0x1000, bytes('e6e9'));
    m.setRegister('rip', 0x1000n);
    const r = m.run({ maxInstructions: 10 });
    expect(r.fault).toMatchObject({ name: '#GP', errorCode: 0, rip: 0x1000n });
    expect(r.message).toBe('#GP(0x0): OUT port 0xe9 (1 byte): CPL 3 is above IOPL 0 and TR (0x0) holds no 32- or 64-bit TSS with an I/O permission bitmap');
  });

  it('a denied port names the bitmap word and bits', () => {
    const m = longMachine({ code: 'e660', cpl: 3, tssLimit: TSS_LIMIT, memory: { [TSS_BASE + 0x66]: le(BigInt(MAP_BASE), 2) + bitmap() } });
    m.deliverExceptions = false;
    expect(m.run({ maxInstructions: 10 }).message).toBe('#GP(0x0): OUT port 0x60 (1 byte): CPL 3 is above IOPL 0 and the TSS I/O bitmap denies it (bitmap word 0x1 at TSS offset 0x74, bits 0..0)');
  });
});
