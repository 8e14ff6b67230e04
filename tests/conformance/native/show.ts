// Looks at native cases one by one: `npx tsx tests/conformance/native/show.ts alu-17 string-402`
// prints each case, the recorded host outcome and, where the emulator adapter exists, the emulator's
// differences. `--family NAME [--mismatches N]` lists the first N emulator disagreements of a family.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeMismatch, differences, flagNames } from './compare.ts';
import { FIXTURE_PATH, SIMD_FIXTURE_PATH, readFixture } from './fixtures.ts';
import { DEFAULT_SEED, FAMILY_NAMES, SIMD_FAMILY_NAMES, generateFamily } from './generate.ts';
import { familyNamed } from './gen/families.ts';
import { simdFields } from './simd-state.ts';
import { GPR_NAMES, type NativeCase, type NativeOutcome } from './types.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const family = option('--family');
const limit = Number(option('--mismatches') ?? 10);
const ids = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));

if (!family && ids.length === 0) {
  process.stderr.write(`usage: show.ts CASE-ID... | --family NAME [--mismatches N]\nfamilies: ${[...FAMILY_NAMES, ...SIMD_FAMILY_NAMES].join(', ')}\n`);
  process.exit(2);
}

const adapterPath = join(dirname(fileURLToPath(import.meta.url)), 'emulator-adapter.ts');
const run = existsSync(adapterPath)
  ? ((await import(pathToFileURL(adapterPath).href)) as { runOnEmulator?: (c: NativeCase) => NativeOutcome }).runOnEmulator
  : undefined;

const wanted = family ? [family] : [...new Set(ids.map((id) => id.replace(/-\d+$/, '')))];
const cases: NativeCase[] = [];
for (const name of wanted) {
  const indexes = ids.filter((id) => id.startsWith(`${name}-`)).map((id) => Number(id.slice(name.length + 1)));
  if (indexes.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`malformed case id among: ${ids.join(' ')}`);
  const count = family ? familyNamed(name).count : Math.max(...indexes) + 1;
  cases.push(...generateFamily(name, DEFAULT_SEED, count).filter((c) => family || ids.includes(c.id)));
}
const simdOnly = wanted.every((n) => SIMD_FAMILY_NAMES.includes(n));
const fixture = readFixture(simdOnly ? SIMD_FIXTURE_PATH : FIXTURE_PATH, cases);

function showOutcome(c: NativeCase, o: NativeOutcome): string {
  const changed = GPR_NAMES.filter((n) => BigInt(o.regs[n]) !== BigInt(c.regs[n])).map((n) => `${n}=${o.regs[n]}`);
  if (o.simd && c.simd) {
    const before = simdFields(c.simd);
    changed.push(...Object.entries(o.simd).filter(([k, v]) => before[k] !== v).map(([k, v]) => `${k}=${v}`));
  }
  const fault = o.fault ? `${o.fault} at ${o.faultRip}  ` : '';
  return `  host: ${fault}${changed.join(' ') || '(no register changed)'}  rflags=${o.rflags} [${flagNames(BigInt(o.rflags))}]`;
}

let shown = 0;
for (const c of cases) {
  const expected = fixture.outcomes.get(c.id);
  if (!expected) throw new Error(`${c.id} has no recorded outcome: re-record the fixtures`);
  const diffs = run ? differences(c, expected, run(c)) : [];
  if (family && diffs.length === 0) continue;
  console.log(describeMismatch(c, diffs, ['host', 'emulator']));
  console.log(showOutcome(c, expected));
  if (!run) console.log('  (emulator adapter not present)');
  else if (diffs.length === 0) console.log('  emulator agrees');
  if (++shown >= limit && family) break;
}
if (family && shown === 0) console.log(run ? `the emulator agrees on all ${cases.length} ${family} cases` : 'emulator adapter not present');
