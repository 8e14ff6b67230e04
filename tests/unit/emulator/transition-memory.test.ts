import { describe, expect, it } from 'vitest';
import { CODE, handlerAt, longMachine, qwords } from './long-machine.ts';
import { MSR } from '../../../emulator/cpu/state.ts';

/**
 * Exception frames, IRETQ frames, gates and descriptors are accessed through one TLB lookup when they
 * lie in one page the TLB already maps: the outcome must be that of the accesses one by one.
 */
describe('kernel transitions touch memory as the accesses one by one would', () => {
  const INT80 = 'cd80';
  // A store just below RSP maps the stack page into the write TLB before the INT.
  const WARM = '48c74424f800000000';

  it.each([
    ['cold stack page, frame inside it', 0x8800, ''],
    ['warm stack page, frame inside it', 0x8800, WARM],
    ['cold, frame crossing a page boundary', 0x8010, ''],
    ['warm, frame crossing a page boundary', 0x8010, WARM],
    ['warm, frame ending at the top of a page', 0x9000, WARM],
  ])('INT n from ring 0 pushes RIP, CS, RFLAGS, RSP, SS in order: %s', (_name, rsp, before) => {
    const m = longMachine({ code: before + INT80, regs: { rsp: `0x${rsp.toString(16)}` }, rflags: '0x246' });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(0x80) + 1));
    const newRsp = (rsp & ~15) - 40;
    expect(m.getRegister('rsp')).toBe(BigInt(newRsp));
    const after = CODE + before.length / 2 + 2;
    expect(qwords(m, newRsp, 5)).toEqual([BigInt(after), 0x08n, 0x246n, BigInt(rsp), 0x10n]);
  });

  it('a frame with an error code (a #GP from ring 3) lands on RSP0 with the code below RIP', () => {
    // MOV to CR0 at CPL 3: #GP(0), frame on the TSS's RSP0 (0x9000); the store before it warms the user stack page only.
    const m = longMachine({ code: WARM + '0f22c0', cpl: 3 });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(13) + 1));
    // RF is set in the pushed RFLAGS: a fault-class exception (SDM Vol. 3B, 17.3.1.1).
    expect(qwords(m, 0x9000 - 48, 6)).toEqual([0n, BigInt(CODE + 9), 0x2bn, 0x10002n, 0x8000n, 0x23n]);
  });

  it('the time-travel journal sees every slot an exception frame writes, also once the stack page is in the TLB', () => {
    const m = longMachine({ code: WARM + INT80 });
    m.step();
    const writes: [number, number][] = [];
    m.cpu.mem.writeObserver = (physical, size) => {
      writes.push([physical, size]);
    };
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    const frame = writes.filter(([at]) => at >= 0x8800 - 40 && at < 0x8800);
    expect(frame.reduce((n, [, size]) => n + size, 0)).toBe(40);
  });

  it('a read watchpoint sees the IRETQ frame and the descriptors it loads', () => {
    // push SS, RSP, RFLAGS, CS, target; IRETQ to the HLT after it.
    const target = CODE + 13;
    const code = '6a10 54 9c 6a08 68' + target.toString(16).padStart(8, '0').match(/../g)!.reverse().join('') + '48cf f4';
    const m = longMachine({ code });
    const reads: number[] = [];
    m.cpu.mem.readObserver = (physical) => reads.push(physical);
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(target + 1));
    const frameBase = 0x8800 - 40;
    for (let slot = 0; slot < 5; slot++) expect(reads).toContain(frameBase + 8 * slot);
    // The GDT entries of CS 0x08 and SS 0x10.
    expect(reads).toContain(0x2008);
    expect(reads).toContain(0x2010);
  });

  it('a descriptor rewritten in memory between two returns is read again: the second IRETQ sees the new one', () => {
    // IRETQ once with SS 0x10, then clear the P bit of GDT entry 2 (movb $0x12, 0x2015) and IRETQ again: #SS(0x10).
    const frame = (to: number) => '6a10 54 9c 6a08 68' + to.toString(16).padStart(8, '0').match(/../g)!.reverse().join('') + '48cf';
    const code = frame(CODE + 13) + 'c604251520000012' + frame(CODE + 13);
    const m = longMachine({ code });
    expect(m.run({ maxInstructions: 20 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(12) + 1));
    expect(qwords(m, Number(m.getRegister('rsp')), 2)).toEqual([0x10n, BigInt(CODE + 32)]);
  });

  it('SYSCALL goes where LSTAR points after a WRMSR changes it, and a cleared MSR file reads as zero', () => {
    // wrmsr LSTAR = handler 0x80's HLT, then syscall.
    const to = handlerAt(0x80);
    const code = 'b9820000c0 b8' + to.toString(16).padStart(8, '0').match(/../g)!.reverse().join('') + ' 31d2 0f30 0f05';
    const m = longMachine({ code, msr: { star: '0x001b000800000000', lstar: `0x${handlerAt(0x81).toString(16)}`, sfmask: '0x0' } });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(to + 1));
    m.cpu.msr.clear();
    expect([m.cpu.msr.lstar, m.cpu.msr.syscallCs, m.cpu.msr.sysretCs, m.cpu.msr.sfmask]).toEqual([0, 0, 0, 0]);
    m.cpu.msr.set(MSR.STAR, 0x0023_0010_0000_0000n);
    expect([m.cpu.msr.syscallCs, m.cpu.msr.sysretCs]).toEqual([0x10, 0x23]);
  });
});
