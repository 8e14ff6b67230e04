// `npx tsx build/scripts/instruction-reference.ts`: rewrites docs/instructions.md from the ISA table.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { instructionReference } from '../../emulator/isa/reference.ts';

writeFileSync(join(import.meta.dirname, '../../docs/instructions.md'), instructionReference());
process.stderr.write('wrote docs/instructions.md\n');
