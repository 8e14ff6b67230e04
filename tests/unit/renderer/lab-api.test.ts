import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatcher } from '../../../backend/api/dispatch.ts';
import { createHandlers } from '../../../backend/api/handlers/index.ts';
import { LabState } from '../../../backend/api/handlers/lab-state.ts';
import { bundledPackDir } from '../../../backend/grading/pack-dir.ts';
import { DebugService } from '../../../emulator/debug/index.ts';
import { engineEmulator } from '../../../exercises/engine/index.ts';

type Replay = { program: string; lineOffset: number; mode: 'long64'; codeAddress: number; registers: Record<string, string>; case: { seed: string; header: Record<string, unknown>; data: string; sources: { line: number; address: number }[] } };

const solution = readFileSync(join(bundledPackDir(), 'save-context', 'solution.s'), 'utf8');
const wrong = solution.replace('mov [rdi + CTX_RBX], rbx', 'mov [rdi + CTX_RBX], rcx');

describe('the lab API over a real progress database', () => {
  let dir: string;
  let lab: LabState;
  let call: (method: string, args: unknown) => Promise<unknown>;

  const open = () => {
    lab = new LabState({ databasePath: join(dir, 'progress.sqlite3') });
    const dispatch: Dispatcher = createDispatcher(createHandlers({ platform: 'linux' }, lab));
    call = async (method, args) => {
      const response = await dispatch(method, args, { transport: 'browser' });
      if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
      return response.result;
    };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-lab-'));
    open();
  });
  afterEach(() => {
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists exercises by track, not started at first', async () => {
    const { exercises } = (await call('exercises.list', {})) as { exercises: { id: string; progress: { status: string } }[] };
    expect(exercises.map((e) => e.id)).toContain('save-context');
    expect(exercises.every((e) => e.progress.status === 'not-started')).toBe(true);
  });

  it('grades a wrong source in the backend, traces the failing case by field, and keeps the attempt and draft across a reopen', async () => {
    const checked = (await call('exercises.check', { exerciseId: 'save-context', source: wrong })) as {
      result: { passed: boolean; checks: { passed: boolean; name: string }[] };
      progress: { status: string; attempts: number };
      failingCase: { structs: Record<string, Record<string, { value: string }>>; inputs: Record<string, string> };
    };
    expect(checked.result.passed).toBe(false);
    expect(checked.progress).toMatchObject({ status: 'attempted', attempts: 1 });
    expect(checked.failingCase.structs.ctx.rbx.value).toBe(checked.failingCase.inputs.rcx);

    const passed = (await call('exercises.check', { exerciseId: 'save-context', source: solution })) as { result: { passed: boolean }; failingCase: unknown };
    expect(passed).toMatchObject({ result: { passed: true }, failingCase: null });

    lab.close();
    open();
    const detail = (await call('exercises.get', { id: 'save-context' })) as { draft: { source: string }; progress: { status: string; attempts: number } };
    expect(detail.draft.source).toBe(solution);
    expect(detail.progress).toMatchObject({ status: 'passed', attempts: 2 });
  });

  it.each([
    ['exercises.get', { id: 'no-such-exercise' }, /failed: no exercise 'no-such-exercise'/],
    ['exercises.get', { id: '../etc' }, /invalid-args: exercises.get: args.id/],
    ['drafts.save', { exerciseId: 'save-context', source: 1 }, /invalid-args: drafts.save: args.source/],
    ['exercises.check', { exerciseId: 'save-context', source: 'x', score: 12 }, /invalid-args/],
    ['settings.set', { patch: { theme: 'purple' } }, /invalid-args: settings.set: args.patch.theme/],
  ])('%s refuses %j', async (method, args, message) => {
    await expect(call(method, args)).rejects.toThrow(message);
  });

  it('refuses a draft over the store\'s 1 MiB with a message the learner can act on', async () => {
    // 600 Ki three-byte characters: within the contract's character limit, over the store's byte limit.
    const error = await call('drafts.save', { exerciseId: 'save-context', source: '\u20ac'.repeat(600 * 1024) }).catch((e: Error) => e.message);
    expect(String(error).slice(0, 200)).toMatch(/^failed: /);
  });

  it('saves drafts and settings', async () => {
    await call('drafts.save', { exerciseId: 'callee-saved', source: 'ret\n' });
    expect(((await call('exercises.get', { id: 'callee-saved' })) as { draft: { source: string } }).draft.source).toBe('ret\n');
    expect(await call('settings.set', { patch: { theme: 'light', fontSize: 18 } })).toMatchObject({ theme: 'light', fontSize: 18, syntax: 'att' });
    lab.close();
    open();
    expect(await call('settings.get', {})).toMatchObject({ theme: 'light', fontSize: 18 });
  });

  it('hands over a case as a snapshot of the graded machine, with the learner\'s lines at their graded addresses', async () => {
    const replay = (await call('exercises.debugCase', { exerciseId: 'save-context', source: wrong, index: 0 })) as Replay;
    expect(replay.program).toBe(wrong);
    expect(replay.lineOffset).toBe(0);
    expect(replay.case.seed).toBe('0x5eed');
    expect(replay.case.sources[0].address).toBe(replay.codeAddress);
    expect(JSON.parse(JSON.stringify(replay.case.header))).toEqual(replay.case.header);
    await expect(call('exercises.debugCase', { exerciseId: 'save-context', source: wrong, index: 0, seed: 'soon' })).rejects.toThrow(/invalid-args: exercises.debugCase: args.seed/);
  });

  it('the restored case runs in the debugger to the harness hlt with the wrong field written, and steps back to the mistake', async () => {
    const replay = (await call('exercises.debugCase', { exerciseId: 'save-context', source: wrong, index: 0 })) as Replay;
    const replies: { id: number; ok: boolean; result?: unknown; error?: unknown }[] = [];
    const service = new DebugService((message) => replies.push(message as (typeof replies)[number]), (header) => engineEmulator({ ramSize: header.ramSize, mode: replay.mode, deliverExceptions: header.deliverExceptions }));
    const ask = async (method: string, params?: Record<string, unknown>) => {
      await service.onMessage({ id: replies.length, method, params });
      const reply = replies.at(-1)!;
      if (!reply.ok) throw new Error(JSON.stringify(reply.error));
      return reply.result as Record<string, unknown>;
    };
    const data = Uint8Array.from(Buffer.from(replay.case.data, 'base64')).buffer;
    const start = await ask('restore', { header: replay.case.header, data, sources: replay.case.sources });
    expect((start.registers as Record<string, string>).rdi).toBe('0x20000');
    expect((await ask('continue')).reason).toBe('hlt');
    const memory = (await ask('readMemory', { address: 0x20008, length: 8 })) as unknown as Uint8Array;
    expect(new DataView(memory.buffer, memory.byteOffset).getBigUint64(0, true)).toBe(BigInt(replay.registers.rcx));
    const mistake = wrong.split('\n').findIndex((l) => l.includes('CTX_RBX], rcx')) + 1;
    let stop = await ask('stepBack');
    for (let i = 0; i < 100 && stop.line !== mistake; i++) stop = await ask('stepBack');
    expect(stop.line).toBe(mistake);
  });
});
