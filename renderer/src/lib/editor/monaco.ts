import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/register.all';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { registerX86Features } from './features.ts';
import { registerX86Asm, X86ASM } from './x86asm.ts';

// Monaco asks for its workers here; they are bundled files of this app, never fetched from elsewhere.
self.MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

registerX86Asm(monaco);
registerX86Features(monaco);

const directive = { token: 'annotation', foreground: 'c586c0' };
monaco.editor.defineTheme('switchyard-dark', { base: 'vs-dark', inherit: true, rules: [directive], colors: {} });
monaco.editor.defineTheme('switchyard-light', { base: 'vs', inherit: true, rules: [{ ...directive, foreground: 'af00db' }], colors: {} });
monaco.editor.defineTheme('switchyard-high-contrast', { base: 'hc-black', inherit: true, rules: [{ ...directive, foreground: 'ff9cff' }], colors: {} });

export type Theme = 'dark' | 'light' | 'high-contrast';
export const monacoTheme = (theme: Theme) => `switchyard-${theme}`;

export { monaco };
export type CodeEditor = monaco.editor.IStandaloneCodeEditor;

export function createCodeEditor(container: HTMLElement, value: string, ariaLabel: string, options: { fontSize: number; theme: Theme }): CodeEditor {
  return monaco.editor.create(container, {
    value,
    language: X86ASM,
    theme: monacoTheme(options.theme),
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: options.fontSize,
    tabSize: 8,
    insertSpaces: false,
    renderWhitespace: 'none',
    scrollBeyondLastLine: false,
    glyphMargin: true,
    ariaLabel,
  });
}
