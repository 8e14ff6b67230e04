// ui.keystroke_diagnostics_ms: in the lab page (browser mode, Chromium), from a keystroke in a
// 300-line file to the editor's markers updated by the assembler in the worker.
// ui.check_ms: from pressing "Check" on callee-saved (120 cases, graded by the backend, attempt
// recorded in SQLite) to the result on the page. Both are measured inside the page and are the
// median of several tries on one running lab, so browser start-up is not counted.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../tests/e2e/playwright.config.ts';
import { startServe, type RunningServe } from '../../../tests/e2e/serve.ts';
import { realisticSource } from './asm.ts';
import type { Figure } from '../figure.ts';

const TRIES = 9;

async function withLab<T>(use: (page: Page) => Promise<T>): Promise<T | null> {
  if (!existsSync(CHROMIUM_PATH)) {
    process.stderr.write(`ui figures: no Chromium at ${CHROMIUM_PATH} (set SWITCHYARD_CHROMIUM)\n`);
    return null;
  }
  let serve: RunningServe | undefined;
  let browser: Browser | undefined;
  try {
    serve = await startServe();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(serve.url.href);
    await page.getByTestId('backend-status').and(page.locator('[data-state="connected"]')).waitFor();
    return await use(page);
  } finally {
    await browser?.close();
    await serve?.stop();
  }
}

interface BenchWindow {
  benchElapsed?: Promise<number>;
}

/**
 * Installs, before the action, a listener for the action (capture phase, so it runs first) and an
 * observer of the attribute the page changes when the result is shown. Installing both first and
 * acting afterwards means no change can slip by unobserved.
 */
async function arm(target: Locator, attribute: string, event: 'keydown' | 'click', trigger: string | null): Promise<void> {
  await target.evaluate(
    (element, { attribute, event, trigger }) => {
      let started = 0;
      const source: EventTarget = trigger ? element.querySelector(trigger)! : window;
      source.addEventListener(event, () => (started = performance.now()), { capture: true, once: true });
      (window as BenchWindow).benchElapsed = new Promise<number>((resolve) => {
        new MutationObserver((_m, observer) => {
          observer.disconnect();
          resolve(performance.now() - started);
        }).observe(element, { attributes: true, attributeFilter: [attribute] });
      });
    },
    { attribute, event, trigger },
  );
}

const elapsed = (page: Page) => page.evaluate(() => (window as BenchWindow).benchElapsed!);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function keystrokeToMarkers(page: Page): Promise<number> {
  const source = realisticSource(1).split('\n').slice(0, 300).join('\n');
  await page.locator('.monaco-editor').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(source);
  const editor = page.getByTestId('code-editor');
  await page.waitForFunction(() => document.querySelector('[data-testid="code-editor"]')?.getAttribute('data-diagnostics-version') !== '0');
  await page.keyboard.press('ControlOrMeta+End');
  const samples: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    await arm(editor, 'data-diagnostics-version', 'keydown', null);
    // Alternate a line that does not assemble and its removal, so every keystroke changes the markers.
    await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
    samples.push(await elapsed(page));
  }
  return median(samples);
}

async function checkToResult(page: Page): Promise<number> {
  await page.locator('[data-exercise="callee-saved"]').click();
  await page.getByTestId('check').waitFor();
  const samples: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    await arm(page.getByTestId('exercise-toolbar'), 'data-checks', 'click', '[data-testid="check"]');
    await page.getByTestId('check').click();
    samples.push(await elapsed(page));
  }
  return median(samples);
}

export const figures: Figure[] = [
  { name: 'ui.keystroke_diagnostics_ms', unit: 'ms', runs: 1, measure: () => withLab(keystrokeToMarkers) },
  { name: 'ui.check_ms', unit: 'ms', runs: 1, measure: () => withLab(checkToResult) },
];
