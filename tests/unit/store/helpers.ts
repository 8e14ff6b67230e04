import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { GradeResult } from '../../../backend/store/grade-result.ts';

const made: string[] = [];

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-store-'));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function gradeResult(exercise: string, score: number, maxScore: number, passed = score === maxScore): GradeResult {
  return {
    exercise, passed, score, maxScore,
    cases: { total: 100, failed: passed ? 0 : 7, seed: '0x1234' },
    checks: [{ name: 'ctx.r12 saved', passed, message: passed ? 'ok' : 'ctx.r12 holds 0x5, expected 0x9', expected: '0x9', actual: passed ? '0x9' : '0x5' }],
    diagnostics: [],
  };
}

/** A clock that moves one second per reading, so orderings by time are deterministic. */
export function steppingClock(start = Date.UTC(2026, 0, 5, 9, 0, 0)): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}
