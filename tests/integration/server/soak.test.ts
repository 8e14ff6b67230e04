import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_LIMITS } from './hostile-requests.ts';
import { callApi, startServerProcess, type ServerProcess } from './server-harness.ts';
import { runSoak } from './soak.ts';

const DURATION_MS = Number(process.env.SWITCHYARD_SOAK_MS ?? 12_000);
const SEED = Number(process.env.SWITCHYARD_SOAK_SEED ?? 0x50a4);
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess(HOSTILE_LIMITS);
});

afterAll(async () => {
  await server?.stop();
});

async function api<T>(method: string, args: unknown): Promise<T> {
  const reply = await callApi(server.port, method, args);
  const body = JSON.parse(reply.body) as { ok: boolean; result: T; error?: unknown };
  if (!body.ok) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

describe('soak: good traffic while hostile clients attack', () => {
  it(`saves drafts through the API for ${DURATION_MS} ms among injected faults (seed ${SEED}); nothing acknowledged is lost`, async () => {
    const { exercises } = await api<{ exercises: { id: string }[] }>('exercises.list', {});
    const exerciseIds = exercises.slice(0, 4).map((e) => e.id);
    const outcome = await runSoak({ port: server.port, durationMs: DURATION_MS, seed: SEED, exerciseIds });

    expect(server.exited(), `the server died; its log:\n${server.log().slice(-4000)}`).toBeNull();
    expect(outcome.failures).toEqual([]);
    expect(outcome.saves).toBeGreaterThan(50);
    expect(outcome.faults.size, 'most kinds of fault were injected').toBeGreaterThan(10);
    for (const [id, source] of outcome.acknowledged) {
      const detail = await api<{ draft: { source: string } | null }>('exercises.get', { id });
      expect(detail.draft?.source, `draft of ${id} through the API`).toBe(source);
    }

    await server.stop(true);
    const db = new Database(server.databasePath, { readonly: true });
    try {
      expect(db.pragma('quick_check', { simple: true })).toBe('ok');
      const stored = db.prepare('SELECT source FROM drafts WHERE exercise_id = ?').pluck();
      for (const [id, source] of outcome.acknowledged) expect(stored.get(id), `draft of ${id} on disk`).toBe(source);
    } finally {
      db.close();
      rmSync(server.dir, { recursive: true, force: true });
    }
    console.log(`soak: ${outcome.saves} drafts saved and ${outcome.faultsInjected} faults survived in ${DURATION_MS} ms: ` +
      [...outcome.faults].map(([name, n]) => `${name} ×${n}`).join(', '));
  }, DURATION_MS + 30_000);
});
