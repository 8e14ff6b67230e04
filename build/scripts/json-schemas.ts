// `npx tsx build/scripts/json-schemas.ts --write`: regenerates docs/schemas/ from the loader's schemas.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHED_SCHEMAS } from '../../exercises/engine/json-schema.ts';

const dir = join(import.meta.dirname, '../../docs/schemas');
mkdirSync(dir, { recursive: true });
for (const [file, build] of Object.entries(PUBLISHED_SCHEMAS)) {
  writeFileSync(join(dir, file), `${JSON.stringify(build(), null, 2)}\n`);
  process.stderr.write(`wrote docs/schemas/${file}\n`);
}
