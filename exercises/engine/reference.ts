/**
 * The reference part of an exercise's instructions, computed from its spec: the machine's mode,
 * every struct with its `PREFIX_FIELD` offset symbols, and the other symbols the learner's file
 * may use. READMEs carry it between markers so that it always says what the spec says.
 */
import type { PreparedExercise } from './exercise.ts';
import type { StructLayout } from './structs.ts';

export const REFERENCE_BEGIN = '<!-- reference: generated from exercise.yaml; edit the spec, not this section -->';
export const REFERENCE_END = '<!-- end of reference -->';

const MODES = {
  long64: '64-bit long mode (`long64`): every case starts in ring 0 with flat segments (code selector 0x08, data 0x10)',
  protected32: '32-bit protected mode (`protected32`): every case starts in ring 0 with flat 4 GiB segments (code selector 0x08, data 0x10)',
} as const;

const hex = (n: number) => `0x${n.toString(16)}`;
const code = (s: string) => `\`${s}\``;

function fieldSymbols(layout: StructLayout): string {
  return layout.fields.map((f) => `${code(`${layout.prefix}_${f.name.toUpperCase()}`)} ${hex(f.offset)}${f.size === 8 ? '' : ` (${f.size} bytes)`}`).join(', ');
}

/** The Markdown section, markers included. */
export function referenceSection(px: PreparedExercise): string {
  const spec = px.exercise.spec;
  const entries = spec.entry.map(code).join(', ');
  const lines = [
    REFERENCE_BEGIN,
    '## Reference: mode, structs and symbols',
    '',
    `**Mode**: ${MODES[spec.mode]}. Your file defines ${entries} (global label${spec.entry.length > 1 ? 's' : ''} in \`.text\`).`,
  ];
  const layouts = [...px.types.values()];
  if (layouts.length) {
    lines.push('', '**Structs**: each field\'s offset is a symbol your file can use (`PREFIX_FIELD`), and `PREFIX_SIZE` is the struct\'s size.', '',
      '| struct | where | offset symbols | size |', '|---|---|---|---|');
    for (const layout of layouts) {
      const where = [...px.regions.values()].filter((r) => r.layout === layout || r.layout?.name === layout.name).map((r) => `${code(r.name)} at ${hex(r.at)}`).join(', ') || '(on a stack)';
      lines.push(`| ${code(layout.name)} | ${where} | ${fieldSymbols(layout)} | ${code(`${layout.prefix}_SIZE`)} ${hex(layout.size)} |`);
    }
  }
  const structNames = new Set(layouts.flatMap((l) => [`${l.prefix}_SIZE`, ...l.fields.map((f) => `${l.prefix}_${f.name.toUpperCase()}`)]));
  const others = Object.entries(px.learnerSymbols).filter(([name]) => !structNames.has(name) && !spec.entry.includes(name) && name !== '_start' && name !== 'start')
    .map(([name, value]) => (px.regions.get(name)?.expose ? `${code(name)} (a region at ${hex(value)})` : `${code(name)} (a global label of the harness)`));
  if (others.length) lines.push('', `**Other symbols your file can use**: ${others.join(', ')}.`);
  lines.push(REFERENCE_END);
  return lines.join('\n');
}

/** The README with its reference section replaced (or appended when it has none). */
export function withReferenceSection(readme: string, section: string): string {
  const begin = readme.indexOf(REFERENCE_BEGIN);
  const end = readme.indexOf(REFERENCE_END);
  if (begin >= 0 && end > begin) return readme.slice(0, begin) + section + readme.slice(end + REFERENCE_END.length);
  return `${readme.replace(/\s*$/, '')}\n\n${section}\n`;
}
