import { describe, expect, it } from 'vitest';
import { Machine, parseScenario } from '../../../emulator/index.ts';
import { setUpScenario } from '../../../emulator/scenario/run.ts';
import { le, longMachine, qword } from './long-machine.ts';
import { toHex } from './helpers.ts';

const CODE_A = 0x10000;
const CODE_B = 0x11000;
const TSS_A = 0x5000;
const TSS_B = 0x5100;
const OUT = 0x40000;
const SEL_A = 0x18;
const SEL_B = 0x20;

interface Tss {
  eip: number;
  eflags?: number;
  eax?: number;
  esp?: number;
  cs?: number;
  ss?: number;
  ds?: number;
  /** The T (debug trap) flag. */
  trap?: boolean;
}

function tss32(t: Tss): string {
  const b = new DataView(new ArrayBuffer(0x68));
  b.setUint32(0x20, t.eip, true);
  b.setUint32(0x24, t.eflags ?? 2, true);
  b.setUint32(0x28, t.eax ?? 0, true);
  b.setUint32(0x38, t.esp ?? 0x9000, true);
  b.setUint16(0x48, t.ds ?? 0x10, true);
  b.setUint16(0x4c, t.cs ?? 0x08, true);
  b.setUint16(0x50, t.ss ?? 0x10, true);
  b.setUint16(0x54, t.ds ?? 0x10, true);
  b.setUint16(0x64, t.trap ? 1 : 0, true);
  return toHex(new Uint8Array(b.buffer));
}

const tssDescriptor = (base: number, limit = 0x67): string => le(BigInt(limit), 2) + le(BigInt(base & 0xffff), 2) + le(BigInt(base >> 16), 1) + '89' + '00' + '00';
const taskGate = (tss: number, dpl = 0): string => '0000' + le(BigInt(tss), 2) + '00' + le(BigInt(0x85 | (dpl << 5)), 1) + '0000';

interface Setup {
  codeA: string;
  codeB: string;
  b?: Tss;
  tssBLimit?: number;
  /** IDT entries (vector → 8-byte gate hex). */
  idt?: Record<number, string>;
}

