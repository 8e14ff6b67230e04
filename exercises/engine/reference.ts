/**
 * The reference part of an exercise's instructions, computed from its spec: the machine's mode,
 * every struct with its `PREFIX_FIELD` offset symbols, and the other symbols the learner's file
 * may use. READMEs carry it between markers so that it always says what the spec says.
 */
import type { PreparedCheck, PreparedExercise } from './exercise.ts';
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
  const rules = gradingRules(px);
  if (rules.length) lines.push('', '**Rules the grader enforces** (hidden checks included: they hide cases, never rules):', '', ...rules.map((r) => `- ${r}`));
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

/** Every restriction a check enforces, in words: the README states them all, hidden checks' ones included. */
function gradingRules(px: PreparedExercise): string[] {
  const out: string[] = [];
  for (const c of px.checks) {
    const rule = ruleOf(c, px);
    if (rule && !out.includes(rule)) out.push(rule);
  }
  return out;
}

function ruleOf(c: PreparedCheck, px: PreparedExercise): string | undefined {
  switch (c.kind) {
    case 'writes_only': {
      const places = c.regions.map((r) => (r === 'data' ? "your file's own `.data` and `.bss`" : code(r)));
      return `Your code writes only to ${places.join(', ')}${c.regions.includes('data') ? '' : " (not even to your file's own `.data` or `.bss`)"}.`;
    }
    case 'stop': {
      const kind = c.stop === 'fault' ? `a fault${c.vector !== undefined ? ` (vector ${c.vector})` : ''}` : c.stop === 'no-fault' ? 'no fault' : c.stop === 'hlt' ? 'the harness\'s `hlt`' : 'a triple fault';
      return `Every case ends with ${kind}${c.cpl !== undefined ? ` in ring ${c.cpl}` : ''}.`;
    }
    case 'preserved': return `${c.registers.map((r) => code(px.bits === 32 ? NAMES_32[r] ?? r : r)).join(', ')} ${c.registers.length > 1 ? 'are' : 'is'} preserved.`;
    case 'requires': return `Your code uses ${c.mnemonics.map(code).join(', ')}.`;
    case 'forbids': return `Your code does not use ${c.mnemonics.map(code).join(', ')}.`;
    case 'max_instructions': return `A case takes at most ${c.limit} instructions, the harness's included.`;
    case 'max_code_bytes': return `Your \`.text\` is at most ${c.limit} bytes.`;
    default: return undefined;
  }
}

const NAMES_32: Record<string, string> = { rax: 'eax', rbx: 'ebx', rcx: 'ecx', rdx: 'edx', rsi: 'esi', rdi: 'edi', rbp: 'ebp', rsp: 'esp', rip: 'eip', rflags: 'eflags' };
