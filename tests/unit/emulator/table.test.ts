import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { instructionReference } from '../../../emulator/isa/reference.ts';
import { INSTRUCTIONS } from '../../../emulator/index.ts';
import { HANDLERS } from '../../../emulator/decode/dispatch.ts';
import { ALL_MNEMONICS } from '../../../emulator/decode/iced.ts';

describe('the instruction table drives dispatch', () => {
  const tableNames = INSTRUCTIONS.map((f) => f.mnemonic);

  it('lists each mnemonic once', () => {
    expect(tableNames.filter((n, i) => tableNames.indexOf(n) !== i)).toEqual([]);
  });

  it.each(INSTRUCTIONS.map((f) => [f.mnemonic, f] as const))('%s has a handler and well-formed facts', (mnemonic, facts) => {
    expect(HANDLERS.has(mnemonic), `${mnemonic} is in the table but no family registers a handler`).toBe(true);
    expect(ALL_MNEMONICS, `${mnemonic} is not a mnemonic iced-x86 decodes`).toContain(mnemonic);
    expect(facts.summary.length).toBeGreaterThan(5);
    expect(facts.flagsWritten).toMatch(/^[OSZAPCDI]*$/);
    expect(facts.flagsUndefined).toMatch(/^[OSZAPC]*$/);
  });

  it('every handler has a table entry', () => {
    expect([...HANDLERS.keys()].filter((m) => !tableNames.includes(m))).toEqual([]);
  });

  it("names as each entry's family the file under emulator/ops/ that registers its handler", async () => {
    const opsDir = join(import.meta.dirname, '../../../emulator/ops');
    const registeredIn = new Map<string, string[]>();
    for (const file of readdirSync(opsDir).filter((f) => f.endsWith('.ts'))) {
      const exports = (await import(join(opsDir, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exports)) {
        if (!name.endsWith('Ops') || typeof value !== 'object' || value === null) continue;
        for (const mnemonic of Object.keys(value)) registeredIn.set(mnemonic, [...(registeredIn.get(mnemonic) ?? []), file.replace(/\.ts$/, '')]);
      }
    }
    const misplaced = INSTRUCTIONS.filter((f) => !(registeredIn.get(f.mnemonic) ?? []).includes(f.family)).map((f) => `${f.mnemonic}: family ${f.family}, registered in ${registeredIn.get(f.mnemonic)?.join(', ') ?? 'no file'}`);
    expect(misplaced).toEqual([]);
  });

  it('is what docs/instructions.md lists (regenerate with `npx tsx build/scripts/instruction-reference.ts`)', () => {
    expect(readFileSync(join(import.meta.dirname, '../../../docs/instructions.md'), 'utf8')).toBe(instructionReference());
  });
});