/** protected32, flat code 0x08 and data 0x10, task A (current, TR 0x18), task B's TSS at 0x20, a task gate to B at 0x28. */
function machine(o: Setup): Machine {
  // 0x28: a task gate to B.
  const gdt = ['0000000000000000', 'ffff0000009acf00', 'ffff00000092cf00', tssDescriptor(TSS_A), tssDescriptor(TSS_B, o.tssBLimit), taskGate(SEL_B)].join('');
  const idt = Array.from({ length: 256 }, (_, v) => o.idt?.[v] ?? '0000000000000000').join('');
  const s = parseScenario({
    format: 'switchyard-scenario/1',
    cpu: {
      mode: 'protected32',
      regs: { rsp: '0x8000', rip: `0x${CODE_A.toString(16)}`, rflags: '0x2', rax: '0xaaaa' },
      gdtr: { base: '0x2000', limit: `0x${(gdt.length / 2 - 1).toString(16)}` },
      idtr: { base: '0x3000', limit: '0x7ff' },
      seg: { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', tr: `0x${SEL_A.toString(16)}` },
    },
    memory: [
      { addr: '0x2000', hex: gdt },
      { addr: '0x3000', hex: idt },
      { addr: `0x${TSS_A.toString(16)}`, hex: '00'.repeat(0x68) },
      { addr: `0x${TSS_B.toString(16)}`, hex: tss32(o.b ?? { eip: CODE_B, eax: 0x1234 }) },
      { addr: `0x${CODE_A.toString(16)}`, hex: o.codeA },
      { addr: `0x${CODE_B.toString(16)}`, hex: o.codeB },
    ],
  });
  return setUpScenario(s);
}

const dword = (m: Machine, at: number): number => Number(qword(m, at) & 0xffffffffn);
const word = (m: Machine, at: number): number => dword(m, at) & 0xffff;
/** The type nibble of a GDT descriptor (9 available TSS, 11 busy). */
const gdtType = (m: Machine, sel: number): number => m.read(0x2000 + sel + 5, 1)[0] & 0xf;

describe('far JMP and CALL through a memory operand', () => {
  it.each([
    ['JMP m16:32', 'ff2c2500000400', '78561200' + '0800', 0x125678n],
    ['JMP m16:16', '66ff2c2500000400', '7856' + '0800', 0x5678n],
    ['JMP m16:64', '48ff2c2500000400', '7856120000000000' + '0800', 0x125678n],
    ['CALL m16:32', 'ff1c2500000400', '78561200' + '0800', 0x125678n],
  ])('%s reads the offset and then the selector', (_name, code, pointer, target) => {
    const m = longMachine({ code, memory: { [OUT]: pointer } });
    m.deliverExceptions = false;
    m.run({ maxInstructions: 1 });
    expect(m.getRegister('rip')).toBe(target);
    expect(m.getRegister('cs')).toBe(0x8n);
  });
});

describe('hardware task switching (protected mode, 32-bit TSS)', () => {
  it('CALL to a TSS nests the task (back link, NT, both busy); IRET returns to the caller', () => {
    const m = machine({ codeA: '9a000000002000f4', codeB: 'a300000400cf' });
    expect(m.run({ maxInstructions: 20 }).reason).toBe('hlt');
    expect(dword(m, OUT)).toBe(0x1234);
    expect(m.getRegister('rip')).toBe(BigInt(CODE_A + 8));
    expect(m.getRegister('rax')).toBe(0xaaaan);
    expect(m.getRegister('tr')).toBe(BigInt(SEL_A));
    expect(word(m, TSS_B)).toBe(SEL_A);
    // B saved at its IRET: EIP after it, NT cleared in the image; B is available again, A still busy.
    expect(dword(m, TSS_B + 0x20)).toBe(CODE_B + 6);
    expect(dword(m, TSS_B + 0x24) & 0x4000).toBe(0);
    expect([gdtType(m, SEL_A), gdtType(m, SEL_B)]).toEqual([11, 9]);
    expect(m.getRegister('cr0') & 8n).toBe(8n);
    expect(m.getRegister('rflags') & 0x4000n).toBe(0n);
  });

  it.each([
    ['a TSS descriptor', 'ea000000002000'],
    ['a task gate', 'ea000000002800'],
  ])('JMP to %s switches without nesting: A saved and available, B busy, no back link', (_name, code) => {
    const m = machine({ codeA: code, codeB: 'f4' });
    expect(m.run({ maxInstructions: 20 }).reason).toBe('hlt');
    expect(m.getRegister('tr')).toBe(BigInt(SEL_B));
    expect(m.getRegister('rax')).toBe(0x1234n);
    expect(m.getRegister('rflags') & 0x4000n).toBe(0n);
    expect(dword(m, TSS_A + 0x20)).toBe(CODE_A + 7);
    expect(dword(m, TSS_A + 0x28)).toBe(0xaaaa);
    expect(word(m, TSS_A + 0x4c)).toBe(0x08);
    expect(word(m, TSS_B)).toBe(0);
    expect([gdtType(m, SEL_A), gdtType(m, SEL_B)]).toEqual([9, 11]);
  });

  it('INT n through a task gate runs the handler as a nested task; IRETD comes back after the INT', () => {
    const m = machine({ codeA: 'cd40f4', codeB: 'a300000400cf', idt: { 0x40: taskGate(SEL_B) } });
    const seen: string[] = [];
    m.exceptionObserver = { raised: (f) => seen.push(f.message), handled: () => {} };
    expect([m.run({ maxInstructions: 20 }).reason, ...seen]).toEqual(['hlt', 'vector 64: INT 0x40']);
    expect(dword(m, OUT)).toBe(0x1234);
    expect(m.getRegister('rip')).toBe(BigInt(CODE_A + 3));
    expect(word(m, TSS_B)).toBe(SEL_A);
  });

  // SDM Vol. 3B 17.3.1.1: a fault's EFLAGS image has RF = 1, also when saved in the old TSS; INT n keeps RF as it is.
  it.each([
    ['#UD (a fault) saves RF = 1', '0f0bf4', 6, 0x10002],
    ['INT n (software) saves RF as it is (0)', 'cd40f4', 0x40, 0x2],
  ])('a task gate in the IDT: %s in the old task\'s EFLAGS image', (_name, codeA, vector, eflags) => {
    const m = machine({ codeA, codeB: 'f4', idt: { [vector]: taskGate(SEL_B) } });
    expect(m.run({ maxInstructions: 20 }).reason).toBe('hlt');
    expect(m.getRegister('tr')).toBe(BigInt(SEL_B));
    expect(dword(m, TSS_A + 0x24)).toBe(eflags);
  });

  it('an exception through a task gate saves the faulting EIP and pushes its error code on the new task\'s stack', () => {
    const m = machine({ codeA: '66b834128ed8f4', codeB: '58a300000400f4', idt: { 13: taskGate(SEL_B) } });
    expect(m.run({ maxInstructions: 20 }).reason).toBe('hlt');
    expect(dword(m, OUT)).toBe(0x1234);
    expect(dword(m, TSS_A + 0x20)).toBe(CODE_A + 4);
    expect(m.getRegister('tr')).toBe(BigInt(SEL_B));
  });

  it.each([
    ['JMP to the busy current TSS', { codeA: 'ea000000001800', codeB: 'f4' }, '#GP', SEL_A, /TSS 0x18: the TSS is busy/],
    ['a TSS limit below 0x67', { codeA: 'ea000000002000', codeB: 'f4', tssBLimit: 0x40 }, '#TS', SEL_B, /limit 0x40 is below 0x67/],
    ['a new task whose CS is a data segment', { codeA: 'ea000000002000', codeB: 'f4', b: { eip: CODE_B, cs: 0x10 } }, '#TS', 0x10, /CS 0x10 is not a code segment/],
    ['a new task whose SS has the wrong RPL', { codeA: 'ea000000002000', codeB: 'f4', b: { eip: CODE_B, ss: 0x13 } }, '#TS', 0x10, /SS 0x13 has RPL 3/],
  ] as const)('%s faults with the selector as error code', (_name, setup, name, code, reason) => {
    const m = machine(setup);
    m.deliverExceptions = false;
    const r = m.run({ maxInstructions: 20 });
    expect(r.reason).toBe('fault');
    expect(r.fault).toMatchObject({ name, errorCode: code });
    expect(r.message).toMatch(reason);
  });

  it('a fault while loading the new task is raised in the new task, after the switch', () => {
    const m = machine({ codeA: 'ea000000002000', codeB: 'f4', b: { eip: CODE_B, cs: 0x10 } });
    m.deliverExceptions = false;
    const r = m.run({ maxInstructions: 20 });
    expect(r.fault?.rip).toBe(BigInt(CODE_B));
    expect(m.getRegister('tr')).toBe(BigInt(SEL_B));
  });

  it('a TSS with the T flag raises #DB (DR6.BT) before the new task\'s first instruction', () => {
    const m = machine({ codeA: 'ea000000002000', codeB: 'f4', b: { eip: CODE_B, trap: true } });
    m.deliverExceptions = false;
    const r = m.run({ maxInstructions: 20 });
    expect(r.fault).toMatchObject({ name: '#DB' });
    expect(r.message).toMatch(/T flag is set/);
    expect(m.getRegister('rip')).toBe(BigInt(CODE_B));
    expect(m.getRegister('tr')).toBe(BigInt(SEL_B));
    expect(m.cpu.dr[6] & 0x8000).toBe(0x8000);
  });

  it('IA-32e mode has no task switching: JMP to a TSS is #GP(selector)', () => {
    const m = longMachine({ code: 'ff2c2500000400', memory: { [OUT]: '00000000' + '3000' } });
    m.deliverExceptions = false;
    const r = m.run({ maxInstructions: 5 });
    expect(r.fault).toMatchObject({ name: '#GP', errorCode: 0x30 });
    expect(r.message).toMatch(/IA-32e mode has no task switching/);
  });
});
