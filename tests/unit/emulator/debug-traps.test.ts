import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/index.ts';
import { CODE, LOG, handlerAt, longMachine, qwords } from './long-machine.ts';
import { bytes } from './helpers.ts';

/** #DB handler: appends the saved RIP to the list at RBX (through R15), then IRETQ. */
const RECORD_RIP = '4c8b3c244c893b4883c30848cf';
const KERNEL_ENTRY = 0x50000;
const STAR = '0x18000800000000'; // SYSCALL CS 0x08 / SS 0x10; SYSRET CS 0x2b / SS 0x23

interface StepCase {
  name: string;
  code: string;
  rflags?: string;
  cpl?: 0 | 3;
  handlers?: Record<number, string>;
  msr?: Record<string, string>;
  memory?: Record<number, string>;
  /** Saved RIPs of the single-step traps, in order (absolute). */
  traps: number[];
}

const cases: StepCase[] = [
  { name: 'POPF that sets TF traps only after the next instruction', code: '9c48810c24000100009d9090f4', traps: [CODE + 11, CODE + 12] },
  { name: 'POPF that clears TF still traps after itself', code: '906a029d90f4', rflags: '0x102', traps: [CODE + 1, CODE + 3, CODE + 4] },
  { name: 'MOV SS holds the trap back to after the next instruction (one trap)', code: '668cd08ed09090f4', rflags: '0x102', traps: [CODE + 3, CODE + 6, CODE + 7] },
  { name: 'INT n clears TF for its handler and does not trap; IRETQ restoring TF traps after the next instruction', code: 'cd4090f4', rflags: '0x102', handlers: { 0x40: '48cf' }, traps: [CODE + 3] },
  {
    name: 'SYSCALL whose IA32_FMASK masks TF does not trap into the kernel; SYSRET restoring TF traps at the user RIP',
    code: '0f05900f0b', rflags: '0x302', cpl: 3, msr: { star: STAR, lstar: `0x${KERNEL_ENTRY.toString(16)}`, sfmask: '0x100' },
    memory: { [KERNEL_ENTRY]: '90480f07' }, traps: [CODE + 2, CODE + 3],
  },
  {
    name: 'SYSCALL that leaves TF set traps at the kernel entry',
    code: '0f05900f0b', rflags: '0x302', cpl: 3, msr: { star: STAR, lstar: `0x${KERNEL_ENTRY.toString(16)}`, sfmask: '0x0' },
    memory: { [KERNEL_ENTRY]: '90480f07' }, traps: [KERNEL_ENTRY, KERNEL_ENTRY + 1, CODE + 2, CODE + 3],
  },
  { name: 'INT1 (ICEBP) is a #DB trap through a DPL 0 gate even from CPL 3', code: 'f1f4', cpl: 3, traps: [CODE + 1] },
  { name: 'a faulting instruction does not trap: the fault is delivered instead', code: '0f0b', rflags: '0x102', traps: [] },
];

