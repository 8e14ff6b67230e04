import { describe, expect, it } from 'vitest';
import { debug } from './helpers.ts';
import { CONTEXT_SWITCH } from './programs.ts';

const lineOf = (source: string, text: string): number => source.split('\n').findIndex((l) => l.includes(text)) + 1;

describe('stepping and breakpoints', () => {
  it('stops at an address breakpoint on every pass and reports the source line', () => {
    const { dbg, symbol } = debug(CONTEXT_SWITCH);
    const bp = dbg.addBreakpoint({ address: symbol('switch_to') });
    const hits: number[] = [];
    for (;;) {
      const stop = dbg.continue();
      if (stop.reason !== 'breakpoint') {
        expect(stop.reason).toBe('hlt');
        break;
      }
      expect(stop.breakpoint).toBe(bp.id);
      expect(stop.rip).toBe(symbol('switch_to'));
      expect(stop.line).toBe(lineOf(CONTEXT_SWITCH, 'switch_to:') + 1);
      hits.push(stop.position);
    }
    // Five switches to task B and five back.
    expect(hits.length).toBe(10);
    expect(dbg.listBreakpoints()[0].hits).toBe(10);
  });

  it.each([
    ['rcx == 3', 1],
    ['rcx == 3 && [rsp] == 3', 1],
    ['rcx >= 2 && rcx <= 4', 3],
    ['ecx == 7', 0],
    ['byte [rsp] == 5', 1],
  ])('conditional breakpoint %s on the push fires %i times', (condition, times) => {
    const { dbg, symbol } = debug(CONTEXT_SWITCH);
    dbg.addBreakpoint({ address: symbol('loop') + 1n, condition });
    let n = 0;
    while (dbg.continue().reason === 'breakpoint') n++;
    expect(n).toBe(times);
  });

  it('sets breakpoints by source line (blank lines move to the next instruction)', () => {
    const { dbg, symbol } = debug(CONTEXT_SWITCH);
    const line = lineOf(CONTEXT_SWITCH, 'task_b_entry:');
    const bp = dbg.addBreakpoint({ line });
    expect(bp.address).toBe(Number(symbol('task_b_entry')));
    expect(bp.line).toBe(line + 1);
    expect(dbg.continue()).toMatchObject({ reason: 'breakpoint', rip: symbol('task_b_entry') });
    expect(() => dbg.addBreakpoint({ line: 10_000 })).toThrow(/line 10000: no instruction/);
    expect(() => dbg.addBreakpoint({ address: 0, condition: 'rax == ' })).toThrow(/ends too early at column 8/);
  });

  it('steps over a CALL that switches stacks: it comes back after the other task switched back', () => {
    const { dbg, machine, symbol } = debug(CONTEXT_SWITCH);
    const call = lineOf(CONTEXT_SWITCH, 'call switch_to');
    expect(dbg.runToLine(call).line).toBe(call);
    const before = dbg.position;
    const stop = dbg.stepOver();
    expect(stop.reason).toBe('step');
    expect(stop.line).toBe(call + 1);
    expect(stop.position).toBeGreaterThan(before + 20);
    expect(machine.getRegister('rsp')).toBe(0x80000n - 8n);
    // A plain instruction is one step.
    expect(dbg.stepOver().position).toBe(stop.position + 1);
    void symbol;
  });

  it('steps out of switch_to back into the main loop, across the other task', () => {
    const { dbg } = debug(CONTEXT_SWITCH);
    const body = lineOf(CONTEXT_SWITCH, 'push %rbp');
    dbg.runToLine(body);
    const stop = dbg.stepOut();
    expect(stop.reason).toBe('step');
    expect(stop.line).toBe(lineOf(CONTEXT_SWITCH, 'pop %rcx'));
  });

  it('stops on a write watchpoint after the writing instruction, and runs backwards to the previous write', () => {
    const { dbg, machine, symbol } = debug(CONTEXT_SWITCH, { checkpointInterval: 8 });
    const w = dbg.addWatchpoint({ kind: 'memory', address: symbol('counter'), length: 8 });
    const writes: number[] = [];
    for (let s = dbg.continue(); s.reason === 'watchpoint'; s = dbg.continue()) {
      expect(s.watchpoint).toBe(w.id);
      expect(s.line).toBe(lineOf(CONTEXT_SWITCH, 'mov %r12, counter') + 1);
      writes.push(s.position);
    }
    expect(writes.length).toBe(5);
    const values: bigint[] = [];
    for (let i = writes.length - 1; i >= 0; i--) {
      const back = dbg.reverseContinue();
      expect(back).toMatchObject({ reason: 'watchpoint', position: writes[i] });
      values.push(new DataView(machine.read(Number(symbol('counter')), 8).buffer).getBigUint64(0, true));
    }
    expect(values).toEqual([105n * 3n, 104n * 3n, 103n * 3n, 102n * 3n, 101n * 3n]);
    expect(dbg.reverseContinue()).toMatchObject({ reason: 'start', position: 0 });
  });

  it.each([
    ['read', 'mov (%rsi), %rsp', 5],
    ['write', 'mov %rsp, (%rdi)', 5],
    ['access', null, 10],
  ] as const)('a %s watchpoint on task_a stops after each %s', (access, text, count) => {
    const { dbg, symbol, machine } = debug(CONTEXT_SWITCH, { checkpointInterval: 16 });
    const taskA = symbol('task_a');
    dbg.addWatchpoint({ kind: 'memory', address: taskA, length: 8, access });
    // A condition that reads the watched memory itself must not count as a read.
    dbg.addBreakpoint({ address: symbol('loop'), condition: `[${taskA}] == 12345` });
    const stops: number[] = [];
    for (let s = dbg.continue(); s.reason === 'watchpoint'; s = dbg.continue()) {
      stops.push(s.position);
      if (text !== null) {
        dbg.stepBack();
        expect(dbg.sources!.line(machine.getRegister('rip'))).toBe(lineOf(CONTEXT_SWITCH, text));
        dbg.step();
      }
    }
    expect(stops.length).toBe(count);
    expect(dbg.reverseContinue().position).toBe(stops[stops.length - 1]);
    dbg.removeWatchpoint(dbg.listWatchpoints()[0].id);
    expect(machine.cpu.mem.readObserver).toBeNull();
  });

  it('runs backwards to the previous breakpoint hit', () => {
    const { dbg, symbol } = debug(CONTEXT_SWITCH, { checkpointInterval: 5 });
    dbg.addBreakpoint({ address: symbol('task_b_entry') + 7n });
    const hits: number[] = [];
    for (let s = dbg.continue(); s.reason === 'breakpoint'; s = dbg.continue()) hits.push(s.position);
    expect(hits.length).toBe(5);
    for (let i = hits.length - 1; i >= 0; i--) expect(dbg.reverseContinue().position).toBe(hits[i]);
    expect(dbg.reverseContinue().reason).toBe('start');
  });

  it.each([
    [{ kind: 'register', register: 'rbx', mode: 'changed' } as const, 'mov $1, %rbx'],
    [{ kind: 'register', register: 'r12', mode: 'equals', value: '0x12f' } as const, 'imul $3, %rbx, %r12'],
  ])('register watchpoint %j stops after %s', (spec, text) => {
    const { dbg } = debug(CONTEXT_SWITCH);
    dbg.addWatchpoint(spec);
    const stop = dbg.continue();
    expect(stop.reason).toBe('watchpoint');
    // The stop is at the instruction after the one that changed the register.
    dbg.stepBack();
    const back = dbg.goto(dbg.position);
    expect(back.line).toBe(lineOf(CONTEXT_SWITCH, text));
  });

  it('a runaway loop stops at the step limit and can be stepped back', () => {
    const { dbg } = debug('1: jmp 1b');
    const stop = dbg.continue(5000);
    expect(stop).toMatchObject({ reason: 'limit', position: 5000 });
    expect(dbg.stepBack().position).toBe(4999);
  });

  it('a fault that is not delivered ends the recording; going forward again reports the same stop', () => {
    const { dbg } = debug('mov $0, %rcx\n div %rcx\n hlt');
    const stop = dbg.continue();
    expect(stop.reason).toBe('fault');
    expect(stop.fault?.name).toBe('#DE');
    expect(dbg.events.map((e) => e.kind)).toEqual(['exception']);
    dbg.stepBack();
    expect(dbg.continue().reason).toBe('fault');
    expect(dbg.continue().reason).toBe('fault');
    expect(dbg.events.length).toBe(1);
  });
});

describe('editing the machine', () => {
  it('changing a register in the past discards the recorded future and its events; the new future is recorded', () => {
    const { dbg, machine } = debug('mov $0, %rcx\n div %rcx\n hlt');
    expect(dbg.continue().reason).toBe('fault');
    expect(dbg.events.length).toBe(1);
    dbg.goto(1);
    dbg.setRegister('rcx', 5n);
    expect(dbg.end).toBe(1);
    expect(dbg.events.length).toBe(0);
    expect(dbg.continue().reason).toBe('hlt');
    expect(dbg.events.length).toBe(0);
    dbg.stepBack();
    expect(machine.getRegister('rcx')).toBe(5n);
    expect(() => dbg.goto(0)).toThrow(/outside the recording \(1\.\.3\)/);
  });

  it('writing memory (patching code) re-decodes it and restarts the recording there', () => {
    const { dbg, machine } = debug('nop\n nop\n ud2\n hlt');
    dbg.step();
    // Replace the UD2 (2 bytes) with two NOPs.
    dbg.writeMemory(0x10002, Uint8Array.of(0x90, 0x90));
    expect(dbg.continue().reason).toBe('hlt');
    expect(machine.getRegister('rip')).toBe(0x10005n);
  });
});
