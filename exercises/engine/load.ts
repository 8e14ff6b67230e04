/** Turns the text of a pack's files into validated specs, with errors that name the file, the field and what was expected. */
import { isNode, isPair, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
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
  const cut = cutTexts(doc, lineCounter);
  if (cut.length) throw new SpecError(file, cut);
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

/** Fields whose value is prose a learner reads: a ` #` in them starts a YAML comment and silently cuts the text. */
const TEXT_FIELDS = new Set(['title', 'name', 'hint', 'hints', 'why', 'what', 'fails', 'says']);

/**
 * Prose cut short by a comment: an unquoted text value followed, on its line, by ` #...`. YAML
 * reads `raises #GP in ring 3` as `raises` and a comment, so the text is reported, never guessed.
 */
function cutTexts(doc: Document, lines: LineCounter): string[] {
  const problems: string[] = [];
  visit(doc, {
    Scalar(key, node, path) {
      if (key === 'key' || node.type !== 'PLAIN' || node.comment == null || !node.range) return;
      const parent = path[path.length - 1];
      const seqOwner = isSeq(parent) ? path[path.length - 2] : undefined;
      const field = isPair(parent) ? parent.key : isPair(seqOwner) ? seqOwner.key : undefined;
      const name = field && typeof field === 'object' && 'value' in field ? String(field.value) : undefined;
      if (name === undefined || !TEXT_FIELDS.has(name)) return;
      const at = lines.linePos(node.range[1]);
      problems.push(`line ${at.line}: \`${name}\` is cut short after "${String(node.value).slice(-30)}": in YAML an unquoted \` #\` starts a comment, so "#${node.comment.trimStart()}" is not part of the text; put the whole text in quotes (or, if it is a comment, on a line of its own)`);
    },
  });
  return problems;
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
