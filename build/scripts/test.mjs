// `npm test`: every check CI runs: lint, formatting, typecheck, unit and integration tests, the build, the
// end-to-end tests. It runs them all, then ends with one line: `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps, root } from './ensure-deps.mjs';
import { playwrightCounts, summaryLine, vitestCounts } from './test-summary.mjs';

const CHROMIUM = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';
const resultsDir = join(root, 'test-results');
const vitestJson = join(resultsDir, 'vitest.json');
const e2eJson = join(resultsDir, 'e2e.json');

if (!existsSync(CHROMIUM)) {
  process.stderr.write(
    `npm test: the end-to-end tests need Chromium at ${CHROMIUM}, and it is missing.\n` +
      'Install it with `sudo apt-get install chromium` (Debian/Ubuntu), or point SWITCHYARD_CHROMIUM at a Chromium binary.\n',
  );
  process.exit(1);
}

ensureDeps();
mkdirSync(resultsDir, { recursive: true });
rmSync(vitestJson, { force: true });
rmSync(e2eJson, { force: true });

const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

const counts = { passed: 0, failed: 0, skipped: 0 };
const add = (found) => {
  counts.passed += found.passed;
  counts.failed += found.failed;
  counts.skipped += found.skipped;
};
const failedSteps = [];
const skippedTests = [];

function step(name, command, args, env = {}) {
  process.stderr.write(`\n== ${name}\n`);
  // Windows runs npm's and node_modules/.bin's .cmd shims only through a shell.
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, shell: process.platform === 'win32' });
  const ok = result.status === 0;
  if (!ok) process.stderr.write(`\nnpm test: ${name} failed (exit ${result.status ?? result.signal}).\n`);
  return ok;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function countVitest(ok) {
  const report = readJson(vitestJson);
  if (!report) {
    failedSteps.push('unit and integration tests (no report)');
    return;
  }
  const { counts: found, skipped, brokenFiles } = vitestCounts(report, root);
  add(found);
  skippedTests.push(...skipped);
  if (!ok && report.numFailedTests === 0 && brokenFiles.length === 0) failedSteps.push('unit and integration tests (errors outside any test)');
}

function countPlaywright(ok) {
  const report = readJson(e2eJson);
  if (!report) {
    failedSteps.push('end-to-end tests (no report)');
    return;
  }
  const { counts: found, skipped, errors } = playwrightCounts(report);
  add(found);
  skippedTests.push(...skipped);
  if (!ok && found.failed === 0) failedSteps.push(`end-to-end tests (${errors > 0 ? `${errors} error(s) outside any test` : 'failed outside any test'})`);
}

if (!step('lint', bin('eslint'), ['.'])) failedSteps.push('lint');
if (!step('layers', process.execPath, [join(root, 'build', 'scripts', 'check-layers.mjs')])) failedSteps.push('layers (import cycles or an upward import)');
if (!step('formatting', bin('prettier'), ['--check', '.'])) failedSteps.push('formatting (run `npm run format`)');
if (!step('typecheck', process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'typecheck'])) failedSteps.push('typecheck');
countVitest(step('unit and integration tests', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]));
if (step('build', process.execPath, [join(root, 'build', 'scripts', 'build.mjs')])) {
  countPlaywright(step('end-to-end tests', bin('playwright'), ['test', '-c', join('tests', 'e2e', 'playwright.config.ts')]));
} else {
  failedSteps.push('build (the end-to-end tests did not run)');
}

process.stderr.write('\n');
for (const test of skippedTests) process.stdout.write(`skipped: ${test}\n`);
if (failedSteps.length > 0) process.stdout.write(`failed steps: ${failedSteps.join(', ')}\n`);
counts.failed += failedSteps.length;
process.stdout.write(`${summaryLine(counts)}\n`);
process.exit(counts.failed > 0 ? 1 : 0);
