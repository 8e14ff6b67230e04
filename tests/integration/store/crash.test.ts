import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProgressStore } from '../../../electron/store/progress-store.ts';

const KILLS = Number(process.env.SWITCHYARD_CRASH_KILLS ?? 300);
const PROFILE = 'crash-profile';
const here = path.dirname(fileURLToPath(import.meta.url));

let dir: string;
let writer: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'switchyard-crash-'));
  writer = path.join(dir, 'crash-writer.mjs');
  // Bundled once so that each of the hundreds of child processes starts as plain Node.
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  await build({
    entryPoints: [path.join(here, 'crash-writer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'error', minify: true,
    plugins: [{ name: 'external-sqlite', setup(b) { b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true })); } }],
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RunOutcome { attempts: string[]; drafts: Map<string, number>; sawReady: boolean }

/**
 * When to kill: `after` milliseconds from spawn (start-up, migrations), or once `acks` writes have
 * been acknowledged plus `after` milliseconds (somewhere inside a later write). Counting
 * acknowledgements keeps the kills inside the write loop however loaded the machine is.
 */
type KillAt = { from: 'spawn'; after: number } | { from: 'acks'; acks: number; after: number };

function runAndKill(dbPath: string, firstSeq: number, at: KillAt): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dbPath, PROFILE, String(firstSeq)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const outcome: RunOutcome = { attempts: [], drafts: new Map(), sawReady: false };
    let pending = '';
    let stderr = '';
    let acks = 0;
    let armed = false;
    const arm = () => {
      if (armed) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), at.after);
    };
    if (at.from === 'spawn') arm();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const [kind, a, b] = line.split(' ');
        if (kind === 'ready') outcome.sawReady = true;
        else if (kind === 'A') outcome.attempts.push(a);
        else if (kind === 'D') outcome.drafts.set(a, Number(b));
        if (kind === 'A' || kind === 'D') acks++;
        if (at.from === 'acks' && outcome.sawReady && acks >= at.acks) arm();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (code ${code}): ${stderr}`));
      else resolve(outcome);
    });
  });
}

describe('an acknowledged write survives SIGKILL', () => {
  it(`keeps every acknowledged attempt and draft over ${KILLS} kills, and the database stays intact`, async () => {
    const dbPath = path.join(dir, 'progress.sqlite3');
    const acknowledged = new Set<string>();
    const lastDraft = new Map<string, number>();
    let killedBeforeReady = 0;
    let killedBeforeSchema = 0;
    let killedWhileWriting = 0;
    let seed = 0x5eed;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let run = 0; run < KILLS; run++) {
      const at: KillAt = run % 10 === 0 ? { from: 'spawn', after: random() * 150 } : { from: 'acks', acks: Math.floor(random() * 60), after: random() * 4 };
      const outcome = await runAndKill(dbPath, run * 1_000_000, at);
      if (!outcome.sawReady) killedBeforeReady++;
      if (outcome.attempts.length + outcome.drafts.size > 0) killedWhileWriting++;
      outcome.attempts.forEach((id) => acknowledged.add(id));
      outcome.drafts.forEach((seq, ex) => lastDraft.set(ex, seq));

      const db = new Database(dbPath);
      try {
        expect(db.pragma('integrity_check', { simple: true }), `integrity after kill ${run}`).toBe('ok');
        // Killed before the first migration committed: the schema is all or nothing, and nothing was acknowledged.
        const version = db.pragma('user_version', { simple: true }) as number;
        const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
        if (version === 0) {
          killedBeforeSchema++;
          expect(tables, `a half-created schema after kill ${run}`).toBe(0);
          expect(acknowledged.size + lastDraft.size).toBe(0);
          continue;
        }
        // This run's acknowledgements one by one; all earlier ones every 25 kills and at the end.
        const find = db.prepare('SELECT 1 FROM attempts WHERE id = ?').pluck();
        const toCheck = run % 25 === 24 || run === KILLS - 1 ? [...acknowledged] : outcome.attempts;
        const missing = toCheck.filter((id) => find.get(id) === undefined);
        expect(missing, `acknowledged attempts missing after kill ${run}`).toEqual([]);
        expect(db.prepare('SELECT count(*) FROM attempts').pluck().get()).toBeGreaterThanOrEqual(acknowledged.size);
        for (const [exercise, seq] of lastDraft) {
          const source = db.prepare('SELECT source FROM drafts WHERE profile_id = ? AND exercise_id = ?').pluck().get(PROFILE, exercise) as string;
          const storedSeq = Number(/draft (\d+)/.exec(source)?.[1]);
          expect(storedSeq, `draft for ${exercise} after kill ${run}`).toBeGreaterThanOrEqual(seq);
        }
      } finally {
        db.close();
      }
    }
    const store = ProgressStore.open(dbPath);
    expect(store.recoveryNotice).toBeNull();
    expect(store.listAttempts(PROFILE).length).toBeGreaterThanOrEqual(acknowledged.size);
    store.close();
    // The kills must really land at different moments: during start-up and in the middle of writing.
    expect(killedWhileWriting).toBeGreaterThan(KILLS * 0.8);
    expect(acknowledged.size).toBeGreaterThan(0);
    console.log(`crash test: ${KILLS} kills, ${killedBeforeReady} before the store was open (${killedBeforeSchema} before its schema existed), ${killedWhileWriting} while writing, ` +
      `${acknowledged.size} acknowledged attempts and ${lastDraft.size} drafts verified`);
  }, 240_000);
});
