// Records what GNU as produces for every corpus file in tests/conformance/gas/corpus as fixtures in
// tests/fixtures/gas, so the conformance suite can check machines without binutils.
// Run: npx tsx build/scripts/record-gas-fixtures.ts
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gasAvailable, recordWithGas } from '../../tests/conformance/gas/gas-oracle.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpusDir = join(root, 'tests', 'conformance', 'gas', 'corpus');
const fixtureDir = join(root, 'tests', 'fixtures', 'gas');

if (!gasAvailable()) {
  process.stderr.write('GNU as (binutils) is not installed: cannot record fixtures.\n');
  process.exit(2);
}
mkdirSync(fixtureDir, { recursive: true });
for (const file of readdirSync(corpusDir)
  .filter((f) => /\.[sS]$/.test(f))
  .sort()) {
  const source = readFileSync(join(corpusDir, file), 'utf8');
  const fixture = recordWithGas(file, source, corpusDir);
  writeFileSync(join(fixtureDir, file.replace(/\.[sS]$/, '.json')), `${JSON.stringify(fixture, null, 1)}\n`);
  const rejected = fixture.lines ? Object.values(fixture.lines).filter((v) => v === null).length : 0;
  process.stderr.write(
    `${file}: ${fixture.lines ? `${Object.keys(fixture.lines).length} lines (${rejected} rejected by as)` : fixture.errorLines ? `rejected on lines ${fixture.errorLines.join(', ')}` : Object.keys(fixture.sections!).join(', ')}\n`,
  );
}
