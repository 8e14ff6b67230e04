/** Turns the text of a pack's files into validated specs, with errors that name the file, the field and what was expected. */
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { exerciseSchema, packSchema, type ExerciseSpec, type PackSpec } from './schema.ts';

export class SpecError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(top level)';
}

function parseYaml<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecError(file, doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return `line ${pos.line}, column ${pos.col}: YAML syntax error: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '')}`;
    }));
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const result = schema.safeParse(data ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    const node = doc.getIn(path as unknown[], true);
    const line = isNode(node) && node.range ? ` (line ${lineCounter.linePos(node.range[0]).line})` : '';
    if (issue.code === 'unrecognized_keys') return `${formatPath(path)}: unknown field; is it misspelled?${line}`;
    return `${formatPath(issue.path)}: ${issue.message}${line}`;
  });
  throw new SpecError(file, problems);
}

export function parseExerciseSpec(file: string, text: string): ExerciseSpec {
  return parseYaml(file, text, exerciseSchema);
}

export function parsePackSpec(file: string, text: string): PackSpec {
  return parseYaml(file, text, packSchema);
}

/** Progressive hints from hints.md: one hint per `## ` section (text before the first is an introduction, not a hint), or one per paragraph when there are no such headings. */
export function parseHintsMarkdown(text: string): string[] {
  const parts = text.split(/^##\s.*$/m);
  if (parts.length > 1) return parts.slice(1).map((s) => s.trim()).filter(Boolean);
  return text.split(/\n\s*\n/).map((s) => s.trim()).filter(Boolean);
}
