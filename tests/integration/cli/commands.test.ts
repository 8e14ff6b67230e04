import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, copyPack, PACK, packFile, tree } from './helpers.ts';

const CHECK_KEYS = ['exercise', 'passed', 'score', 'maxScore', 'cases', 'checks', 'diagnostics'];

describe('switchyard list', () => {
  it('prints the exercises as the contract says', async () => {
    const r = await cli('list', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows).toContainEqual({ id: 'save-context', title: 'Save every register into a context struct', track: 'conventions', mode: 'long64' });
    for (const row of rows) expect(Object.keys(row)).toEqual(['id', 'title', 'track', 'mode']);
    // The bundled course in teaching order: the format examples open it, the capstone closes it.
    expect(rows.slice(0, 2).map((x: { id: string }) => x.id)).toEqual(['save-context', 'callee-saved']);
    expect(rows.at(-1)).toMatchObject({ id: 'round-robin', track: 'capstone' });
    expect([...new Set(rows.map((x: { track: string }) => x.track))]).toEqual(['conventions', 'threads', 'traps', 'syscalls', 'i386', 'capstone']);
  });

  it('prints one row per exercise in columns, each title once', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^save-context-i386 +protected32 +i386 +i386: /m);
    expect(r.stdout).not.toMatch(/(\w+): \1: /);
  });

  it('rejects an unknown option with exit 2', async () => {
    const r = await cli('list', '--jsn');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--jsn'");
  });
});

describe('switchyard check', () => {
  const files = tree('check', {
    'solution.s': packFile('save-context', 'solution.s'),
    'starter.s': packFile('save-context', 'starter.s'),
    'broken.s': '.globl save_context\nsave_context:\n  mov %rax, (%rdi\n',
    'junk.s': Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 0, 0),
  });

  it('a reference solution passes: exit 0 and the contract\'s JSON shape', async () => {
    const r = await cli('check', 'save-context', join(files, 'solution.s'), '--json', '--pack', PACK);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json).filter((k) => CHECK_KEYS.includes(k))).toEqual(CHECK_KEYS);
    expect(json).toMatchObject({ exercise: 'save-context', status: 'pass', passed: true, score: 12, maxScore: 12, cases: { total: 150, failed: 0, seed: '0x5eed' }, diagnostics: [] });
    for (const c of json.checks) expect(Object.keys(c)).toEqual(['name', 'passed', 'message', 'expected', 'actual']);
    expect(json.checks.map((c: { name: string }) => c.name)).not.toContain('writes only the context and its stack');
  });

  it('--hidden adds the hidden checks and cases', async () => {
    const json = JSON.parse((await cli('check', 'save-context', join(files, 'solution.s'), '--json', '--hidden', '--pack', PACK)).stdout);
    expect(json.cases.total).toBe(200);
    expect(json.maxScore).toBe(13);
  });

  it('a starter fails: exit 1, with the failing checks explained', async () => {
    const r = await cli('check', 'save-context', join(files, 'starter.s'), '--json', '--seed', '0x10', '--pack', PACK);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ status: 'fail', passed: false, cases: { total: 150, failed: 150, seed: '0x10' } });
    const failed = json.checks.find((c: { passed: boolean }) => !c.passed);
    for (const c of json.checks) expect(Object.keys(c).slice(0, 5)).toEqual(['name', 'passed', 'message', 'expected', 'actual']);
    expect(failed.message).toMatch(/^ctx\.rbx \(offset 0x8\) holds 0x0, expected 0x[0-9a-f]+ \(in\.rbx\): it still holds what was there before your code ran/);
  });

  it('the same seed gives the same output', async () => {
    const a = await cli('check', 'save-context', join(files, 'starter.s'), '--json', '--seed', '42');
    const b = await cli('check', 'save-context', join(files, 'starter.s'), '--json', '--seed', '42');
    expect(a.stdout).toBe(b.stdout);
  });

  it('a file that does not assemble: passed false, diagnostics filled, exit 1', async () => {
    const r = await cli('check', 'save-context', join(files, 'broken.s'), '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.passed).toBe(false);
    expect(json.status).toBe('error');
    expect(json.cases).toMatchObject({ total: 150, failed: 150 });
    expect(json.diagnostics).toEqual([expect.objectContaining({ severity: 'error', line: 3, column: expect.any(Number), message: expect.any(String) })]);
  });

  it.each([
    ['an unknown exercise', ['check', 'nope', 'x.s', '--pack', PACK], "switchyard check: no exercise 'nope'; known: save-context, callee-saved"],
    ['a missing file', ['check', 'save-context', '/nonexistent/x.s'], 'switchyard check: /nonexistent/x.s: no such file'],
    ['a bad seed', ['check', 'save-context', 'x.s', '--seed', 'abc'], "switchyard check: --seed expects a number (decimal or 0x-hex), got 'abc'"],
    ['a missing argument', ['check', 'save-context'], 'switchyard check: missing EXERCISE and FILE'],
  ])('%s is a usage error (exit 2)', async (_name, argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });

  it('binary junk is refused with exit 2 before assembling', async () => {
    const r = await cli('check', 'save-context', join(files, 'junk.s'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`switchyard check: ${join(files, 'junk.s')}: binary data (NUL bytes), not assembly source text\n`);
  });
});

