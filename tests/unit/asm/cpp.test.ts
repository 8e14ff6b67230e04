import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, wantsPreprocessor, type IncludeReader } from '../../../emulator/asm/index.ts';
import { includeReaderWithin, readSourceFile } from '../../../backend/grading/source-file.ts';

const files: Record<string, string> = {
  'regs.h': '#define SAVE(r) pushq %r\n#define FRAME 16\n',
  'bad.h': 'nop\nmovq %rxx, %rax\n',
};
const include: IncludeReader = (name) => (files[name] !== undefined ? { ok: true, file: name, text: files[name] } : { ok: false, error: `#include "${name}": no such file` });
const bytes = (source: string, fileName = 'f.S') => {
  const r = assemble(source, { fileName, include });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return Buffer.from(r.sections[0].bytes).toString('hex');
};
const plain = (source: string) => Buffer.from(assemble(source).sections[0].bytes).toString('hex');

describe('C preprocessor for .S sources', () => {
  it.each([
    ['object-like defines', '#define N 3\n.byte N', '.byte 3'],
    ['function-like defines with # and ##', '#define S(x) #x\n#define P(a, b) a##b\n.ascii S(hi)\n.byte P(1, 2)', '.ascii "hi"\n.byte 12'],
    ['#undef', '#define N 3\n#undef N\nN = 4\n.byte N', '.byte 4'],
    ['#if with defined() and arithmetic', '#define A 2\n#if defined(A) && A * 2 == 4\n.byte 1\n#elif 1\n.byte 2\n#else\n.byte 3\n#endif', '.byte 1'],
    ['#ifndef / #else', '#ifndef NOPE\n.byte 5\n#else\n.byte 6\n#endif', '.byte 5'],
    ['__ASSEMBLER__ and __x86_64__', '#if __ASSEMBLER__ && defined(__x86_64__)\n.byte 7\n#endif', '.byte 7'],
    ['includes', '#include "regs.h"\nSAVE(rbx)\n.byte FRAME', 'pushq %rbx\n.byte 16'],
    ['C comments go, # comments of assembly stay', '#define X 1 /* one */\n.byte X // x\n# a comment', '.byte 1'],
  ])('%s', (_name, source, equivalent) => {
    expect(bytes(source)).toBe(plain(equivalent));
  });

  it('runs for .S files and files starting with a directive, never for .s files', () => {
    expect([wantsPreprocessor('nop', 'a.S'), wantsPreprocessor('#define X 1', 'a.s'), wantsPreprocessor('#define X 1'), wantsPreprocessor('# a comment\nnop')]).toEqual([true, false, true, false]);
  });

  it('keeps diagnostics, listing and symbols on the original lines', () => {
    const r = assemble('#include "regs.h"\n#define N 1\n\n.byte N\nlbl: movq %rxx, %rax', { fileName: 'f.S', include });
    expect(r.diagnostics.map((d) => [d.line, d.message])).toEqual([[5, 'unknown register %rxx; did you mean %rax?']]);
    expect(r.listing.map((l) => l.line)).toEqual([4]);
    expect(r.symbols.find((s) => s.name === 'lbl')?.line).toBe(5);
  });

  it('reports a problem in an included file there, linking the #include line', () => {
    const r = assemble('.byte 1\n#include "bad.h"', { fileName: 'f.S', include });
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect({ file: d.file, line: d.line, related: d.related }).toEqual({ file: 'bad.h', line: 2, related: [{ line: 2, column: 1, endLine: 2, endColumn: 2, message: '`bad.h` is included from line 2' }] });
  });

  it.each([
    ['#error', '#error no SMP here', '#error no SMP here'],
    ['missing include', '#include "none.h"', '#include "none.h": no such file'],
    ['system include', '#include <asm/linkage.h>', '#include <asm/linkage.h>: system headers are not available; include files of the exercise with #include "..."'],
    ['unterminated #if', 'nop\n#ifdef X\nnop', 'unterminated #if (no #endif)'],
  ])('%s is one error at its line', (_name, source, message) => {
    const r = assemble(source, { fileName: 'f.S', include });
    expect(r.diagnostics.map((d) => d.message)).toEqual([message]);
    expect(r.diagnostics[0].line).toBe(source.split('\n').findIndex((l) => l.startsWith('#')) + 1);
  });

  it('includes only files inside the exercise folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'cpp-'));
    mkdirSync(join(root, 'ex'));
    writeFileSync(join(root, 'secret.h'), '.byte 1\n');
    writeFileSync(join(root, 'ex', 'ok.h'), '#define V 9\n');
    writeFileSync(join(root, 'ex', 'main.S'), '#include "ok.h"\n.byte V\n#include "../secret.h"\n');
    const read = readSourceFile(join(root, 'ex', 'main.S'));
    expect(read.ok).toBe(true);
    const r = assemble(read.ok ? read.text : '');
    expect(Buffer.from(r.sections[0].bytes).toString('hex')).toBe('09');
    expect(r.diagnostics.map((d) => [d.line, d.message])).toEqual([[3, '#include "../secret.h": the file is outside the exercise folder; only files inside it can be included']]);
    expect(includeReaderWithin(join(root, 'ex'))('/etc/passwd', '')).toMatchObject({ ok: false });
  });
});
