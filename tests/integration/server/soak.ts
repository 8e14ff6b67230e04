// Good traffic and hostile clients at once against one server: learners saving drafts through the
// real API while faults from the hostile tables are injected at random (seeded) moments.
import { HOSTILE, RESET_DURING, badFrame, playHostile, resetDuring, stalledReader } from './hostile-requests.ts';
import { callApi, sleep } from './server-harness.ts';

export interface SoakOptions {
  port: number;
  durationMs: number;
  seed: number;
  /** Exercises to save drafts for: one writer each, so the last acknowledged save is the latest. */
  exerciseIds: string[];
  /** How many hostile clients run at once. */
  attackers?: number;
}

export interface SoakOutcome {
  /** Per exercise, the source of the last save the server acknowledged. */
  acknowledged: Map<string, string>;
  saves: number;
  /** Good calls that failed (no answer, or an error answer): must be none. */
  failures: string[];
  faults: Map<string, number>;
  faultsInjected: number;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Fault = [name: string, play: (port: number, rand: () => number) => Promise<unknown>];

const FAULTS: Fault[] = [
  ...Object.entries(RESET_DURING).map(([name, text]): Fault => [`reset during ${name}`, (port, rand) => resetDuring(port, text(port), Math.floor(rand() * 4))]),
  ...Object.entries(HOSTILE).map(([name, hostile]): Fault => [name, (port) => playHostile(port, hostile)]),
  ['an oversized event frame', (port) => badFrame(port, 'oversized')],
  ['bytes that are no event frame', (port) => badFrame(port, 'unframed')],
  ['an event socket that stops reading', (port) => stalledReader(port, 300)],
  ['a burst of 40 connections reset at once', async (port) => {
    await Promise.all(Array.from({ length: 40 }, () => resetDuring(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 0)));
  }],
];

export async function runSoak(options: SoakOptions): Promise<SoakOutcome> {
  const rand = prng(options.seed);
  const deadline = Date.now() + options.durationMs;
  const outcome: SoakOutcome = { acknowledged: new Map(), saves: 0, failures: [], faults: new Map(), faultsInjected: 0 };

  const writer = async (exerciseId: string, index: number) => {
    for (let n = 0; Date.now() < deadline; n++) {
      const source = `; soak writer ${index} save ${n}\n${'mov %rax, %rbx\n'.repeat(1 + (n % 40))}`;
      try {
        const reply = await callApi(options.port, 'drafts.save', { exerciseId, source });
        const body = JSON.parse(reply.body) as { ok: boolean; error?: { message: string } };
        if (reply.status === 200 && body.ok) {
          outcome.acknowledged.set(exerciseId, source);
          outcome.saves++;
        } else outcome.failures.push(`drafts.save ${exerciseId}: ${reply.status} ${reply.body.slice(0, 200)}`);
      } catch (error) {
        outcome.failures.push(`drafts.save ${exerciseId}: ${(error as Error).message}`);
      }
      await sleep(Math.floor(rand() * 20));
    }
  };

  const attacker = async () => {
    while (Date.now() < deadline) {
      const [name, play] = FAULTS[Math.floor(rand() * FAULTS.length)];
      try {
        await play(options.port, rand);
      } catch {
        // A fault's own client may fail in any way; only the server's health is judged.
      }
      outcome.faults.set(name, (outcome.faults.get(name) ?? 0) + 1);
      outcome.faultsInjected++;
    }
  };

  await Promise.all([
    ...options.exerciseIds.map((id, i) => writer(id, i)),
    ...Array.from({ length: options.attackers ?? 3 }, () => attacker()),
  ]);
  return outcome;
}
