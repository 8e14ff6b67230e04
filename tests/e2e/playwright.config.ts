import { defineConfig } from '@playwright/test';

/** Debian's Chromium: no browser download, and nothing reaches the network while testing. */
export const CHROMIUM_PATH = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: '.',
  outputDir: '../../test-results/e2e',
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['json', { outputFile: '../../test-results/e2e.json' }]],
  projects: [
    {
      name: 'browser-mode',
      testMatch: ['browser-mode.spec.ts', 'learner-flow.spec.ts', 'debugger-panels.spec.ts', 'debugger-fpu.spec.ts', 'your-work.spec.ts'],
      use: { browserName: 'chromium', launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } },
    },
    { name: 'electron', testMatch: 'electron.spec.ts' },
  ],
});
