import { describe, expect, it } from 'vitest';
import { debug, expectSameState, fullState, type FullState } from './helpers.ts';

/** Two tasks switching stacks through a switch_to that saves and restores the callee-saved registers. */
export const CONTEXT_SWITCH = `
    .text
start:
    lea stack_b_top(%rip), %rax
    lea task_b_entry(%rip), %rcx
    sub $8, %rax
    mov %rcx, (%rax)
    sub $48, %rax
    mov %rax, task_b(%rip)
    mov $1, %rbx
    mov $2, %rbp
    mov $3, %r12
    mov $5, %rcx
loop:
    push %rcx
    lea task_a(%rip), %rdi
    lea task_b(%rip), %rsi
    call switch_to
    pop %rcx
    rdtsc
    dec %rcx
    jnz loop
    hlt

switch_to:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov (%rsi), %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

task_b_entry:
    mov $100, %rbx
1:  add $1, %rbx
    imul $3, %rbx, %r12
    mov %r12, counter(%rip)
    lea task_b(%rip), %rdi
    lea task_a(%rip), %rsi
    call switch_to
    jmp 1b

    .data
task_a: .quad 0
task_b: .quad 0
counter: .quad 0
    .space 512
stack_b_top:
`;

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

  it('drops the oldest history past the memory bound and still travels within what is kept', () => {
    const source = `
      mov $20000, %rcx
    1:
      mov %rcx, (%rsp)
      push %rcx
      pop %rax
      dec %rcx
      jnz 1b
      hlt`;
    const t = debug(source, { checkpointInterval: 64, maxBytes: 64 * 1024 });
    expect(t.dbg.continue().reason).toBe('hlt');
    const r = t.dbg.recorder;
    expect(r.dropped).toBeGreaterThan(0);
    expect(r.historyBytes).toBeLessThanOrEqual(64 * 1024 + 64 * 17 * 8);
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
