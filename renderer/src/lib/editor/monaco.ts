import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/register.all';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { registerX86Asm, X86ASM } from './x86asm.ts';

// Monaco asks for its workers here; they are bundled files of this app, never fetched from elsewhere.
self.MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

registerX86Asm(monaco);

export type CodeEditor = monaco.editor.IStandaloneCodeEditor;

export function createCodeEditor(container: HTMLElement, value: string, ariaLabel: string): CodeEditor {
  return monaco.editor.create(container, {
    value,
    language: X86ASM,
    theme: 'vs-dark',
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
    tabSize: 8,
    insertSpaces: false,
    renderWhitespace: 'none',
    scrollBeyondLastLine: false,
    ariaLabel,
  });
}
