import { describe, expect, it } from 'vitest';
import { debug, expectSameState, fullState, type FullState } from './helpers.ts';
import type { Debugger, DebuggerOptions } from '../../../emulator/debug/debugger.ts';
import type { Machine } from '../../../emulator/index.ts';
import { CONTEXT_SWITCH, ROUND_TRIP, ROUND_TRIP_32, ROUND_TRIP_32_GATES, ROUND_TRIP_GATES } from './programs.ts';
import { PROLOGUE, kernel, kernel32, toUser } from './system.ts';


/** Records a forward run one step at a time, keeping every intermediate state. */
function recordForward(source: string, interval: number) {
  const t = debug(source, { checkpointInterval: interval });
  const states: FullState[] = [fullState(t.machine)];
  for (let guard = 0; guard < 100_000; guard++) {
    const stop = t.dbg.step();
    states.push(fullState(t.machine));
    if (stop.reason !== 'step') {
      expect(stop.reason).toBe('hlt');
      break;
    }
  }
  return { ...t, states };
}

describe('time travel over a context switch', () => {
  it.each([1, 3, 16, 1024])('steps back from the end to the start reproducing every state (checkpoint every %i)', (interval) => {
    const { dbg, machine, states } = recordForward(CONTEXT_SWITCH, interval);
    expect(states.length).toBeGreaterThan(100);
    expect(dbg.position).toBe(states.length - 1);
    for (let p = states.length - 1; p > 0; p--) {
      expectSameState(fullState(machine), states[p], `position ${p}`);
      dbg.stepBack();
      expect(dbg.position).toBe(p - 1);
    }
    expectSameState(fullState(machine), states[0], 'start');
    // Forward again: identical states, and the same HLT at the same position.
    for (let p = 1; p < states.length; p++) {
      dbg.step();
      expectSameState(fullState(machine), states[p], `replayed position ${p}`);
    }
    expect(dbg.step().reason).toBe('hlt');
  });

  it('jumps to any position in either direction', () => {
    const { dbg, machine, states } = recordForward(CONTEXT_SWITCH, 7);
    const order = [0, states.length - 1, 5, 80, 79, 13, 130, 1, states.length - 2];
    for (const p of order) {
      dbg.goto(p);
      expectSameState(fullState(machine), states[p], `goto ${p}`);
    }
    expect(() => dbg.goto(states.length + 5)).toThrow(/outside the recording/);
  });

  it('continues to the end in one run after going back, and the machine is the same as a fresh run', () => {
    const a = debug(CONTEXT_SWITCH, { checkpointInterval: 10 });
    expect(a.dbg.continue().reason).toBe('hlt');
    const end = fullState(a.machine);
    const position = a.dbg.position;
    a.dbg.goto(3);
    expect(a.dbg.continue().reason).toBe('hlt');
    expect(a.dbg.position).toBe(position);
    expectSameState(fullState(a.machine), end, 'end after replay');
  });

  it.each([true, false])('drops the oldest history past the memory bound and still travels within what is kept (analysis %s)', (analysis) => {
    const source = `
      mov $20000, %rcx
    1:
      mov %rcx, (%rsp)
      push %rcx
      pop %rax
      dec %rcx
      jnz 1b
      hlt`;
    const t = debug(source, { checkpointInterval: 64, maxBytes: 64 * 1024, analysis });
    expect(t.dbg.continue().reason).toBe('hlt');
    const r = t.dbg.recorder;
    expect(r.dropped).toBeGreaterThan(0);
    // At most one checkpoint interval of journal beyond the bound (64 positions, at most 2 writes each, 25 bytes a write, capacity doubled).
    expect(r.historyBytes).toBeLessThanOrEqual(64 * 1024 + 64 * 2 * 25 * 2 + 1024);
    expect(t.dbg.start).toBeGreaterThan(0);
    const end = fullState(t.machine);
    const back = t.dbg.goto(t.dbg.start);
    expect(back.reason).toBe('start');
    expect(t.machine.getRegister('rcx')).toBeGreaterThan(0n);
    expect(() => t.dbg.goto(t.dbg.start - 1)).toThrow(/outside the recording/);
    expect(t.dbg.continue().reason).toBe('hlt');
    expectSameState(fullState(t.machine), end, 'end');
  });
});

