import { describe, expect, it } from 'vitest';
import type { DebugEvent } from '../../../emulator/debug/events.ts';
import { expectSameState, fullState, type FullState } from './helpers.ts';
import { ROUND_TRIP, ROUND_TRIP_32, ROUND_TRIP_32_GATES, ROUND_TRIP_GATES as GATES } from './programs.ts';
import { GDT, IDT, IST1, PROLOGUE, PROLOGUE32, RSP0, kernel, kernel32, toUser, toUser32 } from './system.ts';



describe('an interrupt round trip through ring 3', () => {
  it('steps back from the end to the start reproducing every state, and forward again identically', () => {
    const { dbg, machine } = kernel(ROUND_TRIP, GATES, { checkpointInterval: 4 });
    const states: FullState[] = [fullState(machine)];
    for (;;) {
      const stop = dbg.step();
      states.push(fullState(machine));
      if (stop.reason !== 'step') {
        expect(stop.reason).toBe('hlt');
        break;
      }
    }
    expect(machine.cpu.cpl).toBe(0);
    expect(machine.getRegister('rbx')).toBe(0x30n + 2n);
    for (let p = states.length - 1; p >= 0; p--) {
      dbg.goto(p);
      expectSameState(fullState(machine), states[p], `position ${p}`);
    }
    for (let p = 1; p < states.length; p++) {
      dbg.step();
      expectSameState(fullState(machine), states[p], `replayed position ${p}`);
    }
  });

  // Going to a position replays in bursts on the fast path: across the traps and the returns, a
  // long replay must land on the same state as stepping there did.
  it.each([4, 64, 1_000_000])('goes to every position in a scrambled order (checkpoint every %i)', (interval) => {
    const { dbg, machine } = kernel(ROUND_TRIP, GATES, { checkpointInterval: interval });
    const states: FullState[] = [fullState(machine)];
    while (dbg.step().reason === 'step') states.push(fullState(machine));
    states.push(fullState(machine));
    const order = states.map((_, p) => p).sort((a, b) => ((a * 7919) % 101) - ((b * 7919) % 101));
    for (const p of order.filter((p) => p < states.length - 1)) {
      dbg.goto(p);
      expectSameState(fullState(machine), states[p], `goto ${p}`);
    }
  });

  it('logs the table loads, privilege changes, interrupts with their frames and stacks, and the returns', () => {
    const { dbg, address } = kernel(ROUND_TRIP, GATES);
    expect(dbg.continue().reason).toBe('hlt');
    const summary = dbg.events.map((e: DebugEvent) => {
      switch (e.kind) {
        case 'exception': return `${e.name} v${e.vector} ${e.outcome} cpl ${e.cplBefore}->${e.cplAfter} on ${e.stack}`;
        case 'privilege': return `cpl ${e.from}->${e.to} by ${e.cause}`;
        case 'return': return `${e.mnemonic} ${e.fromCpl}->${e.toCpl}`;
        case 'gdtr-load': case 'idtr-load': return `${e.kind} 0x${e.after.base.toString(16)}`;
        case 'tr-load': return `tr-load 0x${e.after.selector!.toString(16)}`;
        case 'table-write': return `write ${e.table}+${e.offset} by ${e.mnemonic}`;
        default: return e.kind;
      }
    });
    expect(summary).toEqual([
      `gdtr-load 0x${GDT.toString(16)}`,
      `idtr-load 0x${IDT.toString(16)}`,
      // LTR marks the TSS descriptor busy: a write into the GDT made by the CPU.
      'write gdt+53 by LTR',
      'tr-load 0x30',
      // IRETQ and the first INT set the accessed bits of the descriptors they load (SDM Vol. 3A, 3.4.5.1).
      'write gdt+45 by IRETQ',
      'write gdt+37 by IRETQ',
      'cpl 0->3 by IRETQ',
      'IRETQ 0->3',
      'write gdt+13 by INT',
      'vector 128 v128 delivered cpl 3->0 on rsp0',
      'cpl 3->0 by exception',
      'cpl 0->3 by IRETQ',
      'IRETQ 0->3',
      'vector 128 v128 delivered cpl 3->0 on rsp0',
      'cpl 3->0 by exception',
      'cpl 0->3 by IRETQ',
      'IRETQ 0->3',
      '#UD v6 delivered cpl 3->0 on ist1',
      'cpl 3->0 by exception',
    ]);
    const interrupts = dbg.events.filter((e) => e.kind === 'exception');
    const first = interrupts[0];
    if (first.kind !== 'exception') throw new Error('unreachable');
    // The frame the CPU pushed: RIP after INT, CS, RFLAGS, RSP, SS; on the TSS's RSP0 stack.
    expect(first.frame).toEqual([address('user') + 9n, 0x2bn, 0x202n, 0x50000n, 0x23n]);
    expect(first.stackPointer).toBe(BigInt(RSP0 - 40));
    expect(first.origin).toBe('software');
    const ud = interrupts[2];
    if (ud.kind !== 'exception') throw new Error('unreachable');
    expect(ud.stackPointer).toBe(BigInt(IST1 - 40));
    expect(ud.origin).toBe('exception');
    // Each event can be jumped to: the position is the attempt that caused it.
    dbg.goto(first.position);
    expect(dbg.machine.cpu.cpl).toBe(3);
    dbg.step();
    expect(dbg.machine.cpu.cpl).toBe(0);
    expect(dbg.machine.getRegister('rip')).toBe(address('syscall_entry'));
  });
});

