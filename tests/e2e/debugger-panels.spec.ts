import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { bundledPackDir } from '../../backend/grading/pack-dir.ts';
import { replaceSource } from './flow.ts';
import { startServe } from './serve.ts';

test('a failing switch-mm case in the debugger: page tables listed and translated, both threads side by side', async ({ page }) => {
  const serve = await startServe();
  try {
    await page.goto(serve.url.href);
    await expect(page.getByTestId('backend-status')).toHaveAttribute('data-state', 'connected');
    await page.locator('[data-exercise="switch-mm"]').click();
    await expect(page.getByTestId('instructions')).not.toBeEmpty();
    await replaceSource(page, readFileSync(join(bundledPackDir(), 'switch-mm', 'mistakes', 'no-cr3.s'), 'utf8'));
    await page.getByTestId('check').click();
    await expect(page.getByTestId('verdict')).toHaveText('Failed');
    await page.getByTestId('debug-case').click();
    await expect(page.getByTestId('dbg-where')).toContainText('stopped:');

    const panel = page.getByTestId('page-tables');
    await expect(panel).toContainText('4-level');
    await expect(panel.getByTestId('mapping').first()).toBeVisible();
    const firstLinear = await panel.getByTestId('mapping').first().locator('td').first().innerText();
    await panel.getByTestId('translate-address').fill(firstLinear);
    await panel.getByRole('button', { name: 'Translate' }).click();
    await expect(panel.getByTestId('translation')).toContainText('PML4E');
    await expect(panel.getByTestId('translation-result')).toContainText('→ physical');

    await panel.getByTestId('translate-address').fill('0x800000000000');
    await panel.getByRole('button', { name: 'Translate' }).click();
    await expect(panel.getByTestId('translation-result')).toContainText('not canonical');

    const contexts = page.getByTestId('contexts-ta-tb');
    await expect(contexts.locator('tr[data-field="cr3"]')).toHaveClass(/differs/);
  } finally {
    await serve.stop();
  }
});
