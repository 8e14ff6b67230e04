// The `switchyard` command as users run it: bin/switchyard.mjs over the bundled dist/cli, and the top-level options.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cliMain } from '../../../build/scripts/build-lib.mjs';
import { commands } from '../../../backend/cli/commands.ts';
import { main } from '../../../backend/cli/main.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'switchyard.mjs');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

async function run(...argv: string[]) {
  let stdout = '', stderr = '';
  const code = await main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTTY: false });
  return { code, stdout, stderr };
}

describe('top-level options', () => {
  it('--help names every command with its one-line summary', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    const listed = r.stdout.split('\n').filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().split(/\s{2,}/));
    expect(listed).toEqual(Object.keys(commands).sort().map((name) => [name, commands[name].summary]));
  });

  it('--version prints the product version', async () => {
    expect(await run('--version')).toEqual({ code: 0, stdout: `switchyard ${version}\n`, stderr: '' });
  });

  it.each([
    [[], 2, 'Usage: switchyard <command>'],
    [['frobnicate'], 2, "unknown command 'frobnicate'"],
    [['toString'], 2, "unknown command 'toString'"],
  ])('%j exits %i', async (argv, code, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
  });

  it('every command loads and has its own summary and usage', async () => {
    for (const [name, entry] of Object.entries(commands)) {
      const command = await entry.load();
      expect(command.usage, name).toMatch(new RegExp(`^switchyard ${name}\\b`));
      expect(command.summary.length, name).toBeGreaterThan(0);
    }
  });
});

describe('the bundled command line', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'switchyard-bin-'));
  beforeAll(async () => {
    await buildCli();
  }, 120_000);
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  const bin = (...argv: string[]) => spawnSync(process.execPath, [BIN, ...argv], { cwd, encoding: 'utf8' });

  it('is plain JavaScript: no TypeScript loader, one small entry that loads each command on demand', () => {
    const entry = readFileSync(cliMain, 'utf8');
    expect(entry).not.toMatch(/tsx/);
    expect(entry.length).toBeLessThan(20_000);
    const files = readdirSync(dirname(cliMain));
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    // The build tools stay out of the bundle even where a command can load them.
    for (const file of files.filter((f) => f.endsWith('.mjs'))) expect(readFileSync(join(dirname(cliMain), file), 'utf8'), file).not.toMatch(/node_modules\/(tsx|esbuild|vite)\//);
  });

  it('runs --version and --help', () => {
    expect(bin('--version').stdout).toBe(`switchyard ${version}\n`);
    const help = bin('--help');
    expect(help.status).toBe(0);
    for (const name of Object.keys(commands)) expect(help.stdout).toContain(`  ${name} `);
  });

  it('grades through its bundled worker, and --out - writes the report to standard output, not to a file named -', () => {
    const submissions = join(cwd, 'submissions', 'alice');
    mkdirSync(submissions, { recursive: true });
    cpSync(join(ROOT, 'exercises', 'pack', 'save-context', 'solution.s'), join(submissions, 'save-context.s'));
    const r = bin('grade', '--pack', join(ROOT, 'exercises', 'pack'), '--submissions', join(cwd, 'submissions'), '--exercises', 'save-context', '--format', 'json', '--out', '-', '--jobs', '1');
    expect(r.stderr).toContain('wrote standard output');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { submissions: { student: string; exercises: { exercise: string; status: string }[] }[] };
    expect(report.submissions.map((s) => [s.student, s.exercises.map((e) => [e.exercise, e.status])])).toEqual([['alice', [['save-context', 'pass']]]]);
    expect(existsSync(join(cwd, '-'))).toBe(false);
  });
});