describe('triple-fault forensics', () => {
  // Ring 3 executes HLT: #GP(0). IDT entry 13 is empty (type 0: #GP), which becomes #DF; entry 8 is empty too: shutdown.
  const CASCADE = `
    .text
start:
${PROLOGUE}
${toUser('user')}
user:
    nop
    hlt
`;

  it('freezes the machine with the chain of faults, each explained and tied to the instruction', () => {
    const { dbg, machine, address } = kernel(CASCADE, []);
    const stop = dbg.continue();
    expect(stop.reason).toBe('triple-fault');
    const hlt = address('user') + 1n;
    // Frozen, not reset: still in ring 3 at the HLT.
    expect(machine.getRegister('rip')).toBe(hlt);
    expect(machine.cpu.cpl).toBe(3);
    const tf = dbg.events.find((e) => e.kind === 'triple-fault');
    if (tf?.kind !== 'triple-fault') throw new Error('no triple-fault event');
    expect(tf.chain.map((c) => `${c.name}(${c.errorCode?.toString(16) ?? ''})`)).toEqual(['#GP(0)', '#GP(6b)', '#DF(0)', '#GP(43)']);
    expect(tf.chain.every((c) => c.rip === hlt)).toBe(true);
    expect(tf.chain[0].message).toMatch(/HLT/);
    expect(tf.chain[1].message).toMatch(/IDT entry 13 has type 0/);
    expect(tf.chain[3].message).toMatch(/IDT entry 8 has type 0/);
    expect(dbg.sources!.line(tf.rip)).toBe(CASCADE.split('\n').findIndex((l) => l.trim() === 'hlt') + 1);
    // The history before it stays reachable, and going forward again ends the same way.
    dbg.goto(tf.position);
    expect(machine.getRegister('rip')).toBe(hlt);
    expect(dbg.continue().reason).toBe('triple-fault');
    expect(dbg.events.filter((e) => e.kind === 'triple-fault').length).toBe(1);
  });

  it('a #DF that is delivered reports the faults that led to it', () => {
    const { dbg } = kernel(CASCADE + 'df: hlt\n', [{ vector: 8, label: 'df' }]);
    expect(dbg.continue().reason).toBe('hlt');
    const gp = dbg.events.find((e) => e.kind === 'exception');
    if (gp?.kind !== 'exception') throw new Error('no exception event');
    expect(gp.name).toBe('#GP');
    expect(gp.nested?.map((n) => n.name)).toEqual(['#GP', '#DF']);
    expect(gp.frame?.[0]).toBe(0n);
  });
});

describe('i386: PUSHAD stub, IRETD, ring 3 and back', () => {
  it('records and replays every state exactly, and logs the 32-bit frames on the TSS ESP0 stack', () => {
    const { dbg, machine, address } = kernel32(ROUND_TRIP_32, ROUND_TRIP_32_GATES, { checkpointInterval: 3 });
    const states: FullState[] = [fullState(machine)];
    for (let stop = dbg.step(); ; stop = dbg.step()) {
      states.push(fullState(machine));
      if (stop.reason !== 'step') {
        expect(stop.reason).toBe('hlt');
        break;
      }
    }
    expect(machine.getRegister('rbx')).toBe(7n + 0x10n + 0x20n);
    for (let p = states.length - 1; p >= 0; p--) {
      dbg.goto(p);
      expectSameState(fullState(machine), states[p], `position ${p}`);
    }
    const ints = dbg.events.filter((e) => e.kind === 'exception');
    expect(ints.map((e) => (e.kind === 'exception' ? `${e.name} ${e.stack}` : ''))).toEqual(['vector 128 rsp0', 'vector 128 rsp0', '#UD rsp0']);
    const first = ints[0];
    if (first.kind !== 'exception') throw new Error('unreachable');
    expect(first.frame).toEqual([address('user') + 12n, 0x1bn, 0x202n, 0x50000n, 0x23n]);
    expect(first.stackPointer).toBe(BigInt(RSP0 - 20));
    expect(dbg.warnings).toEqual([]);
  });

  it.each([
    ['0x202', '0x1b', '0x10', "#GP(0x10): IRETD: SS 0x10 has RPL 0 but CS's RPL is 3"],
    ['0x202', '0x18', '0x23', "#GP(0x18): IRETD: CS 0x18 has RPL 0 but its descriptor's DPL is 3"],
    ['0x202', '0x13', '0x23', '#GP(0x10): IRETD: CS 0x13 does not name a code segment'],
  ])('an IRETD frame (EFLAGS %s, CS %s, SS %s) that will fault: %s', (eflags, cs, ss, message) => {
    const { dbg } = kernel32(`
    .text
${PROLOGUE32}
${toUser32('user', eflags, cs, ss)}
user:
    nop
`, []);
    dbg.continue(100);
    expect(dbg.warnings.find((w) => w.check === 'iret-frame-faults')?.message).toContain(message);
  });
});

