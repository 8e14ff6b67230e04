// Reliability figures: SIGKILLs survived by the store with no acknowledged write lost, hostile
// clients survived by the browser-mode server while drafts are saved, fuzz executions per target,
// and the time to open (and recover) a damaged 100 MB progress database.
import { copyFileSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressStore } from '../../../backend/store/progress-store.ts';
import { fuzz } from '../../../tests/conformance/fuzz/fuzz-kit.ts';
import { TARGETS } from '../../../tests/conformance/fuzz/targets.ts';
import { HOSTILE_LIMITS } from '../../../tests/integration/server/hostile-requests.ts';
import { callApi, startServerProcess } from '../../../tests/integration/server/server-harness.ts';
import { runSoak, type SoakOutcome } from '../../../tests/integration/server/soak.ts';
import { bundleWriter, killLoop, type KillLoopOutcome } from '../../../tests/integration/store/kill-loop.ts';
import type { Figure } from '../figure.ts';

const KILLS = 500;
const SOAK_MS = 20_000;

/** Runs once and is shared by the figures that report on it. */
function once<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= run());
}

const kills = once(async (): Promise<KillLoopOutcome> => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-kill-'));
  try {
    return await killLoop(await bundleWriter(dir), join(dir, 'progress.sqlite3'), KILLS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const soak = once(async (): Promise<SoakOutcome & { died: boolean }> => {
  const server = await startServerProcess(HOSTILE_LIMITS);
  try {
    const list = JSON.parse((await callApi(server.port, 'exercises.list', {})).body) as { result: { exercises: { id: string }[] } };
    const outcome = await runSoak({ port: server.port, durationMs: SOAK_MS, seed: 0xbe4c, exerciseIds: list.result.exercises.slice(0, 4).map((e) => e.id) });
    for (const [id, source] of outcome.acknowledged) {
      const detail = JSON.parse((await callApi(server.port, 'exercises.get', { id })).body) as { result: { draft: { source: string } | null } };
      if (detail.result.draft?.source !== source) outcome.failures.push(`the acknowledged draft of ${id} was lost`);
    }
    return { ...outcome, died: server.exited() !== null };
  } finally {
    await server.stop();
  }
});

async function survivedKills(): Promise<number> {
  const outcome = await kills();
  if (outcome.damaged.length > 0) throw new Error(`the database was damaged by a kill: ${outcome.damaged[0]}`);
  return outcome.lost.length === 0 ? outcome.kills : outcome.kills - new Set(outcome.lost.map((l) => l.split(':')[0])).size;
}

async function faultsSurvived(): Promise<number> {
  const outcome = await soak();
  if (outcome.died) throw new Error('the server died during the soak');
  if (outcome.failures.length > 0) throw new Error(`good traffic failed during the soak: ${outcome.failures[0]}`);
  return outcome.faultsInjected;
}

const damaged100Mb = once(async (): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-damaged-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'base.sqlite3');
  const store = ProgressStore.open(file);
  const profile = store.createProfile({ name: 'Bench' });
  const result = { exercise: 'big', passed: false, score: 1, maxScore: 5, checks: [{ name: 'r', passed: false, message: 'wrong' }], diagnostics: [] };
  store.db.transaction(() => {
    for (let n = 0; n < 2500; n++) store.recordAttempt(profile.id, { id: 'big', versionHash: 'v' }, `; attempt ${n}\n${`${n} `.repeat(8000)}`, result, '0.1.0');
  })();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  return file;
});

/** A copy of the 100 MB database whose header claims 2^31 pages and whose freelist loops. */
async function openDamaged100Mb(): Promise<number> {
  const base = await damaged100Mb();
  const file = join(base, '..', `damaged-${Date.now()}.sqlite3`);
  copyFileSync(base, file);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 5, 0, 0, 1, 0]), 0, 12, 28);
  writeSync(fd, Buffer.from([0, 0, 0, 5, 0, 0, 0, 0]), 0, 8, 4 * 4096);
  closeSync(fd);
  const started = performance.now();
  const store = ProgressStore.open(file);
  const ms = performance.now() - started;
  const recovered = store.recoveryNotice !== null;
  store.close();
  if (!recovered) throw new Error('the damaged database was not recognised as damaged');
  return ms;
}

export const figures: Figure[] = [
  { name: 'store.sigkills_survived', unit: `of ${KILLS} kills`, runs: 1, measure: survivedKills },
  { name: 'store.acknowledged_writes_lost', unit: 'writes', runs: 1, measure: async () => (await kills()).lost.length },
  { name: 'store.open_damaged_100mb_ms', unit: 'ms', runs: 3, measure: openDamaged100Mb },
  { name: 'server.faults_survived', unit: `faults in ${SOAK_MS / 1000} s`, runs: 1, measure: faultsSurvived },
  { name: 'server.drafts_saved_under_attack', unit: `drafts in ${SOAK_MS / 1000} s`, runs: 1, measure: async () => (await soak()).saves },
  ...TARGETS.map((target): Figure => ({
    name: `fuzz.${target.name.replace(/-/g, '_')}_execs_per_s`,
    unit: 'inputs/s',
    runs: 1,
    measure: async () => {
      const started = performance.now();
      const report = await fuzz(target, { seed: 0xbe4c, executions: 1_000_000, budgetMs: 10_000, perInputMs: 3_000 });
      if (report.failures.length > 0) throw new Error(report.failures[0]);
      return report.executions / ((performance.now() - started) / 1000);
    },
  })),
];
