import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Debugger, restoreSnapshot, takeSnapshot } from '../../../emulator/debug/index.ts';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { caseMachine, emptyCaseMachine, gradeSubmission, hex, loadExercise, parseSeed, prepareExercise, traceCase } from '../../../exercises/engine/index.ts';
import { REGISTERS } from '../../../exercises/engine/schema.ts';

const ports = realPorts();
const PACK = join(import.meta.dirname, '../../../exercises/pack');

function packExercise(id: string) {
  const files = new Map<string, string>();
  for (const name of readdirSync(join(PACK, id), { recursive: true, encoding: 'utf8' })) if (name.includes('.')) files.set(`${id}/${name}`, readFileSync(join(PACK, id, name), 'utf8'));
  return prepareExercise(loadExercise(files, id, 'pack'), ports.assembler);
}

/** System exercises (descriptor tables, a timer) and a learner mistake that fails one of their cases. */
const CASES: [string, string][] = [
  ['trap-common', 'error-code-left.s'],
  ['trap-common', 'pop-same-order.s'],
  ['round-robin', 'never-switches.s'],
  ['restore-iretq', 'frame-reversed.s'],
];

describe('a case loaded for the debugger is the graded run', () => {
  it.each(CASES)('%s with %s: the restored snapshot runs to the graded final state', (id, file) => {
    const px = packExercise(id);
    const source = readFileSync(join(PACK, id, 'mistakes', file), 'utf8');
    const result = gradeSubmission(px, source, ports);
    const failure = result.checks.find((c) => !c.passed && c.failure)?.failure;
    expect(failure, `${id}/${file} should fail a case`).toBeDefined();
    const seed = parseSeed(result.cases.seed)!;
    const graded = traceCase(px, source, ports, { seed, index: failure!.index });

    const loaded = caseMachine(px, source, failure!.index, seed, ports);
    if (!loaded.ok) throw new Error('did not assemble');
    const snapshot = takeSnapshot(loaded.machine);
    const replay = emptyCaseMachine(px);
    restoreSnapshot(replay, snapshot);
    const run = replay.run({ maxInstructions: loaded.budget });

    expect(run.reason).toBe(graded.outcome!.reason);
    expect(run.instructions).toBe(graded.outcome!.instructions);
    if (run.reason !== 'triple-fault') {
      expect(Object.fromEntries(REGISTERS.map((r) => [r, hex(replay.getRegister(r))]))).toEqual(graded.registers);
    }
    for (const region of px.regions.values()) {
      if (!region.layout) continue;
      const bytes = replay.read(region.at, region.size);
      const fields = Object.fromEntries(region.layout.fields.map((f) => {
        let v = 0n;
        for (let i = f.size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[f.offset + i]);
        return [f.name, v];
      }));
      for (const [name, { value }] of Object.entries(graded.structs![region.name])) expect(hex(fields[name]), `${region.name}.${name}`).toBe(value);
    }
  });

  it.each(CASES)('%s with %s: the debugger continuing from the restored snapshot stops where grading stopped', (id, file) => {
    const px = packExercise(id);
    const source = readFileSync(join(PACK, id, 'mistakes', file), 'utf8');
    const result = gradeSubmission(px, source, ports);
    const index = result.checks.find((c) => !c.passed && c.failure)!.failure!.index;
    const graded = traceCase(px, source, ports, { index });
    const loaded = caseMachine(px, source, index, undefined, ports);
    if (!loaded.ok) throw new Error('did not assemble');
    const restored = emptyCaseMachine(px);
    restoreSnapshot(restored, takeSnapshot(loaded.machine));
    const stop = new Debugger(restored).continue(loaded.budget + 1);
    expect(stop.reason).toBe(graded.outcome!.reason);
    if (stop.reason !== 'triple-fault') expect(Object.fromEntries(REGISTERS.map((r) => [r, hex(restored.getRegister(r))]))).toEqual(graded.registers);
  });

  it('the source map puts the first instruction the learner wrote at its graded address, and the debugger steps from the harness into it', () => {
    const px = packExercise('trap-common');
    const source = readFileSync(join(PACK, 'trap-common', 'mistakes', 'error-code-left.s'), 'utf8');
    const loaded = caseMachine(px, source, 0, 0x5eedn, ports);
    if (!loaded.ok) throw new Error('did not assemble');
    expect(loaded.learner[0].address).toBe(px.learnerBases['.text']);
    expect(loaded.harness.some((l) => l.address === Number(loaded.machine.getRegister('rip')))).toBe(true);
    const restored = emptyCaseMachine(px);
    restoreSnapshot(restored, takeSnapshot(loaded.machine));
    const dbg = new Debugger(restored);
    const learnerAddresses = new Set(loaded.learner.map((l) => l.address));
    let entered = false;
    for (let i = 0; i < 200 && !entered; i++) {
      dbg.step();
      entered = learnerAddresses.has(Number(restored.getRegister('rip')));
    }
    expect(entered).toBe(true);
  });

  it('a source that does not assemble gives its diagnostics, not a machine', () => {
    const loaded = caseMachine(packExercise('trap-common'), 'movq %rax,\n', 0, 1n, ports);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.diagnostics[0].line).toBe(1);
  });
});