describe('SYSCALL, SWAPGS, SYSRET and CR3 loads in the event log', () => {
  const wrmsr = (msr: number, value: bigint) => `
    mov $${msr}, %ecx
    mov $${value & 0xffffffffn}, %eax
    mov $${value >> 32n}, %edx
    wrmsr`;
  const SYSCALLS = `
    .text
${PROLOGUE}
${wrmsr(0xc0000080, 0xd01n)}
${wrmsr(0xc0000081, (0x18n << 48n) | (0x08n << 32n))}
    lea entry(%rip), %rax
    mov %rax, %rdx
    shr $32, %rdx
    mov $0xc0000082, %ecx
    wrmsr
${wrmsr(0xc0000084, 0x200n)}
${wrmsr(0xc0000102, 0x7000n)}
    mov %cr3, %rax
    mov %rax, %cr3
${toUser('user')}
user:
    syscall
    ud2
entry:
    swapgs
    mov %gs:0, %r8
    swapgs
    sysretq
`;

  it('logs the entry, both SWAPGS, the return to ring 3 and a CR3 reload of the same value', () => {
    const withHalt = kernel(SYSCALLS + 'halt: hlt\n', [{ vector: 6, label: 'halt' }]);
    expect(withHalt.dbg.continue().reason).toBe('hlt');
    const kinds = withHalt.dbg.events
      .filter((e) => e.kind !== 'gdtr-load' && e.kind !== 'idtr-load' && e.kind !== 'tr-load' && e.kind !== 'table-write')
      .map((e) => {
        switch (e.kind) {
          case 'privilege': return `cpl ${e.from}->${e.to} by ${e.cause}`;
          case 'swapgs': return `swapgs gs=0x${e.gsBase.toString(16)}`;
          case 'return': return `${e.mnemonic} ${e.fromCpl}->${e.toCpl}`;
          case 'exception': return e.name;
          default: return e.kind;
        }
      });
    expect(kinds).toEqual([
      'cr3-load',
      'cpl 0->3 by IRETQ', 'IRETQ 0->3',
      'cpl 3->0 by SYSCALL',
      'swapgs gs=0x7000',
      'swapgs gs=0x0',
      'cpl 0->3 by SYSRETQ', 'SYSRETQ 0->3',
      '#UD', 'cpl 3->0 by exception',
    ]);
    expect(withHalt.dbg.warnings).toEqual([]);
  });
});

describe('an interrupt raised from outside while stopped', () => {
  it('is delivered before the next instruction, and the recording starts after it', () => {
    const { dbg, machine, address } = kernel(`
    .text
${PROLOGUE}
${toUser('user')}
user:
    add $1, %rbx
    jmp user
tick:
    incq %r15
    iretq
`, [{ vector: 32, label: 'tick' }], { checkpointInterval: 4 });
    dbg.runTo(address('user'));
    dbg.step();
    machine.raiseInterrupt(32);
    dbg.stateEdited();
    const start = dbg.position;
    const forward: FullState[] = [];
    for (let i = 0; i < 12; i++) {
      dbg.step();
      forward.push(fullState(machine));
    }
    dbg.goto(start);
    expect(machine.getRegister('rip')).toBe(address('tick'));
    for (let i = 0; i < 12; i++) {
      dbg.step();
      expectSameState(fullState(machine), forward[i], `step ${i + 1}`);
    }
    for (let i = 11; i >= 0; i--) {
      dbg.goto(start + i + 1);
      expectSameState(fullState(machine), forward[i], `back at ${start + i + 1}`);
    }
  });
});