describe('switchyard validate', () => {
  it('the bundled pack is valid', async () => {
    const r = await cli('validate');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok  save-context: solution passes 200 cases');
    expect(r.stdout).toMatch(/^pack switchyard-core is valid: \d+ exercises$/m);
  });

  it('a pack whose solution fails, or whose starter passes, is invalid (exit 1)', async () => {
    const dir = copyPack();
    writeFileSync(join(dir, 'save-context/solution.s'), readFileSync(join(dir, 'save-context/starter.s')));
    writeFileSync(join(dir, 'callee-saved/starter.s'), readFileSync(join(dir, 'callee-saved/solution.s')));
    const r = await cli('validate', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/save-context: solution.s does not pass (200 of 200 cases fail): general registers saved by field: ctx.rbx (offset 0x8) holds 0x0');
    expect(r.stderr).toContain('/callee-saved: starter.s passes every check; a starter must leave the work to the learner');
    rmSync(dir, { recursive: true });
  });

  it('a schema error names the file and field (exit 1)', async () => {
    const dir = copyPack();
    const spec = join(dir, 'callee-saved/exercise.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('cases: 120', 'cases: many'));
    const r = await cli('validate', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/callee-saved\/exercise\.yaml: cases: expected a number of cases, got the text "many" \(line 5\)\n/);
    rmSync(dir, { recursive: true });
  });

  it('writes a learner\'s copy without solutions, hidden checks or hidden cases', async () => {
    const out = join(tree('learner', {}), 'copy');
    const r = await cli('validate', PACK, '--learner-copy', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote the learner's copy (9 files) to ${out}`);
    expect(existsSync(join(out, 'save-context/solution.s'))).toBe(false);
    expect(readFileSync(join(out, 'save-context/starter.s'), 'utf8')).toBe(packFile('save-context', 'starter.s'));
    const spec = readFileSync(join(out, 'save-context/exercise.yaml'), 'utf8');
    expect(spec).not.toContain('hidden');
    expect(spec).not.toContain('writes only the context and its stack');
    const check = await cli('check', 'save-context', join(out, 'save-context/starter.s'), '--json', '--pack', out);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ maxScore: 12, cases: { total: 150 } });
    const again = await cli('validate', out);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("save-context/solution.s: missing: validating a pack needs its reference solutions (a learner's copy has none)");
  });

  it('a directory that is not there is unreadable input (exit 2)', async () => {
    const r = await cli('validate', '/nonexistent/pack');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('switchyard validate: /nonexistent/pack: no such pack directory\n');
  });
});

describe('switchyard run', () => {
  const dir = tree('run', {
    'add.s': 'mov $40, %rax\nadd $2, %rax\nhlt\n',
    'loop.s': '1: jmp 1b\n',
    'ud.s': '.intel_syntax noprefix\nmov ebx, 7\nud2\n',
  });

  it('prints the final state as JSON', async () => {
    const r = await cli('run', join(dir, 'add.s'), '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ ok: true, mode: 'long64', stop: 'hlt', instructions: 3, cpl: 0 });
    expect(json.regs.rax).toBe('0x2a');
    expect(json.regs.rip).toBe('0x1000c');
  });

  it('stops a runaway loop at --max', async () => {
    const json = JSON.parse((await cli('run', join(dir, 'loop.s'), '--max', '1000', '--json')).stdout);
    expect(json).toMatchObject({ stop: 'limit', instructions: 1000 });
  });

  it('reports a fault', async () => {
    const json = JSON.parse((await cli('run', join(dir, 'ud.s'), '--json')).stdout);
    expect(json.stop).toBe('fault');
    expect(json.fault.name).toBe('#UD');
    expect(json.regs.rbx).toBe('0x7');
  });

  it('runs 32-bit code in protected mode', async () => {
    const file = join(dir, 'p32.s');
    writeFileSync(file, 'mov $-1, %eax\ninc %eax\nhlt\n');
    const json = JSON.parse((await cli('run', file, '--mode', 'protected32', '--json')).stdout);
    expect(json).toMatchObject({ mode: 'protected32', stop: 'hlt' });
    expect(json.regs.rax).toBe('0x0');
  });

  it('runs one case of an exercise and names every struct field', async () => {
    const file = join(dir, 'swap.s');
    writeFileSync(file, packFile('save-context', 'solution.s').replace('mov [rdi + CTX_R12], r12', 'mov [rdi + CTX_R12], rbp'));
    const r = await cli('run', file, '--exercise', 'save-context', '--case', '3', '--json', '--pack', PACK);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ ok: true, index: 3, seed: '0x5eed', stop: expect.stringMatching(/^hlt after \d+ instructions$/) });
    expect(json.structs.ctx.r12).toEqual({ offset: '0x60', value: json.inputs.rbp });
    expect(json.structs.ctx.rip.value).toBe('0x10005');
    expect(json.registers.r12).toBe(json.inputs.r12);
  });

  it.each([
    [['run', 'x.s', '--exercise', 'save-context', '--mode', 'long64'], 'switchyard run: --exercise sets the machine, the width and the budget: leave out --mode, --bits and --max'],
    [['run', 'x.s', '--mode', 'real16'], "switchyard run: --mode must be long64 or protected32, got 'real16'"],
    [['run', 'x.s', '--max', 'lots'], "switchyard run: --max expects a number, got 'lots'"],
  ])('%j is a usage error', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });
});
