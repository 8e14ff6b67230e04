/** The "Your work" dialog in browser mode: what it downloads and what it installs, checked as files. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { bundledPackDir } from '../../backend/grading/pack-dir.ts';
import { packFileFromFolder, parseProgressExport, parseSubmissionBundle } from '../../backend/store/index.ts';
import { replaceSource } from './flow.ts';
import { repoRoot, startServe, type RunningServe } from './serve.ts';

const solution = (id: string) => readFileSync(join(bundledPackDir(), id, 'solution.s'), 'utf8');

async function openLab(page: Page, serve: RunningServe): Promise<void> {
  await page.goto(serve.url.href);
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-state', 'connected');
}

async function passSaveContext(page: Page): Promise<void> {
  await page.locator('[data-exercise="save-context"]').click();
  await expect(page.getByTestId('instructions')).not.toBeEmpty();
  await replaceSource(page, solution('save-context'));
  await page.getByTestId('check').click();
  await expect(page.getByTestId('progress-save-context')).toHaveText(/^passed/);
}

async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const waiting = page.waitForEvent('download');
  await page.getByTestId(testId).click();
  const file = await waiting;
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-download-')), file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

function coursePack(id: string, exercises: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-course-'));
  for (const e of exercises) cpSync(join(bundledPackDir(), e), join(dir, e), { recursive: true });
  writeFileSync(join(dir, 'pack.yaml'), `id: ${id}\ntitle: Course ${id}\ntracks:\n  - id: one\n    title: One\n    exercises: [${exercises.join(', ')}]\n`);
  return dir;
}

test('export submission: the downloaded bundle holds the checked source and switchyard grade accepts it as it is', async ({ page }) => {
  const serve = await startServe();
  try {
    await openLab(page, serve);
    await passSaveContext(page);
    await page.getByTestId('open-work').click();
    const { name, text } = await download(page, 'export-submission-exercise');
    expect(name).toMatch(/^submission-.*save-context.*\.json$/);
    const bundle = parseSubmissionBundle(text, name);
    expect(bundle.exercises.map((e) => [e.id, e.origin, e.selfCheck?.passed])).toEqual([['save-context', 'best-attempt', true]]);
    // The editor indents as it is typed into; the lines are the learner's.
    const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(lines(bundle.exercises[0].source)).toEqual(lines(solution('save-context')));
    await expect(page.getByTestId('work-message')).toContainText('1 exercise (save-context)');

    const dir = mkdtempSync(join(tmpdir(), 'switchyard-class-'));
    writeFileSync(join(dir, name), text);
    const out = join(dir, 'grades.json');
    const graded = spawnSync(process.execPath, [join(repoRoot, 'bin/switchyard.mjs'), 'grade', '--pack', bundledPackDir(), '--submissions', dir, '--exercises', 'save-context', '--format', 'json', '--out', out, '--jobs', '1'], { encoding: 'utf8' });
    expect(graded.status, graded.stderr).toBe(0);
    const grades = JSON.parse(readFileSync(out, 'utf8')) as { submissions: { score: number; maxScore: number }[] };
    expect(grades.submissions[0].score).toBe(grades.submissions[0].maxScore);
  } finally {
    await serve.stop();
  }
});

test('export progress, then import it into a fresh lab: the change is shown first, foreign files are refused', async ({ page }) => {
  const first = await startServe();
  let exported: { name: string; text: string };
  try {
    await openLab(page, first);
    await passSaveContext(page);
    await page.getByTestId('open-work').click();
    exported = await download(page, 'export-progress');
    const file = parseProgressExport(exported.text, exported.name);
    expect(file.profiles[0].attempts.map((a) => a.exerciseId)).toEqual(['save-context']);
  } finally {
    await first.stop();
  }

  const second = await startServe();
  try {
    await page.evaluate(() => localStorage.clear());
    await openLab(page, second);
    await expect(page.getByTestId('progress-save-context')).toHaveText('not started');
    await page.getByTestId('open-work').click();
    await page.getByTestId('import-progress').setInputFiles({ name: 'bundle.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"switchyard-submission/1"}') });
    await expect(page.getByTestId('work-problem')).toContainText('bundle.json: format is "switchyard-submission/1", expected "switchyard-progress/1"');

    await page.getByTestId('import-progress').setInputFiles({ name: exported.name, mimeType: 'application/json', buffer: Buffer.from(exported.text) });
    await expect(page.getByTestId('import-preview')).toContainText('add 1 attempt (0 already here)');
    await expect(page.getByTestId('import-preview')).toContainText('change save-context');
    await expect(page.getByTestId('progress-save-context')).toHaveText('not started');
    await page.getByTestId('apply-import').click();
    await expect(page.getByTestId('work-message')).toContainText('Imported: 1 attempt');
    await expect(page.getByTestId('progress-save-context')).toHaveText(/^passed/);
  } finally {
    await second.stop();
  }
});

test('install a pack file: invalid ones are refused with file and line, a valid one is listed, shown and removed', async ({ page }) => {
  const serve = await startServe();
  try {
    await openLab(page, serve);
    await page.getByTestId('open-work').click();
    await expect(page.getByTestId('pack')).toHaveCount(1);

    const broken = coursePack('broken-course', ['save-context']);
    writeFileSync(join(broken, 'save-context/solution.s'), `${solution('save-context')}\n  movq %rax,, (%rdi)\n`);
    await page.getByTestId('install-pack-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(packFileFromFolder(broken)) });
    await expect(page.getByTestId('work-problem')).toContainText(/save-context\/solution\.s:\d+: the reference solution does not pass/);
    await expect(page.getByTestId('pack')).toHaveCount(1);

    const course = coursePack('demo-course', ['save-context', 'callee-saved']);
    await page.getByTestId('install-pack-file').setInputFiles({ name: 'demo.json', mimeType: 'application/json', buffer: Buffer.from(packFileFromFolder(course)) });
    await expect(page.getByTestId('work-message')).toContainText('Installed Course demo-course (2 exercises)');
    const installed = page.locator('[data-testid="pack"][data-pack-id="demo-course"]');
    await installed.getByTestId('select-pack').click();
    await expect(page.getByTestId('work-message')).toContainText('Now showing Course demo-course');
    await page.keyboard.press('Escape');
    await expect(page.locator('[data-exercise]')).toHaveCount(2);

    // Progress is the pack's own: passing here leaves the bundled save-context untouched.
    await passSaveContext(page);
    await page.getByTestId('open-work').click();
    const { text } = await download(page, 'export-submission-all');
    expect(parseSubmissionBundle(text).exercises.map((e) => e.id)).toEqual(['save-context']);
    page.once('dialog', (dialog) => void dialog.accept());
    await installed.getByTestId('remove-pack').click();
    await expect(page.getByTestId('pack')).toHaveCount(1);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('progress-save-context')).toHaveText('not started');
  } finally {
    await serve.stop();
  }
});

test('install a pack folder as the instructor handed it out', async ({ page }) => {
  const serve = await startServe();
  try {
    await openLab(page, serve);
    await page.getByTestId('open-work').click();
    await page.getByTestId('install-pack-folder').setInputFiles(coursePack('folder-course', ['callee-saved']));
    await expect(page.getByTestId('work-message')).toContainText('Installed Course folder-course (1 exercise)');
    await expect(page.locator('[data-testid="pack"][data-pack-id="folder-course"]')).toContainText('folder-course · 1 exercise');
  } finally {
    await serve.stop();
  }
});
