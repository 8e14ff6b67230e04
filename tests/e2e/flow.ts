import { expect, type Page } from '@playwright/test';

/** The mistake: rcx goes where rbx belongs. The learner finds it in the debugger and fixes it. */
export const WRONG = `    .intel_syntax noprefix
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

/** Replaces the editor's text as typing would (through Monaco's model, so the draft saver sees every change). */
export async function replaceSource(page: Page, text: string): Promise<void> {
  const editor = page.locator('.monaco-editor').first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

export async function editorText(page: Page): Promise<string> {
  return (await page.locator('.monaco-editor .view-lines').innerText()).replace(/\u00a0/g, ' ');
}

/** From an open lab: open save-context, fail with the field diff, debug the case back to the mistake, fix it and pass. */
export async function failDebugFixPass(page: Page): Promise<void> {
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

}

/** After a restart on the same data directory: the exercise is still passed and the fixed draft comes back. */
export async function expectProgressAndDraftKept(page: Page): Promise<void> {
    await expect(page.getByTestId('progress-save-context')).toHaveText('passed 12/12');
    await page.locator('[data-exercise="save-context"]').click();
    await expect.poll(() => editorText(page)).toContain('mov [rdi + CTX_RBX], rbx');
}
