import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProgressStore } from '../../../backend/store/progress-store.ts';
import { PROFILE, bundleWriter, killLoop } from './kill-loop.ts';

// `npm run bench` runs 500 (store.sigkills_survived); the suite a quicker 30 unless told more.
const KILLS = Number(process.env.SWITCHYARD_CRASH_KILLS ?? 30);

let dir: string;
let writer: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'switchyard-crash-'));
  writer = await bundleWriter(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an acknowledged write survives SIGKILL', () => {
  it(`keeps every acknowledged attempt and draft over ${KILLS} kills, and the database stays intact`, async () => {
    const dbPath = path.join(dir, 'progress.sqlite3');
    const outcome = await killLoop(writer, dbPath, KILLS);
    expect(outcome.lost).toEqual([]);
    expect(outcome.damaged).toEqual([]);
    const store = ProgressStore.open(dbPath);
    expect(store.recoveryNotice).toBeNull();
    expect(store.listAttempts(PROFILE).length).toBeGreaterThanOrEqual(outcome.acknowledgedAttempts);
    store.close();
    // The kills must really land at different moments: during start-up and in the middle of writing.
    expect(outcome.killedWhileWriting).toBeGreaterThan(KILLS * 0.8);
    expect(outcome.acknowledgedAttempts).toBeGreaterThan(0);
    console.log(`crash test: ${KILLS} kills, ${outcome.killedBeforeReady} before the store was open (${outcome.killedBeforeSchema} before its schema existed), ` +
      `${outcome.killedWhileWriting} while writing, ${outcome.acknowledgedAttempts} acknowledged attempts and ${outcome.acknowledgedDrafts} drafts verified`);
  }, 240_000);
});
