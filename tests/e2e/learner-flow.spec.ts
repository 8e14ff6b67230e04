import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { bundledPackDir } from '../../backend/grading/pack-dir.ts';
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

test('a failing case of a system exercise loads into the debugger as graded: the same stop, then from the start the learner\'s first line', async ({ page }) => {
  const serve = await startServe();
  try {
    await openLab(page, serve);
    await page.locator('[data-exercise="trap-common"]').click();
    await expect(page.getByTestId('instructions')).not.toBeEmpty();
    // IRETQ pops the vector as RIP and the error code as CS: grading stops on #GP at the IRETQ, line 36.
    await replaceSource(page, readFileSync(join(bundledPackDir(), 'trap-common', 'mistakes', 'error-code-left.s'), 'utf8'));
    await expect(page.getByTestId('code-editor')).toHaveAttribute('data-errors', '0');
    await page.getByTestId('check').click();
    await expect(page.getByTestId('verdict')).toHaveText('Failed');

    await page.getByTestId('debug-case').click();
    const where = page.getByTestId('dbg-where');
    await expect(where).toContainText('stopped: fault');
    await expect(where).toContainText('line 36');
    // The graded run retired 78 instructions; the debugger's 79th step is the IRETQ that faulted.
    await expect(where).toContainText('position 79 of 79');
    await expect(page.getByTestId('dbg-message')).toContainText('IRETQ: return CS');

    // Back to where the graded run started (the harness, then the jump into isr_common), and forward into the learner's code.
    await page.getByRole('button', { name: 'Reverse' }).click();
    await expect(where).toContainText('position 0 of 79');
    for (let i = 0; i < 40 && !/\bline 4\b/.test(await where.innerText()); i++) {
      await page.getByTestId('dbg-step').click();
      await expect(page.getByTestId('dbg-step')).toBeEnabled();
    }
    await expect(where).toContainText(/\bline 4\b/);
    await expect(where).toContainText('CPL 0');
    await page.getByTestId('dbg-step').click();
    await expect(where).toContainText(/\bline 5\b/);
  } finally {
    await serve.stop();
  }
});
