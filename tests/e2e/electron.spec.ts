import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron, expect, test } from '@playwright/test';
import { expectProgressAndDraftKept, failDebugFixPass } from './flow.ts';
import { repoRoot } from './serve.ts';

/** The Electron executable, or why the desktop test cannot run on this machine. */
function electronOrReason(): { binary: string } | { reason: string } {
  let binary: unknown;
  try {
    binary = createRequire(join(repoRoot, 'package.json'))('electron');
  } catch {
    return { reason: 'electron binary not installed (the optional `electron` package is missing or could not download its binary)' };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { reason: 'electron binary not installed' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'electron is installed but there is no display (set DISPLAY, e.g. run under xvfb-run)' };
  }
  return { binary };
}

const found = electronOrReason();

test('the desktop app loads the lab behind the one bridge', async () => {
  test.skip('reason' in found, 'reason' in found ? found.reason : '');
  if (!('binary' in found)) return;

  // Chromium's OS sandbox refuses to start as root (CI runs as root); the page-level sandbox checked below still applies.
  const osSandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const app = await _electron.launch({ executablePath: found.binary, args: [...osSandbox, repoRoot], cwd: repoRoot });
  try {
    const page = await app.firstWindow();
    await expect(page).toHaveTitle('Switchyard');
    const status = page.getByTestId('backend-status');
    await expect(status).toHaveAttribute('data-state', 'connected');
    await expect(status).toContainText('desktop');
    expect(new URL(page.url()).protocol).toBe('switchyard:');

    const editor = page.locator('.monaco-editor').first();
    await expect(editor).toBeVisible();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('iretq');
    await expect.poll(async () => (await page.locator('.monaco-editor .view-lines').innerText()).trim()).toBe('iretq');

    const globals = await page.evaluate(() => {
      const scope = globalThis as Record<string, unknown>;
      const bridge = scope.switchyard as Record<string, unknown> | undefined;
      return {
        require: typeof scope.require,
        process: typeof scope.process,
        module: typeof scope.module,
        Buffer: typeof scope.Buffer,
        ipcRenderer: typeof scope.ipcRenderer,
        electron: typeof scope.electron,
        bridgeKeys: bridge ? Object.keys(bridge).sort() : [],
      };
    });
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      Buffer: 'undefined',
      ipcRenderer: 'undefined',
      electron: 'undefined',
      bridgeKeys: ['invoke', 'onEvent', 'transport'],
    });

    // The bridge forwards to the contract and nothing else.
    const unknown = await page.evaluate(() => (globalThis as unknown as { switchyard: { invoke(m: string, a: unknown): Promise<unknown> } }).switchyard.invoke('fs.read', { path: '/etc/passwd' }));
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
  } finally {
    await app.close();
  }
});

test('the learner flow in the desktop app: fail, debug, fix, pass, and after a restart the progress and draft are kept', async () => {
  test.skip('reason' in found, 'reason' in found ? found.reason : '');
  if (!('binary' in found)) return;
  const osSandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const env = { ...process.env, SWITCHYARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchyard-e2e-electron-')) } as Record<string, string>;
  const launch = () => _electron.launch({ executablePath: found.binary, args: [...osSandbox, repoRoot], cwd: repoRoot, env });
  let app = await launch();
  try {
    let page = await app.firstWindow();
    await expect(page.getByTestId('backend-status')).toHaveAttribute('data-state', 'connected');
    await failDebugFixPass(page);
    await app.close();
    app = await launch();
    page = await app.firstWindow();
    await page.evaluate(() => localStorage.clear());
    await expect(page.getByTestId('backend-status')).toHaveAttribute('data-state', 'connected');
    await expectProgressAndDraftKept(page);
  } finally {
    await app.close();
  }
});
