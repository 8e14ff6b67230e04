import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLayers, importsOf, layerViolation } from '../../../build/scripts/check-layers.mjs';

const ROOT = join(import.meta.dirname, '../../..');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the layering lint', () => {
  it('finds no cycle and no upward import in this source tree', () => {
    const { files, problems } = checkLayers(ROOT);
    expect(files).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it.each([
    ['emulator/ops/alu.ts', 'emulator/cpu/state.ts', null],
    ['emulator/cpu/state.ts', 'emulator/arch/segments.ts', null],
    ['emulator/machine.ts', 'emulator/decode/cache.ts', null],
    ['emulator/decode/dispatch.ts', 'emulator/isa/table.ts', null],
    ['emulator/cpu/state.ts', 'emulator/ops/segments.ts', /emulator\/cpu\/ is below emulator\/ops\//],
    ['emulator/memory/paging.ts', 'emulator/cpu/state.ts', /emulator\/memory\/ is below emulator\/cpu\//],
    ['emulator/ops/system.ts', 'emulator/decode/dispatch.ts', /below emulator\/decode\//],
    ['emulator/arch/faults.ts', 'emulator/cpu/state.ts', /below/],
    ['emulator/asm/core.ts', 'emulator/cpu/state.ts', /stands beside the CPU/],
    ['emulator/asm/core.ts', 'emulator/arch/registers.ts', null],
    ['emulator/cpu/state.ts', 'backend/store/store.ts', /emulator\/ imports nothing outside itself/],
    ['exercises/engine/grade.ts', 'backend/store/store.ts', /exercises\/engine\/ imports only emulator\//],
    ['exercises/engine/grade.ts', 'emulator/machine.ts', null],
    ['renderer/src/lib/api.ts', 'backend/store/store.ts', /only through backend\/api\/contract.ts/],
    ['renderer/src/lib/api.ts', 'electron/shell/ipc.ts', /only through backend\/api\/contract.ts/],
    ['backend/server/lab-server.ts', 'electron/shell/hardening.ts', /imports nothing from electron\/ or renderer\//],
    ['electron/main.ts', 'backend/api/events.ts', null],
    ['renderer/src/lib/api.ts', 'backend/api/contract.ts', null],
    ['backend/cli/main.ts', 'exercises/engine/grade.ts', null],
  ] as const)('%s → %s', (from, to, expected) => {
    const why = layerViolation(from, to);
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });

  it('reads static, re-exported, type-only and dynamic imports with their lines', () => {
    const found = importsOf('/r/emulator/ops/x.ts', "import { a } from './a.ts';\nimport type { B } from '../cpu/b.ts';\nexport { c } from './c.ts';\nconst d = await import('./d.ts');\nimport x from 'node:fs';\n");
    expect(found).toEqual([
      { target: '/r/emulator/ops/a.ts', typeOnly: false, line: 1 },
      { target: '/r/emulator/cpu/b.ts', typeOnly: true, line: 2 },
      { target: '/r/emulator/ops/c.ts', typeOnly: false, line: 3 },
      { target: '/r/emulator/ops/d.ts', typeOnly: false, line: 4 },
    ]);
  });

  it('reports a cycle, even of types, and an upward import with its file and line', () => {
    const root = tree({
      'emulator/cpu/a.ts': "import type { B } from './b.ts';\nexport type A = B;\n",
      'emulator/cpu/b.ts': "import type { A } from './a.ts';\nexport type B = A;\n",
      'emulator/memory/m.ts': "export const x = 1;\nimport { s } from '../cpu/s.ts';\n",
      'emulator/cpu/s.ts': 'export const s = 1;\n',
    });
    expect(checkLayers(root).problems).toEqual([
      'emulator/memory/m.ts:2: imports emulator/cpu/s.ts: emulator/memory/ is below emulator/cpu/ (arch ← memory ← cpu ← ops ← decode ← blocks ← machine): move the shared part down',
      'import cycle: emulator/cpu/a.ts ↔ emulator/cpu/b.ts',
    ]);
  });
});
