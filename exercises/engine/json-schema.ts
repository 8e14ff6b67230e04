/**
 * JSON Schemas of exercise.yaml and pack.yaml for pack authors' editors, generated from the
 * schemas the loader itself parses with, so the two cannot drift (a test compares the published
 * files under docs/schemas/ with this output).
 */
import { z } from 'zod';
import { checkKinds, exerciseSchema, packSchema } from './schema.ts';

type JsonSchema = Record<string, unknown>;

const SCHEMA_BASE = 'https://switchyard.invalid/schemas';

/** A check is one of the kinds, told apart by its kind key (the loader's own rule). */
function checkJsonSchema(): JsonSchema {
  return {
    description: 'A check: `name:` plus exactly one kind key.',
    oneOf: Object.entries(checkKinds).map(([kind, schema]) => {
      const { $schema: _drop, ...body } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
      return { title: kind, ...body, required: [...new Set([...((body.required as string[] | undefined) ?? []), 'name', kind])] };
    }),
  };
}

function exerciseJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(exerciseSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema & { properties: Record<string, JsonSchema> };
  schema.properties.checks = { ...schema.properties.checks, items: checkJsonSchema() };
  return { $id: `${SCHEMA_BASE}/exercise.schema.json`, title: 'Switchyard exercise (exercise.yaml)', ...schema };
}

function packJsonSchema(): JsonSchema {
  return { $id: `${SCHEMA_BASE}/pack.schema.json`, title: 'Switchyard exercise pack (pack.yaml)', ...(z.toJSONSchema(packSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema) };
}

export const PUBLISHED_SCHEMAS = { 'exercise.schema.json': exerciseJsonSchema, 'pack.schema.json': packJsonSchema } as const;