describe('the memory bound counts each checkpoint at its size', () => {
  it('keeps no more checkpoints of a loop that writes no memory than their register files fill', () => {
    const t = debug('    mov $20000, %rcx\n1:  add %rcx, %rax\n    dec %rcx\n    jnz 1b\n    hlt', { checkpointInterval: 64, maxBytes: 64 * 1024 });
    expect(t.dbg.continue().reason).toBe('hlt');
    const r = t.dbg.recorder;
    expect(r.dropped).toBeGreaterThan(0);
    // A checkpoint holds the whole register file: the GPRs, 16 YMM, 8 x87 registers, segments, control state.
    const fileBytes = (32 + 128 + 24) * 8;
    const kept = Math.ceil((t.dbg.end - t.dbg.start) / 64);
    expect(kept * fileBytes).toBeLessThanOrEqual(64 * 1024);
    expect(r.historyBytes).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('recording on the fast path (nothing to inspect per instruction)', () => {
  const programs: [string, (o: DebuggerOptions) => { dbg: Debugger; machine: Machine }][] = [
    ['a context switch', (o) => debug(CONTEXT_SWITCH, o)],
    ['a ring 3 round trip (traps and a fault delivered on IST1)', (o) => kernel(ROUND_TRIP, ROUND_TRIP_GATES, o)],
    ['an i386 round trip', (o) => kernel32(ROUND_TRIP_32, ROUND_TRIP_32_GATES, o)],
    ['a #GP handler that skips the instruction, three times', (o) => kernel(`
    .text
${PROLOGUE}
${toUser('user')}
user:
    hlt
    hlt
    hlt
    ud2
gp: add $8, %rsp
    addq $1, (%rsp)
    iretq
ud: hlt
`, [{ vector: 13, label: 'gp' }, { vector: 6, label: 'ud' }], o)],
    ['a triple fault', (o) => kernel(`
    .text
${PROLOGUE}
${toUser('user')}
user:
    hlt
`, [], o)],
    ['an INT whose delivery cascades into a triple fault', (o) => kernel(`
    .text
${PROLOGUE}
${toUser('user')}
user:
    nop
    int $0x80
`, [], o)],
    ['timer interrupts in ring 3 (machine state: pending vectors, next tick)', (o) => {
      const t = kernel(`
    .text
${PROLOGUE}
${toUser('user')}
user:
    add $1, %rbx
    cmp $120, %rbx
    jne user
    ud2
tick:
    incq ticks(%rip)
    iretq
ud:
    mov ticks(%rip), %rax
    hlt
    .data
ticks: .quad 0
`, [{ vector: 32, label: 'tick' }, { vector: 6, label: 'ud' }], o);
      t.machine.addTimer({ vector: 32, every: 7 });
      t.dbg.stateEdited();
      return t;
    }],
    ['a fault that stops the run', (o) => debug('mov $0, %rcx\n div %rcx\n hlt', o)],
    ['a breakpoint trap that stops the run', (o) => debug('nop\n int3\n hlt', o)],
  ];

  it.each(programs)('%s: the same positions and states as stepping with the hook', (_name, make) => {
    // Reference: one step at a time with the analysis on (the hook runs before every attempt).
    const ref = make({ checkpointInterval: 5 });
    const states: FullState[] = [fullState(ref.machine)];
    let last = ref.dbg.step();
    while (last.reason === 'step') {
      states.push(fullState(ref.machine));
      last = ref.dbg.step();
    }
    states.push(fullState(ref.machine));

    const fast = make({ checkpointInterval: 5, analysis: false });
    const stop = fast.dbg.continue();
    expect(stop.reason).toBe(last.reason);
    expect(fast.dbg.position).toBe(states.length - 1);
    for (let p = states.length - 1; p >= 0; p--) {
      fast.dbg.goto(p);
      expectSameState(fullState(fast.machine), states[p], `position ${p}`);
    }
  });
});

describe('time travel over a loop that stores into a few pages many times', () => {
  // Three stores a pass into the data page and a push/pop on the stack: recorded in bursts with nothing to
  // inspect, each page is journaled for its first stores in a chunk and then saved whole.
  const STORES = [
    'mov $400, %rcx', 'lea table(%rip), %rdi', 'top:', 'mov %rcx, (%rdi)', 'add %rcx, 8(%rdi)', 'push %rcx', 'pop %rax',
    'mov %rcx, %rdx', 'and $15, %edx', 'mov %rax, 64(%rdi,%rdx,8)', 'sub $1, %rcx', 'jne top', 'hlt',
    '.data', 'table:', '.fill 256, 1, 0',
  ].join('\n');

  it.each([64, 300, 5000])('goes to every position in a scrambled order after a free run (checkpoint every %i)', (interval) => {
    const reference = recordForward(STORES, 1_000_000).states;
    const { dbg, machine } = debug(STORES, { checkpointInterval: interval, analysis: false });
    expect(dbg.continue().reason).toBe('hlt');
    expect(dbg.position).toBe(reference.length - 1);
    let x = 12345;
    for (let k = 0; k < 300; k++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const p = x % reference.length;
      dbg.goto(p);
      expectSameState(fullState(machine), reference[p], `position ${p}`);
    }
    for (let p = reference.length - 1; p > reference.length - 200; p--) {
      dbg.goto(p);
      expectSameState(fullState(machine), reference[p], `position ${p}`);
    }
  });
});
