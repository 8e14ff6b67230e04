import type * as Monaco from 'monaco-editor/editor/editor.api';
import { INSTRUCTIONS } from '../../../../emulator/isa/table.ts';
import { directiveNames } from '../../../../emulator/asm/directives.ts';

export const X86ASM = 'x86asm';

export const REGISTERS = [
  ...['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'rip'],
  ...['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eip'],
  ...['ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'sp', 'ip'],
  ...['al', 'bl', 'cl', 'dl', 'ah', 'bh', 'ch', 'dh', 'sil', 'dil', 'bpl', 'spl'],
  ...Array.from({ length: 8 }, (_, i) => [`r${i + 8}`, `r${i + 8}d`, `r${i + 8}w`, `r${i + 8}b`]).flat(),
  ...['cs', 'ds', 'es', 'fs', 'gs', 'ss'],
  ...['cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7'],
  ...['rflags', 'eflags', 'flags'],
];

/** The assembler's own directive table, plus the argument words completion should offer. */
export const DIRECTIVES: readonly string[] = [...directiveNames, 'noprefix'];

const PREFIXES = ['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'data16', 'addr32', 'rex64'];
const ATT_SUFFIXES = ['b', 'w', 'l', 'q'];

/** Intel names as the emulator implements them, plus the AT&T spellings with an operand-size suffix. */
export const MNEMONICS: readonly string[] = [...new Set(INSTRUCTIONS.map((i) => i.mnemonic.toLowerCase()))];
const MNEMONIC_SPELLINGS = [...new Set([...MNEMONICS, ...MNEMONICS.flatMap((m) => ATT_SUFFIXES.map((s) => m + s)), ...PREFIXES, 'iretq', 'sysretq', 'movabs', 'cltq', 'cqto', 'cltd', 'ljmp', 'lcall', 'lret'])];

/** The instruction a spelling names: `pushq` is PUSH, `iretq` IRETQ if the table has it. */
/** Every instruction a word can name: `movq` is MOV with an AT&T size suffix and also SSE's MOVQ. */
export function instructionReadings(word: string): (typeof INSTRUCTIONS)[number][] {
  const upper = word.toUpperCase();
  const last = upper.at(-1)?.toLowerCase();
  const suffixed = last && ATT_SUFFIXES.includes(last) ? INSTRUCTIONS.filter((i) => i.mnemonic === upper.slice(0, -1)) : [];
  return [...suffixed, ...INSTRUCTIONS.filter((i) => i.mnemonic === upper)];
}

export function instructionFacts(word: string) {
  const upper = word.toUpperCase();
  return INSTRUCTIONS.find((i) => i.mnemonic === upper) ?? instructionReadings(word)[0];
}

const common: Monaco.languages.IMonarchLanguageRule[] = [
  [/#.*$/, 'comment'],
  [/;.*$/, 'comment'],
  [/\/\/.*$/, 'comment'],
  [/\/\*/, 'comment', '@blockComment'],
  [/^\s*[A-Za-z_.$][\w.$]*:/, 'type.identifier'],
  [/^\s*\d+:/, 'type.identifier'],
  [/"([^"\\]|\\.)*"/, 'string'],
  [/'([^'\\]|\\.)'/, 'string'],
];

/**
 * GNU as in both syntaxes. The tokenizer follows `.intel_syntax` / `.att_syntax` through the file
 * (Monarch carries its state from line to line): AT&T registers carry `%` and immediates `$`,
 * Intel registers are bare words and operands take `qword ptr`.
 */
const x86asmTokens: Monaco.languages.IMonarchLanguage = {
  defaultToken: '',
  ignoreCase: true,
  registers: REGISTERS,
  mnemonics: MNEMONIC_SPELLINGS,
  sizes: ['byte', 'word', 'dword', 'qword', 'tbyte', 'xmmword', 'ptr', 'offset', 'far', 'near'],
  tokenizer: {
    root: [
      [/\.intel_syntax\b/, { token: 'annotation', switchTo: '@intel' }],
      ...common,
      [/\.[A-Za-z_][\w.]*/, 'annotation'],
      [/%[A-Za-z][\w]*/, 'variable.predefined'],
      [/\$?-?0[xX][0-9a-fA-F]+\b/, 'number.hex'],
      [/\$?-?0[bB][01]+\b/, 'number.binary'],
      [/\$?-?\d+\b/, 'number'],
      [/\b\d+[fb]\b/, 'type.identifier'],
      [/[A-Za-z_][\w]*/, { cases: { '@mnemonics': 'keyword', '@default': 'identifier' } }],
      [/[,()[\]+\-*:$]/, 'delimiter'],
    ],
    intel: [
      [/\.att_syntax\b/, { token: 'annotation', switchTo: '@root' }],
      ...common,
      [/\.[A-Za-z_][\w.]*/, 'annotation'],
      [/-?0[xX][0-9a-fA-F]+\b/, 'number.hex'],
      [/-?[0-9][0-9a-fA-F]*[hH]\b/, 'number.hex'],
      [/-?0[bB][01]+\b/, 'number.binary'],
      [/-?\d+\b/, 'number'],
      [/\b\d+[fb]\b/, 'type.identifier'],
      [/[A-Za-z_][\w]*/, { cases: { '@registers': 'variable.predefined', '@sizes': 'keyword.type', '@mnemonics': 'keyword', '@default': 'identifier' } }],
      [/[,()[\]+\-*:]/, 'delimiter'],
    ],
    blockComment: [
      [/[^*/]+/, 'comment'],
      [/\*\//, 'comment', '@pop'],
      [/[*/]/, 'comment'],
    ],
  },
};

const x86asmConfiguration: Monaco.languages.LanguageConfiguration = {
  comments: { lineComment: '#', blockComment: ['/*', '*/'] },
  brackets: [
    ['(', ')'],
    ['[', ']'],
  ],
  autoClosingPairs: [
    { open: '(', close: ')' },
    { open: '[', close: ']' },
    { open: '"', close: '"' },
  ],
  wordPattern: /(%|\.)?[A-Za-z_$][\w.$]*|-?\d[\w]*/,
};

/** Where each label of a source is defined (1-based lines), for go-to-definition and completion. */
export function labelDefinitions(source: string): Map<string, { line: number; column: number }> {
  const labels = new Map<string, { line: number; column: number }>();
  source.split('\n').forEach((text, index) => {
    const match = /^(\s*)([A-Za-z_.$][\w.$]*):/.exec(text);
    if (match && !labels.has(match[2])) labels.set(match[2], { line: index + 1, column: match[1].length + 1 });
  });
  return labels;
}

/** Whether the syntax in force at a line is Intel (the last `.intel_syntax` / `.att_syntax` above it wins). */
export function intelSyntaxAt(source: string, line: number): boolean {
  let intel = false;
  const lines = source.split('\n');
  for (let i = 0; i < Math.min(line, lines.length); i++) {
    const code = lines[i].replace(/#.*$/, '');
    if (/\.intel_syntax\b/.test(code)) intel = true;
    else if (/\.att_syntax\b/.test(code)) intel = false;
  }
  return intel;
}

export function registerX86Asm(monaco: typeof Monaco): void {
  if (monaco.languages.getLanguages().some((language) => language.id === X86ASM)) return;
  monaco.languages.register({ id: X86ASM, extensions: ['.s', '.S', '.asm'], aliases: ['x86 assembly', 'GAS'] });
  monaco.languages.setMonarchTokensProvider(X86ASM, x86asmTokens);
  monaco.languages.setLanguageConfiguration(X86ASM, x86asmConfiguration);
}
