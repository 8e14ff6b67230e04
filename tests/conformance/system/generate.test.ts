/**
 * The committed scenarios are what the generators produce: a few families are regenerated
 * (with GNU as, when installed) and compared line for line with the fixture.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cleanupAssembler } from './generate/asm.ts';
import { addressSpaces, swapgs, tableLoads } from './generate/sys64.ts';
import { readScenarios } from './fixtures.ts';
import type { Scenario } from './scenario-types.ts';

const haveAs = spawnSync('as', ['--version']).status === 0;
const committed = new Map(readScenarios().map((s) => [s.name, s]));

describe('generated scenarios match the committed fixture', () => {
  const families: [string, () => Scenario[]][] = [['swapgs', swapgs], ['dtload', tableLoads], ['cr3', addressSpaces]];
  for (const [family, generate] of families) {
    it.skipIf(!haveAs)(`${family} (skipped without GNU as)`, () => {
      const fresh = generate();
      cleanupAssembler();
      expect(fresh.length).toBeGreaterThan(0);
      expect(fresh.length).toBe([...committed.keys()].filter((n) => n.startsWith(`${family}/`)).length);
      for (const s of fresh) expect(s, s.name).toEqual(committed.get(s.name));
    }, 60_000);
  }
});
