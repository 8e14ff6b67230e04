import { describe, expect, it } from 'vitest';
import { restoreSnapshot, takeSnapshot, type Snapshot } from '../../../emulator/debug/snapshot.ts';
import { Machine } from '../../../emulator/index.ts';
import { debug, expectSameState, fullState } from './helpers.ts';
import { CONTEXT_SWITCH, ROUND_TRIP, ROUND_TRIP_GATES } from './programs.ts';
import { PROLOGUE, kernel, toUser } from './system.ts';

/** What a snapshot looks like after a trip through JSON and a copied buffer (a file, a bug report, postMessage). */
const transported = (s: Snapshot): Snapshot => ({ header: JSON.parse(JSON.stringify(s.header)), data: s.data.slice(0) });

describe('snapshots', () => {
  it.each([
    ['a context switch', () => debug(CONTEXT_SWITCH), 60],
    ['a ring 3 round trip (in ring 3, IST and TSS loaded)', () => kernel(ROUND_TRIP, ROUND_TRIP_GATES), 24],
  ])('%s: restoring into a fresh machine gives the same state and the same future', (_name, make, steps) => {
    const a = make();
    a.dbg.continue(steps);
    const snap = transported(a.dbg.snapshot());
    const atSnapshot = fullState(a.machine);
    expect(a.dbg.continue().reason).toBe('hlt');
    const atEnd = fullState(a.machine);

    const fresh = new Machine({ ramSize: snap.header.ramSize });
    restoreSnapshot(fresh, snap);
    expectSameState(fullState(fresh), atSnapshot, 'restored');
    expect(fresh.run({ maxInstructions: 100_000 }).reason).toBe('hlt');
    expectSameState(fullState(fresh), atEnd, 'after running on');
  });

  it('carries pending interrupts and timers: a fresh machine goes on ticking where the snapshot was taken', () => {
    const make = () => {
      const t = kernel(`
    .text
${PROLOGUE}
${toUser('user')}
user:
    add $1, %rbx
    cmp $300, %rbx
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
`, [{ vector: 32, label: 'tick' }, { vector: 6, label: 'ud' }]);
      t.machine.addTimer({ vector: 32, every: 11 });
      t.dbg.stateEdited();
      return t;
    };
    const a = make();
    a.dbg.continue(200);
    const snap = transported(a.dbg.snapshot());
    expect(a.dbg.continue().reason).toBe('hlt');
    const atEnd = fullState(a.machine);
    expect(a.machine.getRegister('rax')).toBeGreaterThan(50n);

    const fresh = new Machine({ ramSize: snap.header.ramSize });
    restoreSnapshot(fresh, snap);
    expect(fresh.run({ maxInstructions: 100_000 }).reason).toBe('hlt');
    expectSameState(fullState(fresh), atEnd, 'after running on');
  });

  it('is compact: only non-zero pages are stored', () => {
    const { dbg } = debug(CONTEXT_SWITCH);
    dbg.continue(10);
    const s = dbg.snapshot();
    expect(s.header.pages.length).toBeLessThanOrEqual(4);
    expect(s.data.byteLength).toBe(s.header.pages.length * 4096);
  });

  it('"try again from here": restoring into the same machine discards the recording after it and drops stale decoded code', () => {
    const { dbg, machine, symbol } = debug(CONTEXT_SWITCH);
    dbg.continue(30);
    const snap = dbg.snapshot();
    const here = fullState(machine);
    dbg.continue();
    // Patch the code (a learner's fix) and run: then go back to the snapshot, which restores the old bytes.
    machine.load(Number(symbol('task_b_entry')), Uint8Array.of(0xf4));
    dbg.restore(snap);
    expectSameState(fullState(machine), here, 'restored in place');
    expect(dbg.end).toBe(dbg.position);
    expect(dbg.continue().reason).toBe('hlt');
    expect(machine.getRegister('rbx')).toBe(1n);
  });

  it.each([
    [(s: Snapshot) => ({ ...s, header: { ...s.header, format: 'other/1' } }), /snapshot format: expected "switchyard-snapshot\/1", got "other\/1"/],
    [(s: Snapshot) => ({ ...s, header: { ...s.header, pages: [...s.header.pages, 99999] } }), /snapshot pages\[\d+\]: 99999 is not a page/],
    [(s: Snapshot) => ({ ...s, data: s.data.slice(0, 100) }), /snapshot data: expected \d+ bytes for \d+ pages, got 100/],
    [(s: Snapshot) => ({ ...s, header: { ...s.header, cpu: { ...s.header.cpu, rip: { kind: 'number', value: 'x' } } } }), /snapshot cpu.rip: expected a number value/],
    [(s: Snapshot) => ({ ...s, header: { ...s.header, ramSize: 8192 } }), /snapshot (pages|data|ramSize)/],
  ])('rejects a damaged snapshot with a message naming the field (%#)', (damage, message) => {
    const { dbg } = debug(CONTEXT_SWITCH);
    const s = damage(takeSnapshot(dbg.machine)) as Snapshot;
    expect(() => restoreSnapshot(new Machine({ ramSize: 1024 * 1024 }), s)).toThrow(message);
  });
});
