// `npx tsx build/scripts/screenshots.ts`: refreshes docs/screenshots/*.png from the real lab in
// browser mode (Chromium), on a fresh data directory, so a reader can see the lab without running it.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/e2e/playwright.config.ts';
import { WRONG } from '../../tests/e2e/flow.ts';
import { startServe } from '../../tests/e2e/serve.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');

/** Pastes a whole file, as a learner would (typing it would let the editor re-indent every line). */
async function replaceSource(page: Page, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.locator('.monaco-editor').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, `${name}.png`) });
  process.stdout.write(`docs/screenshots/${name}.png\n`);
}

mkdirSync(outDir, { recursive: true });
const serve = await startServe();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(serve.url.href);
  await page.getByTestId('backend-status').and(page.locator('[data-state="connected"]')).waitFor();

  await page.locator('[data-exercise="save-context"]').click();
  await page.getByTestId('instructions').locator('*').first().waitFor();
  await shot(page, 'exercise');

  await replaceSource(page, WRONG);
  await page.getByTestId('check').click();
  await page.getByTestId('field-diff').waitFor();
  await shot(page, 'failing-check');

  await page.getByTestId('debug-case').click();
  await page.getByTestId('dbg-where').getByText('stopped: hlt').waitFor();
  for (let i = 0; i < 21; i++) {
    await page.getByTestId('dbg-step-back').click();
    await page.getByTestId('dbg-step-back').and(page.locator(':enabled')).waitFor();
  }
  await shot(page, 'debugger');

  await page.locator('.monaco-editor').first().click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('\n    iretq');
  await page.keyboard.press('ArrowLeft');
  await page.locator('.monaco-editor .view-line', { hasText: 'iretq' }).locator('span', { hasText: 'iretq' }).last().hover();
  await page.locator('.monaco-hover').first().waitFor();
  await shot(page, 'hover-docs');

  await page.getByTestId('open-sandbox').click();
  await replaceSource(page, 'spin:\n\tincq %rax\n\tbogus %rax\n\tjmp spin\n');
  await page.locator('.monaco-editor .squiggly-error').first().waitFor();
  await shot(page, 'sandbox-diagnostics');

  await page.getByTestId('open-settings').click();
  await page.getByTestId('theme').selectOption('light');
  await shot(page, 'settings-light');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+/');
  await page.locator('body').press('?');
  await page.getByTestId('help-overlay').waitFor();
  await shot(page, 'shortcuts');
} finally {
  await browser.close();
  await serve.stop();
}
