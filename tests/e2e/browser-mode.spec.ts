import { expect, test, type ConsoleMessage, type Page } from '@playwright/test';
import { startServe, type RunningServe } from './serve.ts';

let serve: RunningServe;

test.beforeAll(async () => {
  serve = await startServe();
});

test.afterAll(async () => {
  await serve?.stop();
});

test.describe('browser mode', () => {
  let requests: string[];
  let problems: string[];

  test.beforeEach(async ({ page }) => {
    requests = [];
    problems = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('websocket', (socket) => requests.push(socket.url()));
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });

  async function openLab(page: Page): Promise<void> {
    const response = await page.goto(serve.url.href);
    expect(response?.status()).toBe(200);
    // The token is traded for a cookie and dropped from the address bar.
    expect(new URL(page.url()).search).toBe('');
  }

  test('the lab loads and the status bar shows an API round trip', async ({ page }) => {
    await openLab(page);
    await expect(page).toHaveTitle('Switchyard');
    await expect(page.getByTestId('exercise-browser')).toBeVisible();
    const status = page.getByTestId('backend-status');
    await expect(status).toHaveAttribute('data-state', 'connected');
    await expect(status).toContainText('browser mode');
    await expect(status).toContainText(/API round trip \d+ ms/);
    await expect(status).toContainText(/Switchyard \d+\.\d+\.\d+/);
  });

  test('the Monaco editor takes typing', async ({ page }) => {
    await openLab(page);
    const editor = page.locator('.monaco-editor').first();
    await expect(editor).toBeVisible();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    const typed = 'movq %rsp, 0x38(%rdi)';
    await page.keyboard.type(typed);
    const visible = async () => (await page.locator('.monaco-editor .view-lines').innerText()).replace(/\u00a0/g, ' ');
    await expect.poll(visible).toBe(typed);
    await expect(page.getByTestId('cursor-position')).toHaveText(`Ln 1, Col ${typed.length + 1}`);
    await expect(page.getByTestId('document-title').locator('..')).toContainText('1 lines');
  });

  test('assembly is highlighted as x86asm: comments, registers and numbers get their own tokens', async ({ page }) => {
    await openLab(page);
    await page.locator('.monaco-editor').first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('# note\nmovq %rbx, 0x10(%rdi)');
    const classOf = (text: string) => page.locator('.view-lines span span', { hasText: text }).first().getAttribute('class');
    // Tokenizing runs in the background after typing: wait until the four tokens are coloured apart.
    await expect
      .poll(async () => new Set(await Promise.all([classOf('# note'), classOf('%rbx'), classOf('0x10'), classOf('movq')])).size)
      .toBe(4);
  });

  test('the page talks to nobody but its own origin, and nothing breaks the CSP', async ({ page }) => {
    await openLab(page);
    await expect(page.getByTestId('backend-status')).toHaveAttribute('data-state', 'connected');
    await page.locator('.monaco-editor').first().click();
    await page.keyboard.type('x');
    await page.waitForTimeout(500);
    const origin = serve.origin;
    const wsOrigin = origin.replace(/^http/, 'ws');
    expect(requests.length).toBeGreaterThan(2);
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith(wsOrigin))).toEqual([]);
    expect(requests.some((url) => url.startsWith(`${wsOrigin}/api/events`))).toBe(true);
    expect(problems).toEqual([]);
  });
});

test.describe('browser mode without the token', () => {
  for (const [name, query, status] of [
    ['no token', '', 401],
    ['a wrong token', '?token=not-the-token', 403],
  ] as const) {
    test(`is refused with ${name}`, async ({ page }) => {
      const response = await page.goto(`${serve.origin}/${query}`);
      expect(response?.status()).toBe(status);
      await expect(page.locator('body')).toContainText('Refused');
      await expect(page.locator('.monaco-editor')).toHaveCount(0);
    });
  }

  test('refuses a static asset and the API to a client without the cookie', async ({ playwright }) => {
    const client = await playwright.request.newContext();
    expect((await client.get(`${serve.origin}/index.html`)).status()).toBe(401);
    const api = await client.post(`${serve.origin}/api/invoke`, { data: { method: 'app.info', args: {} }, headers: { origin: serve.origin } });
    expect(api.status()).toBe(401);
    await client.dispose();
  });
});
