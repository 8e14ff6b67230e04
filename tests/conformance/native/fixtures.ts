/**
 * The recorded host outcomes, stored compactly: the cases are regenerated from the seed, so a
 * fixture keeps only what each case changed (registers, RFLAGS, data bytes, fault), gzip'd.
 *
 * File: one JSON header line, then one line per case: `ID TOKEN...` where a token is
 *   rax=HEX ...   a register whose final value differs from its initial one
 *   fl=HEX        final RFLAGS, when it differs from the initial RFLAGS
 *   dOFF=HEX      bytes of the data page from offset OFF that changed
 *   !#PF@HEX      the fault and its RIP
 *   xmm3=HEX ...  a SIMD field (simd-state.ts) whose final value differs from its initial one
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { caseLine } from './host.ts';
import { isSimdField, simdFields } from './simd-state.ts';
import { GPR_NAMES, type GprName, type NativeCase, type NativeFault, type NativeOutcome } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_PATH = join(here, '..', '..', 'fixtures', 'native', 'outcomes.txt.gz');
export const SIMD_FIXTURE_PATH = join(here, '..', '..', 'fixtures', 'native', 'simd-outcomes.txt.gz');
export const FORMAT = 'switchyard-native-outcomes/1';

export interface FixtureHeader {
  format: string;
  seed: string;
  cases: number;
  /** sha256 of every case's harness input line: a changed generator makes the fixture stale. */
  digest: string;
  familyDigests: Record<string, string>;
  familyCounts: Record<string, number>;
  host: { cpu: string; kernel: string; xcr0?: string };
  recorded: string;
  /** Cases left out because the recording host lacked a feature they need, by reason. */
  skipped?: Record<string, number>;
}

export interface Fixture {
  header: FixtureHeader;
  outcomes: Map<string, NativeOutcome>;
}

export function digestCases(cases: readonly NativeCase[]): { digest: string; familyDigests: Record<string, string>; familyCounts: Record<string, number> } {
  const all = createHash('sha256');
  const families = new Map<string, ReturnType<typeof createHash>>();
  const familyCounts: Record<string, number> = {};
  for (const c of cases) {
    const extra = c.requires || c.ignoreData ? ` ${JSON.stringify([c.requires ?? [], c.ignoreData ?? []])}` : '';
    const line = `${caseLine(c)} ${c.undefinedFlags}${extra}\n`;
    all.update(line);
    let h = families.get(c.family);
    if (!h) families.set(c.family, (h = createHash('sha256')));
    h.update(line);
    familyCounts[c.family] = (familyCounts[c.family] ?? 0) + 1;
  }
  const familyDigests = Object.fromEntries([...families].map(([name, h]) => [name, h.digest('hex').slice(0, 16)]));
  return { digest: all.digest('hex'), familyDigests, familyCounts };
}

const dataLengthOf = (c: NativeCase) => (c.data ? c.data.length / 2 : 64);
const initialData = (c: NativeCase) => (c.data ?? '').padEnd(dataLengthOf(c) * 2, '0');
const num = (hex: string) => BigInt(hex);

export function encodeOutcome(c: NativeCase, o: NativeOutcome): string {
  const tokens = [c.id];
  for (const name of GPR_NAMES) if (num(o.regs[name]) !== num(c.regs[name])) tokens.push(`${name}=${num(o.regs[name]).toString(16)}`);
  if (num(o.rflags) !== num(c.rflags)) tokens.push(`fl=${num(o.rflags).toString(16)}`);
  if (o.simd && c.simd) {
    const before = simdFields(c.simd);
    for (const [name, value] of Object.entries(o.simd)) if (before[name] !== value) tokens.push(`${name}=${value}`);
  }
  const before = initialData(c);
  for (let i = 0; i < o.data.length; i += 2) {
    if (o.data.slice(i, i + 2) === before.slice(i, i + 2)) continue;
    let j = i;
    while (j < o.data.length && o.data.slice(j, j + 2) !== before.slice(j, j + 2)) j += 2;
    tokens.push(`d${i / 2}=${o.data.slice(i, j)}`);
    i = j;
  }
  if (o.fault) tokens.push(`!${o.fault}@${num(o.faultRip ?? '0').toString(16)}`);
  return tokens.join(' ');
}

export function decodeOutcome(c: NativeCase, line: string): NativeOutcome {
  const [id, ...tokens] = line.split(' ');
  if (id !== c.id) throw new Error(`fixture line for ${id} does not match case ${c.id}`);
  const regs = { ...c.regs };
  let rflags = c.rflags;
  let data = initialData(c);
  const outcome: NativeOutcome = { regs, rflags, data };
  if (c.simd) outcome.simd = simdFields(c.simd);
  for (const t of tokens) {
    if (t.startsWith('!')) {
      const [fault, rip] = t.slice(1).split('@');
      outcome.fault = fault as NativeFault;
      outcome.faultRip = `0x${rip}`;
    } else if (t.startsWith('fl=')) {
      rflags = `0x${t.slice(3)}`;
    } else if (t.startsWith('d')) {
      const [off, bytes] = t.slice(1).split('=');
      const at = Number(off) * 2;
      data = data.slice(0, at) + bytes + data.slice(at + bytes.length);
    } else if (outcome.simd && isSimdField(t.slice(0, t.indexOf('=')))) {
      const [name, value] = t.split('=');
      outcome.simd[name] = value;
    } else {
      const [name, value] = t.split('=');
      if (!(GPR_NAMES as readonly string[]).includes(name)) throw new Error(`fixture line ${id}: unknown token ${t}`);
      regs[name as GprName] = `0x${value}`;
    }
  }
  outcome.rflags = rflags;
  outcome.data = data;
  return outcome;
}

export function writeFixture(path: string, header: FixtureHeader, cases: readonly NativeCase[], outcomes: readonly NativeOutcome[]): number {
  const lines = [JSON.stringify(header), ...cases.map((c, i) => encodeOutcome(c, outcomes[i]))];
  const gz = gzipSync(lines.join('\n') + '\n', { level: 9 });
  writeFileSync(path, gz);
  return gz.length;
}

/** Reads a fixture and rebuilds each case's full outcome; lines are matched to cases by id. */
export function readFixture(path: string, cases: readonly NativeCase[]): Fixture {
  if (!existsSync(path)) throw new Error(`no native fixtures at ${path}: record them with npx tsx build/scripts/record-native-fixtures.ts`);
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  let header: FixtureHeader;
  try {
    header = JSON.parse(lines[0]) as FixtureHeader;
  } catch {
    throw new Error(`${path}: the first line is not the JSON header`);
  }
  if (header.format !== FORMAT) throw new Error(`${path}: format '${header.format}', expected '${FORMAT}'`);
  const byId = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const space = lines[i].indexOf(' ');
    byId.set(space < 0 ? lines[i] : lines[i].slice(0, space), lines[i]);
  }
  const outcomes = new Map<string, NativeOutcome>();
  for (const c of cases) {
    const line = byId.get(c.id);
    if (line !== undefined) outcomes.set(c.id, decodeOutcome(c, line));
  }
  return { header, outcomes };
}
