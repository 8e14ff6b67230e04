import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { bundledPackDir } from '../../backend/grading/pack-dir.ts';
import { replaceSource } from './flow.ts';
import { startServe } from './serve.ts';

const solution = (exercise: string) => readFileSync(join(bundledPackDir(), exercise, 'solution.s'), 'utf8');

/** XMM0's low 128 bits as the register view shows it (as XMM0 or, when AVX is on, as the low half of YMM0). */
async function xmm0(page: Page): Promise<string> {
  const text = await page.getByTestId('vector-registers').locator('tr[data-register="xmm0"], tr[data-register="ymm0"]').locator('td.hex').innerText();
  return text.slice(-33);
}

const areaField = (page: Page, label: string, field: string): Locator => page.locator(`[data-testid="memory-watch"][data-label="${label}"] tr[data-field="${field}"]`);
const areaXmm0 = async (page: Page, label: string) => (await areaField(page, label, 'XMM0').locator('td.value').innerText()).slice(2);

async function openAndDebug(page: Page, exercise: string): Promise<void> {
  await page.locator(`[data-exercise="${exercise}"]`).click();
  await expect(page.getByTestId('instructions')).not.toBeEmpty();
  await replaceSource(page, solution(exercise));
  await page.getByTestId('debug-first-case').click();
  await expect(page.getByTestId('dbg-where')).toContainText('stopped: hlt');
  await expect(page.getByTestId('dbg-step')).toBeEnabled();
}

async function step(page: Page): Promise<void> {
  const before = await page.getByTestId('dbg-where').innerText();
  await page.getByTestId('dbg-step').click();
  await expect(page.getByTestId('dbg-where')).not.toHaveText(before);
  await expect(page.getByTestId('dbg-step')).toBeEnabled();
}

test('xsave-switch in the debugger: XMM registers and the decoded XSAVE areas change as the switch runs', async ({ page }) => {
  const serve = await startServe();
  try {
    await page.goto(serve.url.href);
    await expect(page.getByTestId('backend-status')).toHaveAttribute('data-state', 'connected');
    await openAndDebug(page, 'xsave-switch');

    const fpu = page.getByTestId('fpu-registers');
    await expect(fpu).toHaveAttribute('open', '');
    await expect(fpu.locator('tr[data-register="mxcsr"]')).toContainText('RC=nearest');
    await expect(fpu.locator('tr[data-register="st0"]')).toContainText('empty');

    for (const thread of ['ta', 'tb']) await page.getByTestId(`struct-${thread}`).locator('tr[data-field="fpu"]').getByTestId('decode-save-area').click();
    await expect(page.locator('[data-testid="memory-watch"][data-label="tb.fpu"]')).toHaveAttribute('data-kind', 'xsave');
    await expect(areaField(page, 'tb.fpu', 'XSTATE_BV')).toContainText('SSE');
    await expect(areaField(page, 'tb.fpu', 'MXCSR')).toContainText('RC=nearest');

    // Back to the start, then forward to the learner's XSAVE in the first switch (A → B).
    await page.getByRole('button', { name: 'Reverse' }).click();
    await expect(page.getByTestId('dbg-where')).toContainText('position 0 ');
    await expect(page.getByTestId('dbg-step')).toBeEnabled();
    await page.locator('.monaco-editor .view-line', { hasText: 'xsave THREAD_FPU' }).click();
    await page.getByRole('button', { name: 'To cursor' }).click();
    await expect(page.getByTestId('dbg-where')).toContainText('line 8');
    // The views below the registers are read after them: the stop is complete once the controls are back.
    await expect(page.getByTestId('dbg-step')).toBeEnabled();

    const threadA = await xmm0(page);
    const threadB = await areaXmm0(page, 'tb.fpu');
    expect(threadA).not.toBe(threadB);
    expect(await areaXmm0(page, 'ta.fpu')).not.toBe(threadA);

    await step(page); // xsave: A's registers land in A's area
    await expect(areaField(page, 'ta.fpu', 'XMM0')).toHaveClass(/changed/);
    expect(await areaXmm0(page, 'ta.fpu')).toBe(threadA);
    await expect(areaField(page, 'tb.fpu', 'XMM0')).not.toHaveClass(/changed/);

    await step(page); // xrstor: B's registers come in
    expect(await xmm0(page)).toBe(threadB);
    await expect(page.getByTestId('vector-registers').locator('tr[data-register="xmm0"], tr[data-register="ymm0"]')).toHaveClass(/changed/);

    await fpu.getByTestId('lane-format').selectOption('u8');
    const lanes = await page.getByTestId('vector-registers').locator('tr').first().locator('td.lanes').innerText();
    expect(lanes.trim().split(/\s+/).length % 16).toBe(0);
  } finally {
    await serve.stop();
  }
});

test('an exercise that never touches the FPU keeps the FPU view closed', async ({ page }) => {
  const serve = await startServe();
  try {
    await page.goto(serve.url.href);
    await expect(page.getByTestId('backend-status')).toHaveAttribute('data-state', 'connected');
    await openAndDebug(page, 'save-context');
    await expect(page.getByTestId('fpu-registers')).not.toHaveAttribute('open');
    await expect(page.getByTestId('fpu-registers')).toContainText('not used yet');
  } finally {
    await serve.stop();
  }
});
