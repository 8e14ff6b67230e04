import { describe, expect, it } from 'vitest';
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
});