describe('single-step and debug traps', () => {
  it.each(cases)('$name', (c) => {
    const m = longMachine({
      code: c.code, cpl: c.cpl, rflags: c.rflags, msr: c.msr, memory: c.memory,
      regs: { rbx: `0x${LOG.toString(16)}` },
      handlers: { 1: RECORD_RIP, ...c.handlers },
    });
    const r = m.run({ maxInstructions: 200 });
    expect(r.reason).toBe('hlt');
    const count = (Number(m.getRegister('rbx')) - LOG) / 8;
    expect(qwords(m, LOG, count)).toEqual(c.traps.map(BigInt));
  });

  it('single-step sets DR6.BS; ICEBP leaves DR6 alone', () => {
    const stepped = longMachine({ code: '90f4', rflags: '0x102', handlers: { 1: '0f21f0f4' } }); // mov rax, dr6; hlt
    expect(stepped.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(stepped.getRegister('rax')).toBe(0xffff4ff0n);
    const icebp = longMachine({ code: 'f1f4', handlers: { 1: '0f21f0f4' } });
    expect(icebp.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(icebp.getRegister('rax')).toBe(0xffff0ff0n);
    expect(icebp.getRegister('rip')).toBe(BigInt(handlerAt(1) + 4));
  });

  it('the #DB frame holds the RFLAGS with TF set and the handler runs with TF clear', () => {
    const m = longMachine({ code: '90f4', rflags: '0x102', handlers: { 1: '9c58f4' } }); // pushfq; pop rax; hlt
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rax') & 0x100n).toBe(0n);
    const rsp = Number(m.getRegister('rsp'));
    expect(qwords(m, rsp, 3)).toEqual([BigInt(CODE + 1), 0x8n, 0x102n]);
  });

  it('without IDT delivery a single-step trap stops the run after the instruction', () => {
    const m = new Machine({ ramSize: 0x100000 });
    m.load(0x1000, bytes('4889c3 90'));
    m.setRegister('rip', 0x1000n);
    m.setRegister('rflags', 0x102n);
    const r = m.run({ maxInstructions: 10 });
    expect(r.reason).toBe('fault');
    expect(r.fault).toMatchObject({ vector: 1, name: '#DB', rip: 0x1003n, mnemonic: 'MOV' });
    expect(r.message).toBe('#DB: MOV: single-step trap (RFLAGS.TF was set when it began)');
    expect(r.instructions).toBe(1);
    expect(m.getRegister('rip')).toBe(0x1003n);
  });

  it('MOV to and from DR0-DR7 keeps the values', () => {
    const m = longMachine({ code: '0f23f8 0f21fb 0f21f1 f4', regs: { rax: '0x401' } });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rbx')).toBe(0x401n);
    expect(m.getRegister('rcx')).toBe(0xffff0ff0n);
  });

  // mov eax, 0x10010; mov dr0, rax; mov eax, 1; mov dr7, rax; nop (at 0x10010); hlt
  const ARM_DR0 = 'b810000100 0f23c0 b801000000 0f23f8 90 f4';

  it('an instruction breakpoint (DR0, DR7.L0) is a #DB fault before the instruction; the handler resumes with RF', () => {
    // Record the RIP, set RF in the frame, IRETQ.
    const m = longMachine({ code: ARM_DR0, regs: { rbx: `0x${LOG.toString(16)}` }, handlers: { 1: '4c8b3c244c893b4883c30848814c24100000010048cf' } });
    expect(m.run({ maxInstructions: 30 }).reason).toBe('hlt');
    expect(qwords(m, LOG, 2)).toEqual([BigInt(CODE + 0x10), 0n]);
    expect(m.getRegister('rip')).toBe(BigInt(CODE + 0x12));
    expect(m.cpu.dr[6] & 0xf).toBe(1);
  });

  it('without IDT delivery an instruction breakpoint stops the run at the instruction', () => {
    const m = longMachine({ code: ARM_DR0 });
    m.deliverExceptions = false;
    const r = m.run({ maxInstructions: 30 });
    expect(r.fault).toMatchObject({ name: '#DB', rip: BigInt(CODE + 0x10) });
    expect(r.message).toBe('#DB: instruction breakpoint DR0 at 0x10010');
    expect(r.instructions).toBe(4);
  });

  it('DR4 reads as DR6 while CR4.DE is clear, and is #UD when it is set', () => {
    const m = longMachine({ code: '0f21e1 0f21f2 f4' });
    expect(m.run({ maxInstructions: 5 }).reason).toBe('hlt');
    expect(m.getRegister('rcx')).toBe(m.getRegister('rdx'));
    const de = longMachine({ code: '0f21e1 f4' });
    de.setRegister('cr4', de.getRegister('cr4') | 8n);
    de.deliverExceptions = false;
    expect(de.run({ maxInstructions: 5 }).message).toBe('#UD: MOV DR4: CR4.DE is set, so DR4 does not exist');
  });
});
