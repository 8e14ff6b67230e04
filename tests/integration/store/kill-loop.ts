// SIGKILLs a child process that writes drafts and attempts through the store, at random moments,
// and checks after every kill that each acknowledged write is still there and the file is intact.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { build } from 'esbuild';

const PROFILE = 'crash-profile';
const here = path.dirname(fileURLToPath(import.meta.url));

/** Bundles the writer once, so that each of the hundreds of child processes starts as plain Node. */
export async function bundleWriter(dir: string): Promise<string> {
  const writer = path.join(dir, 'crash-writer.mjs');
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  await build({
    entryPoints: [path.join(here, 'crash-writer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'error', minify: true,
    plugins: [{ name: 'external-sqlite', setup(b) { b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true })); } }],
  });
  return writer;
}

export interface KillLoopOutcome {
  kills: number;
  killedBeforeReady: number;
  killedBeforeSchema: number;
  killedWhileWriting: number;
  acknowledgedAttempts: number;
  acknowledgedDrafts: number;
  /** Acknowledged writes found missing (with the kill after which they were missed): must stay empty. */
  lost: string[];
  /** Integrity problems found after a kill: must stay empty. */
  damaged: string[];
}

interface RunOutcome { attempts: string[]; drafts: Map<string, number>; sawReady: boolean }

/**
 * When to kill: `after` milliseconds from spawn (start-up, migrations), or once `acks` writes have
 * been acknowledged plus `after` milliseconds (somewhere inside a later write). Counting
 * acknowledgements keeps the kills inside the write loop however loaded the machine is.
 */
type KillAt = { from: 'spawn'; after: number } | { from: 'acks'; acks: number; after: number };

function runAndKill(writer: string, dbPath: string, firstSeq: number, at: KillAt): Promise<RunOutcome> {
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

export async function killLoop(writer: string, dbPath: string, kills: number): Promise<KillLoopOutcome> {
  const acknowledged = new Set<string>();
  const lastDraft = new Map<string, number>();
  const outcome: KillLoopOutcome = { kills, killedBeforeReady: 0, killedBeforeSchema: 0, killedWhileWriting: 0, acknowledgedAttempts: 0, acknowledgedDrafts: 0, lost: [], damaged: [] };
  let seed = 0x5eed;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let run = 0; run < kills; run++) {
    const at: KillAt = run % 10 === 0 ? { from: 'spawn', after: random() * 150 } : { from: 'acks', acks: Math.floor(random() * 60), after: random() * 4 };
    const ran = await runAndKill(writer, dbPath, run * 1_000_000, at);
    if (!ran.sawReady) outcome.killedBeforeReady++;
    if (ran.attempts.length + ran.drafts.size > 0) outcome.killedWhileWriting++;
    ran.attempts.forEach((id) => acknowledged.add(id));
    ran.drafts.forEach((seq, ex) => lastDraft.set(ex, seq));
    const db = new Database(dbPath);
    try {
      const integrity = db.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') outcome.damaged.push(`after kill ${run}: ${String(integrity)}`);
      // Killed before the first migration committed: the schema is all or nothing, and nothing was acknowledged.
      const version = db.pragma('user_version', { simple: true }) as number;
      const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
      if (version === 0) {
        outcome.killedBeforeSchema++;
        if (tables !== 0) outcome.damaged.push(`after kill ${run}: a half-created schema (${tables} tables)`);
        if (acknowledged.size + lastDraft.size !== 0) outcome.lost.push(`after kill ${run}: the whole schema, with writes acknowledged`);
        continue;
      }
      // This run's acknowledgements one by one; all earlier ones every 25 kills and at the end.
      const find = db.prepare('SELECT 1 FROM attempts WHERE id = ?').pluck();
      const toCheck = run % 25 === 24 || run === kills - 1 ? [...acknowledged] : ran.attempts;
      for (const id of toCheck) if (find.get(id) === undefined) outcome.lost.push(`after kill ${run}: attempt ${id}`);
      const draft = db.prepare('SELECT source FROM drafts WHERE profile_id = ? AND exercise_id = ?').pluck();
      for (const [exercise, seq] of lastDraft) {
        const storedSeq = Number(/draft (\d+)/.exec((draft.get(PROFILE, exercise) as string | undefined) ?? '')?.[1]);
        if (!(storedSeq >= seq)) outcome.lost.push(`after kill ${run}: draft ${seq} of ${exercise} (found ${storedSeq})`);
      }
    } finally {
      db.close();
    }
  }
  outcome.acknowledgedAttempts = acknowledged.size;
  outcome.acknowledgedDrafts = lastDraft.size;
  return outcome;
}

export { PROFILE };
