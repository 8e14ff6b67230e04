import type * as Monaco from 'monaco-editor/editor/editor.api';

export const X86ASM = 'x86asm';

const REGISTERS = [
  ...['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'rip'],
  ...['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eip'],
  ...['ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'sp', 'ip'],
  ...['al', 'bl', 'cl', 'dl', 'ah', 'bh', 'ch', 'dh', 'sil', 'dil', 'bpl', 'spl'],
  ...Array.from({ length: 8 }, (_, i) => [`r${i + 8}`, `r${i + 8}d`, `r${i + 8}w`, `r${i + 8}b`]).flat(),
  ...['cs', 'ds', 'es', 'fs', 'gs', 'ss'],
  ...['cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7'],
  ...['rflags', 'eflags', 'flags'],
];

/**
 * A first GAS-flavoured grammar (AT&T and Intel syntax): comments, directives, registers with or
 * without `%`, numbers, labels and strings. Instruction-aware highlighting comes with the assembler.
 */
export const x86asmTokens: Monaco.languages.IMonarchLanguage = {
  defaultToken: '',
  ignoreCase: true,
  registers: REGISTERS,
  tokenizer: {
    root: [
      [/#.*$/, 'comment'],
      [/;.*$/, 'comment'],
      [/\/\/.*$/, 'comment'],
      [/\/\*/, 'comment', '@blockComment'],
      [/^\s*[A-Za-z_.$][\w.$]*:/, 'type.identifier'],
      [/^\s*\d+:/, 'type.identifier'],
      [/\.[A-Za-z_][\w.]*/, 'keyword'],
      [/%[A-Za-z][\w]*/, 'variable.predefined'],
      [/\$?-?0[xX][0-9a-fA-F]+\b/, 'number.hex'],
      [/\$?-?0[bB][01]+\b/, 'number.binary'],
      [/\$?-?\d+\b/, 'number'],
      [/\b\d+[fb]\b/, 'type.identifier'],
      [/"([^"\\]|\\.)*"/, 'string'],
      [/'([^'\\]|\\.)'/, 'string'],
      [/[A-Za-z_][\w]*/, { cases: { '@registers': 'variable.predefined', '@default': 'identifier' } }],
      [/[,()[\]+\-*:]/, 'delimiter'],
    ],
    blockComment: [
      [/[^*/]+/, 'comment'],
      [/\*\//, 'comment', '@pop'],
      [/[*/]/, 'comment'],
    ],
  },
};

export const x86asmConfiguration: Monaco.languages.LanguageConfiguration = {
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
};

export function registerX86Asm(monaco: typeof Monaco): void {
  if (monaco.languages.getLanguages().some((language) => language.id === X86ASM)) return;
  monaco.languages.register({ id: X86ASM, extensions: ['.s', '.S', '.asm'], aliases: ['x86 assembly', 'GAS'] });
  monaco.languages.setMonarchTokensProvider(X86ASM, x86asmTokens);
  monaco.languages.setLanguageConfiguration(X86ASM, x86asmConfiguration);
}
