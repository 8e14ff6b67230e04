/**
 * Random machine code from random register states: every run must end with a defined stop
 * reason within its budget, never an exception escaping run(), never an internal emulator error
 * (an 'error' stop is accepted only when it names architecture the CPU does not model).
 * The seed is printed with any failure; set FUZZ_SEED to replay one, FUZZ_RUNS to run more.
 */
import { describe, expect, it } from 'vitest';
import { Machine, type Mode, type RunResult } from '../../../emulator/index.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 4000);
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const BUDGET = 200;
const RAM = 0x40000;
const CODE = 0x10000;
const REGS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const REASONS = new Set(['hlt', 'limit', 'breakpoint', 'fault', 'triple-fault']);

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EDGE = [0n, 1n, 0x7fn, 0x80n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0xffffffffffffffffn, 0x8000000000000000n];

function value(rand: () => number): bigint {
  const pick = rand();
  if (pick < 0.3) return EDGE[Math.floor(rand() * EDGE.length)];
  if (pick < 0.7) return BigInt(0x11000 + Math.floor(rand() * 0x20000)); // a pointer into RAM
  return (BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
}

const machines = new Map<Mode, Machine>();
function machine(mode: Mode): Machine {
  let m = machines.get(mode);
  if (!m) machines.set(mode, (m = new Machine({ ramSize: RAM, mode })));
  return m;
}

/** One fuzz case: returns the result, or throws with the seed in the message. */
function fuzzOne(seed: number): RunResult {
  const rand = prng(seed);
  const mode: Mode = rand() < 0.75 ? 'long64' : 'protected32';
  // Some runs add single-step, a timer, an NMI or a raised interrupt: on a fresh machine, since those outlive a run.
  const events = rand() < 0.15;
  const m = events ? new Machine({ ramSize: RAM, mode }) : machine(mode);
  m.setFlatMode(mode);
  const code = Uint8Array.from({ length: 16 + Math.floor(rand() * 48) }, () => Math.floor(rand() * 256));
  m.load(CODE, code);
  // A third of the runs deliver exceptions through random descriptor tables (GDTR and IDTR point at 0).
  m.deliverExceptions = rand() < 0.33;
  m.load(0, Uint8Array.from({ length: 0x2000 }, () => (m.deliverExceptions ? Math.floor(rand() * 256) : 0)));
  for (const r of REGS) m.setRegister(r, mode === 'long64' ? value(rand) : value(rand) & 0xffffffffn);
  m.setRegister('rsp', BigInt(0x20000 + Math.floor(rand() * 0x100) * 8));
  m.setRegister('rflags', (BigInt(Math.floor(rand() * 0x1000)) & (events ? 0xfd5n : 0xcd5n)) | 2n);
  if (events) {
    if (rand() < 0.5) m.addTimer({ vector: 0x20 + Math.floor(rand() * 0xe0), every: 1 + Math.floor(rand() * 20) });
    if (rand() < 0.3) m.raiseNmi();
    if (rand() < 0.3) m.raiseInterrupt(Math.floor(rand() * 256));
  }
  m.setRegister('rip', BigInt(CODE));
  let result: RunResult;
  try {
    result = m.run({ maxInstructions: BUDGET });
  } catch (e) {
    throw new Error(`seed ${seed}: run() threw ${String(e)} on code ${Buffer.from(code).toString('hex')}`);
  }
  // 'error' is allowed only for architecture the CPU says it does not model (task switches, ...); anything else is an emulator bug.
  const modelledError = result.reason === 'error' && /not modelled by this CPU/.test(result.message ?? '');
  if ((!REASONS.has(result.reason) && !modelledError) || result.instructions > BUDGET) {
    throw new Error(`seed ${seed} (${mode}): stop ${result.reason} after ${result.instructions} instructions: ${result.message ?? ''} on code ${Buffer.from(code).toString('hex')}`);
  }
  return result;
}

describe('fuzz: random code never breaks the emulator', () => {
  it(`${RUNS} random programs end with a defined stop reason within the budget (seed ${BASE_SEED})`, () => {
    const reasons = new Map<string, number>();
    for (let k = 0; k < RUNS; k++) {
      const r = fuzzOne(BASE_SEED + k);
      reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    }
    // Random bytes mostly fault quickly; some run to the budget or halt: all three must occur.
    expect(reasons.get('limit')).toBeGreaterThan(0);
    expect(reasons.get('fault')).toBeGreaterThan(0);
    expect([...reasons.keys()].every((r) => REASONS.has(r) || r === 'error')).toBe(true);
  });
});
