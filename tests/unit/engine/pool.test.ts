import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../backend/grading/pool.ts';

describe('worker pool', () => {
  it('reports a crash, an exception or a hang as that task\'s error and keeps grading the rest', async () => {
    const pool = new WorkerPool<null, string, string>({ script: new URL('./fixtures/flaky-worker.ts', import.meta.url), size: 2, init: null, taskTimeoutMs: 3000 });
    try {
      const outcomes = await Promise.all(['a', 'exit', 'b', 'throw', 'hang', 'c', 'd'].map((t) => pool.run(t)));
      expect(outcomes).toEqual([
        { ok: true, value: 'A' },
        { ok: false, error: 'the grader crashed on this submission (its worker exited with code 3)' },
        { ok: true, value: 'B' },
        { ok: false, error: 'the grader crashed on this submission: boom' },
        { ok: false, error: 'grading took longer than 3 s and was stopped' },
        { ok: true, value: 'C' },
        { ok: true, value: 'D' },
      ]);
      expect(pool.respawns).toBe(3);
    } finally {
      await pool.close();
    }
  });

  it('gives up on a worker that cannot start, failing the waiting tasks with the reason', async () => {
    const pool = new WorkerPool<null, string, string>({ script: new URL('./fixtures/broken-worker.ts', import.meta.url), size: 1, init: null, taskTimeoutMs: 3000 });
    try {
      const outcomes = await Promise.all(['a', 'b'].map((t) => pool.run(t)));
      expect(outcomes).toEqual([{ ok: false, error: 'the grader could not start: cannot load the pack' }, { ok: false, error: 'the grader could not start: cannot load the pack' }]);
      expect(await pool.run('c')).toEqual({ ok: false, error: 'the grader could not start' });
    } finally {
      await pool.close();
    }
  });
});
