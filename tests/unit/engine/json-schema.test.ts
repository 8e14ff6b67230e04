/**
 * The published JSON Schemas (docs/schemas/) are the loader's own schemas, regenerated: every
 * bundled exercise.yaml and pack.yaml is valid against them, and the shapes the loader refuses are
 * refused by them too. A small validator for the keywords they use keeps this free of a dependency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PUBLISHED_SCHEMAS } from '../../../exercises/engine/json-schema.ts';

const ROOT = join(import.meta.dirname, '../../..');
const PACK = join(ROOT, 'exercises/pack');
type Schema = Record<string, unknown>;

function problems(schema: Schema, value: unknown, at = '$'): string[] {
  const out: string[] = [];
  const t = schema.type as string | undefined;
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
  if (t && !(t === kind || (t === 'number' && kind === 'integer'))) return [`${at}: expected ${t}, got ${kind}`];
  if (schema.const !== undefined && value !== schema.const) out.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) out.push(`${at}: ${value} does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) out.push(`${at}: too short`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(`${at}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) out.push(`${at}: above ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) out.push(`${at}: not above ${schema.exclusiveMinimum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) out.push(`${at}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) out.push(`${at}: more than ${schema.maxItems} items`);
    const prefix = (schema.prefixItems as Schema[] | undefined) ?? [];
    value.forEach((item, i) => {
      const s = prefix[i] ?? (schema.items as Schema | undefined);
      if (s) out.push(...problems(s, item, `${at}[${i}]`));
    });
  }
  if (kind === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) out.push(`${at}: missing ${key}`);
    for (const [key, v] of Object.entries(obj)) {
      if (schema.propertyNames) out.push(...problems(schema.propertyNames as Schema, key, `${at}.${key} (name)`));
      if (key in props) out.push(...problems(props[key], v, `${at}.${key}`));
      else if (schema.additionalProperties === false) out.push(`${at}: unknown field ${key}`);
      else if (typeof schema.additionalProperties === 'object') out.push(...problems(schema.additionalProperties as Schema, v, `${at}.${key}`));
    }
  }
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s: Schema) => problems(s, value, at).length === 0)) out.push(`${at}: matches none of the alternatives`);
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter((s: Schema) => problems(s, value, at).length === 0).length !== 1) out.push(`${at}: does not match exactly one of ${schema.oneOf.map((s: Schema) => s.title).join(', ')}`);
  return out;
}

const exercise = PUBLISHED_SCHEMAS['exercise.schema.json']();
const exerciseIds = readdirSync(PACK, { withFileTypes: true }).filter((d) => d.isDirectory() && readdirSync(join(PACK, d.name)).includes('exercise.yaml')).map((d) => d.name);

describe('the published JSON Schemas', () => {
  it.each(Object.keys(PUBLISHED_SCHEMAS))('docs/schemas/%s is what the loader schemas generate (run `npx tsx build/scripts/json-schemas.ts`)', (file) => {
    const published = readFileSync(join(ROOT, 'docs/schemas', file), 'utf8');
    expect(published).toBe(`${JSON.stringify(PUBLISHED_SCHEMAS[file as keyof typeof PUBLISHED_SCHEMAS](), null, 2)}\n`);
  });

  it('accepts every bundled exercise.yaml and pack.yaml', () => {
    expect(exerciseIds.length).toBeGreaterThan(20);
    const found = exerciseIds.flatMap((id) => problems(exercise, parse(readFileSync(join(PACK, id, 'exercise.yaml'), 'utf8'))).map((p) => `${id}: ${p}`));
    found.push(...problems(PUBLISHED_SCHEMAS['pack.schema.json'](), parse(readFileSync(join(PACK, 'pack.yaml'), 'utf8'))));
    expect(found).toEqual([]);
  });

  const base = { id: 'x', title: 'X', mode: 'long64', entry: 'f', cases: 10, checks: [{ name: 'c', expect: 'rax == 1' }] };
  it.each([
    ['an unknown top-level field', { ...base, casess: 3 }, /unknown field casess/],
    ['a check with two kinds', { ...base, checks: [{ name: 'c', expect: 'rax == 1', stop: 'hlt' }] }, /does not match exactly one of/],
    ['a check with no kind', { ...base, checks: [{ name: 'c' }] }, /does not match exactly one of/],
    ['a check field of another kind', { ...base, checks: [{ name: 'c', stop: 'hlt', for_each: 'f' }] }, /does not match exactly one of/],
    ['an unknown mode', { ...base, mode: 'real16' }, /is not one of long64, protected32/],
    ['an integer as a word', { ...base, seed: 'ten' }, /matches none of the alternatives/],
    ['no checks', { ...base, checks: [] }, /fewer than 1 items/],
    ['a missing title', { id: 'x', mode: 'long64', entry: 'f', cases: 1, checks: base.checks }, /missing title/],
  ] as const)('refuses %s', (_what, value, message) => {
    expect(problems(exercise, value).join('\n')).toMatch(message);
  });

  it('accepts the smallest exercise', () => {
    expect(problems(exercise, base)).toEqual([]);
  });
});
