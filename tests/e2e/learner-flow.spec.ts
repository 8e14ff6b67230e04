import { expect, test, type Page } from '@playwright/test';
import { startServe, type RunningServe } from './serve.ts';

/** The mistake: rcx goes where rbx belongs. The learner finds it in the debugger and fixes it. */
const WRONG = `    .intel_syntax noprefix
    .globl save_context
save_context:
    pushfq
    mov [rdi + CTX_RAX], rax
    mov [rdi + CTX_RBX], rcx
    mov [rdi + CTX_RCX], rcx
    mov [rdi + CTX_RDX], rdx
    mov [rdi + CTX_RSI], rsi
    mov [rdi + CTX_RDI], rdi
    mov [rdi + CTX_RBP], rbp
    mov [rdi + CTX_R8], r8
    mov [rdi + CTX_R9], r9
    mov [rdi + CTX_R10], r10
    mov [rdi + CTX_R11], r11
    mov [rdi + CTX_R12], r12
    mov [rdi + CTX_R13], r13
    mov [rdi + CTX_R14], r14
    mov [rdi + CTX_R15], r15
    lea rax, [rsp + 16]
    mov [rdi + CTX_RSP], rax
    mov rax, [rsp + 8]
    mov [rdi + CTX_RIP], rax
    pop rax
    mov [rdi + CTX_RFLAGS], rax
    mov rax, [rdi + CTX_RAX]
    ret
`;
const MISTAKE_LINE = 6;

async function openLab(page: Page, serve: RunningServe): Promise<void> {
  await page.goto(serve.url.href);
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-state', 'connected');
}

/** Replaces the editor's text as typing would (through Monaco's model, so the draft saver sees every change). */
async function replaceSource(page: Page, text: string): Promise<void> {
  const editor = page.locator('.monaco-editor').first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

async function editorText(page: Page): Promise<string> {
  return (await page.locator('.monaco-editor .view-lines').innerText()).replace(/\u00a0/g, ' ');
}

test('open, fail, debug the failing case back to the mistake, fix, pass, restart: progress and draft are kept', async ({ page }) => {
  let serve = await startServe();
  const external: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(serve.origin)) external.push(request.url());
  });
  try {
    await openLab(page, serve);
    await expect(page.getByTestId('progress-save-context')).toHaveText('not started');
    await page.locator('[data-exercise="save-context"]').click();
    await expect(page.getByTestId('document-title')).toHaveText('Save every register into a context struct');
    await expect(page.getByTestId('instructions')).toContainText('save_context');

    await replaceSource(page, WRONG);
    await expect(page.getByTestId('code-editor')).toHaveAttribute('data-errors', '0');
    await page.getByTestId('check').click();
    await expect(page.getByTestId('verdict')).toHaveText('Failed');
    await expect(page.getByTestId('first-failure')).toContainText('ctx.rbx');
    const rbxRow = page.getByTestId('field-diff').locator('tr[data-field="rbx"]');
    await expect(rbxRow).toHaveClass(/mismatch/);
    await expect(page.getByTestId('field-diff').locator('tr[data-field="rcx"]')).not.toHaveClass(/mismatch/);
    await expect(page.getByTestId('minimized')).toBeVisible();
    await expect(page.getByTestId('progress-save-context')).toHaveText(/attempted 8\/12/);

    await page.getByTestId('debug-case').click();
    await expect(page.getByTestId('dbg-where')).toContainText('stopped: hlt');
    await expect(page.getByTestId('struct-ctx').locator('tr[data-field="rbx"] td.mono')).toHaveText(
      await page.getByTestId('registers').locator('tr[data-register="rcx"] td.mono').innerText(),
    );
    // Step back until the debugger stands on the line that wrote the wrong register.
    for (let i = 0; i < 40; i++) {
      const where = await page.getByTestId('dbg-where').innerText();
      if (where.includes(`line ${MISTAKE_LINE}`)) break;
      await page.getByTestId('dbg-step-back').click();
      await expect(page.getByTestId('dbg-step-back')).toBeEnabled();
    }
    await expect(page.getByTestId('dbg-where')).toContainText(`line ${MISTAKE_LINE}`);
    await expect(page.locator('.sy-current-line')).toHaveCount(1);

    const fixed = WRONG.replace('mov [rdi + CTX_RBX], rcx', 'mov [rdi + CTX_RBX], rbx');
    await replaceSource(page, fixed);
    await page.getByTestId('check').click();
    await expect(page.getByTestId('verdict')).toHaveText('Passed');
    await expect(page.getByTestId('progress-save-context')).toHaveText('passed 12/12');
    await expect(page.locator('header .subtitle')).toContainText('draft saved');

    // Restart the lab: a new server process on the same data directory, a fresh page.
    await serve.stop();
    serve = await startServe({ dataDir: serve.dataDir });
    await page.evaluate(() => localStorage.clear());
    await openLab(page, serve);
    await expect(page.getByTestId('progress-save-context')).toHaveText('passed 12/12');
    await page.locator('[data-exercise="save-context"]').click();
    await expect.poll(() => editorText(page)).toContain('mov [rdi + CTX_RBX], rbx');
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
