import { expect, test, type Page } from '@playwright/test';
import { editorText, expectProgressAndDraftKept, failDebugFixPass, replaceSource } from './flow.ts';
import { startServe, type RunningServe } from './serve.ts';

async function openLab(page: Page, serve: RunningServe): Promise<void> {
  await page.goto(serve.url.href);
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-state', 'connected');
}

test('open, fail, debug the failing case back to the mistake, fix, pass, restart: progress and draft are kept', async ({ page }) => {
  let serve = await startServe();
  // Every request of the page and its workers: anything not to the lab's own origin fails the test.
  const external: string[] = [];
  page.context().on('request', (request) => {
    if (!request.url().startsWith(serve.origin)) external.push(request.url());
  });
  try {
    await openLab(page, serve);
    await failDebugFixPass(page);
    // Restart the lab: a new server process on the same data directory, a fresh page.
    await serve.stop();
    serve = await startServe({ dataDir: serve.dataDir });
    await page.evaluate(() => localStorage.clear());
    await openLab(page, serve);
    await expectProgressAndDraftKept(page);
    expect(external).toEqual([]);
  } finally {
    await serve.stop();
  }
});

test('a draft typed but never checked survives a restart', async ({ page }) => {
  let serve = await startServe();
  try {
    await openLab(page, serve);
    await page.locator('[data-exercise="callee-saved"]').click();
    await expect(page.getByTestId('instructions')).not.toBeEmpty();
    await replaceSource(page, '# my unfinished attempt\n    ret\n');
    await expect(page.locator('header .subtitle')).toContainText('draft saved');
    await serve.stop();
    serve = await startServe({ dataDir: serve.dataDir });
    await page.evaluate(() => localStorage.clear());
    await openLab(page, serve);
    await page.locator('[data-exercise="callee-saved"]').click();
    await expect.poll(() => editorText(page)).toContain('# my unfinished attempt');
    await expect(page.getByTestId('progress-callee-saved')).toHaveText('not started');
  } finally {
    await serve.stop();
  }
});

test('live diagnostics: a bad line gets a marker while typing, and the sandbox stops a runaway loop', async ({ page }) => {
  const serve = await startServe();
  try {
    await openLab(page, serve);
    await replaceSource(page, '\tmovq %rax, %rbx\n\tfrobnicate %rax\n');
    await expect(page.getByTestId('code-editor')).toHaveAttribute('data-errors', '1');
    await expect(page.locator('.monaco-editor .squiggly-error')).toHaveCount(1);

    await replaceSource(page, 'spin:\n\tincq %rax\n\tjmp spin\n');
    await expect(page.getByTestId('code-editor')).toHaveAttribute('data-errors', '0');
    await page.getByTestId('sandbox-run').click();
    await expect(page.getByTestId('dbg-where')).toContainText('stopped: start');
    await page.getByTestId('dbg-continue').click();
    await expect(page.getByTestId('dbg-stop')).toBeEnabled();
    // The page stays responsive while the loop runs in the worker.
    await page.getByRole('button', { name: '?' }).click();
    await expect(page.getByTestId('help-overlay')).toBeVisible();
    await page.keyboard.press('Escape');
    await page.getByTestId('dbg-stop').click();
    await expect(page.getByTestId('dbg-where')).toContainText('stopped: paused');
    await expect(page.getByTestId('registers').locator('tr[data-register="rax"]')).not.toContainText('0x0');
  } finally {
    await serve.stop();
  }
});
