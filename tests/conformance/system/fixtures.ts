/** Reading and writing the committed fixtures (gzip-compressed JSON lines). */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { repoRoot } from './oracles/build-native.ts';
import type { OracleError, Result, Scenario } from './scenario-types.ts';

export const FIXTURE_DIR = join(repoRoot, 'tests/fixtures/system');
export const SCENARIOS_FILE = join(FIXTURE_DIR, 'scenarios.jsonl.gz');
export const resultsFile = (oracle: string) => join(FIXTURE_DIR, `results-${oracle}.jsonl.gz`);
export const CONSENSUS_FILE = join(FIXTURE_DIR, 'consensus.jsonl.gz');

export interface RecordedResult { name: string; result?: Result; error?: string }
export interface ConsensusEntry {
  name: string;
  /** The agreed result, or absent when no oracle result could be adopted. */
  result?: Result;
  /** How it was reached: "agree:kvm,qemu", "only:kvm", "decision:<id>", or "undecided". */
  source: string;
  /** Fields on which the oracles disagreed (for the record). */
  disagreement?: { field: string; values: Record<string, string> }[];
}

export function readJsonl<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

export function writeJsonl(file: string, rows: unknown[]): void {
  writeFileSync(file, gzipSync(rows.map((r) => JSON.stringify(r)).join('\n') + '\n', { level: 9 }));
}

export function readScenarios(): Scenario[] {
  return readJsonl<Scenario>(SCENARIOS_FILE);
}

export function isOracleError(r: Result | OracleError): r is OracleError {
  return 'error' in r && !('format' in r);
}
