import type * as Monaco from 'monaco-editor/editor/editor.api';
import { exampleFor, type SyntaxPreference } from './examples.ts';
import { DIRECTIVES, instructionFacts, instructionReadings, intelSyntaxAt, labelDefinitions, MNEMONICS, REGISTERS, X86ASM } from './x86asm.ts';

/**
 * The exercise's symbols (struct offsets, harness globals) the editor offers, set when an exercise
 * opens, and the syntax the learner prefers for examples, set from the settings.
 */
export const editorContext: { symbols: Record<string, number>; syntax: SyntaxPreference } = { symbols: {}, syntax: 'att' };

const SYNTAX_NAMES: Record<SyntaxPreference, string> = { att: 'AT&T', intel: 'Intel' };

/** The example line shown with an instruction, in the preferred syntax. */
function exampleText(mnemonic: string, syntax: SyntaxPreference): string | undefined {
  const example = exampleFor(mnemonic, syntax);
  return example && `Example (${SYNTAX_NAMES[syntax]}): \`${example}\``;
}

/** Hover documentation for a mnemonic (bare or with an AT&T size suffix), examples in `syntax`. */
export function hoverText(word: string, syntax: SyntaxPreference): string | undefined {
  const readings = instructionReadings(word);
  if (readings.length === 0) return undefined;
  return readings.map((facts) => factsText(facts, syntax)).join('\n\n---\n\n');
}

function factsText(facts: ReturnType<typeof instructionReadings>[number], syntax: SyntaxPreference): string {
  const lines = [`**${facts.mnemonic}** (${facts.family})`, '', facts.summary];
  const example = exampleText(facts.mnemonic, syntax);
  if (example) lines.push('', example);
  if (facts.flagsWritten) lines.push('', `Flags written: ${facts.flagsWritten.split('').join(' ')}`);
  if (facts.flagsUndefined) lines.push(`Flags left undefined: ${facts.flagsUndefined.split('').join(' ')}`);
  if (facts.faults.length) lines.push('', `Faults: ${facts.faults.join(', ')}`);
  if (facts.lockable) lines.push('', 'LOCK allowed with a memory destination.');
  return lines.join('\n');
}

/** Completion, hover docs from the emulator's instruction table, and go to a label's definition. */
export function registerX86Features(monaco: typeof Monaco): void {
  const { CompletionItemKind } = monaco.languages;
  monaco.languages.registerCompletionItemProvider(X86ASM, {
    triggerCharacters: ['.', '%'],
    provideCompletionItems(model, position) {
      const word = model.getWordUntilPosition(position);
      const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
      const source = model.getValue();
      const intel = intelSyntaxAt(source, position.lineNumber);
      const syntax = editorContext.syntax;
      const suggestions: Monaco.languages.CompletionItem[] = [
        ...MNEMONICS.map((m) => {
          const example = exampleText(m, syntax);
          return { label: m, kind: CompletionItemKind.Keyword, insertText: m, range, detail: instructionFacts(m)?.summary, ...(example ? { documentation: { value: example } } : {}) };
        }),
        ...REGISTERS.map((r) => ({ label: intel ? r : `%${r}`, kind: CompletionItemKind.Variable, insertText: intel ? r : `%${r}`, range })),
        ...DIRECTIVES.map((d) => ({ label: d, kind: CompletionItemKind.Module, insertText: d, range })),
        ...Object.entries(editorContext.symbols).map(([name, value]) => ({ label: name, kind: CompletionItemKind.Constant, insertText: name, range, detail: `= 0x${value.toString(16)}` })),
        ...[...labelDefinitions(source).keys()].map((label) => ({ label, kind: CompletionItemKind.Function, insertText: label, range, detail: 'label' })),
      ];
      return { suggestions };
    },
  });
  monaco.languages.registerHoverProvider(X86ASM, {
    provideHover(model, position) {
      const word = model.getWordAtPosition(position);
      if (!word) return null;
      const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
      const text = hoverText(word.word, editorContext.syntax);
      if (text) return { range, contents: [{ value: text }] };
      const symbol = editorContext.symbols[word.word];
      if (symbol !== undefined) return { range, contents: [{ value: `\`${word.word}\` = 0x${symbol.toString(16)} (${symbol})` }] };
      return null;
    },
  });
  monaco.languages.registerDefinitionProvider(X86ASM, {
    provideDefinition(model, position) {
      const word = model.getWordAtPosition(position);
      const at = word && labelDefinitions(model.getValue()).get(word.word);
      if (!at) return null;
      return { uri: model.uri, range: new monaco.Range(at.line, at.column, at.line, at.column + word.word.length) };
    },
  });
}
