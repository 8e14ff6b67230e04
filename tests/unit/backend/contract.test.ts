import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { events, methods } from '../../../backend/api/contract.ts';

// Both transports serialize as JSON, so every schema in the contract must describe plain JSON:
// a bigint, Date, Map or transform in a result would arrive changed (or not at all) on one of them.
describe('the API contract', () => {
  it.each(Object.entries(methods))('%s describes plain JSON both ways', (_name, spec) => {
    expect(spec.summary.length).toBeGreaterThan(10);
    expect(() => z.toJSONSchema(spec.args, { io: 'input' })).not.toThrow();
    expect(() => z.toJSONSchema(spec.result, { io: 'output' })).not.toThrow();
  });

  it.each(Object.entries(events))('event %s describes plain JSON', (_name, schema) => {
    expect(() => z.toJSONSchema(schema, { io: 'output' })).not.toThrow();
  });

  it('names methods and events as area.action', () => {
    for (const name of [...Object.keys(methods), ...Object.keys(events)]) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
  });

  it('refuses unknown argument fields in every method', () => {
    for (const [name, spec] of Object.entries(methods)) {
      expect(spec.args.safeParse({ unexpectedField: 1 }).success, name).toBe(false);
    }
  });
});
