/** `switchyard validate --audit`: exit codes, the survivors' diffs, stale `equivalent_mutants`, the --json shape. */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED, cli, PACK, scratch, tree } from './helpers.ts';

/** A pack of save-context alone (its audit is clean and quick), with its exercise.yaml rewritten by `edit`. */
function saveContextPack(edit: (yaml: string) => string = (y) => y): string {
  const dir = tree('audit', { 'pack.yaml': 'id: audit-test\ntitle: Audit test\ntracks:\n  - id: t\n    title: T\n    exercises: [save-context]\n' });
  cpSync(join(BUNDLED, 'save-context'), join(dir, 'save-context'), { recursive: true });
  const spec = join(dir, 'save-context', 'exercise.yaml');
  writeFileSync(spec, edit(readFileSync(spec, 'utf8')));
  return dir;
}

const RIP_CHECK = 'expect: "ctx.rip == sym.after_call"';
/** The rip check still reads ctx.rip (a check no longer there makes its mutants look equivalent), but passes whatever it holds. */
const withoutRipCheck = (yaml: string) => {
  if (!yaml.includes(RIP_CHECK)) throw new Error('save-context no longer has the rip check this test weakens');
  return yaml.replace(RIP_CHECK, 'expect: "ctx.rip == sym.after_call || ctx.rip != sym.after_call"');
};
const listing = (mutant: string) => (yaml: string) => `${yaml}\nequivalent_mutants:\n  - mutant: "${mutant}"\n    why: said to change nothing\n`;

interface Audited {
  pack: string;
  cases: number;
  ok: boolean;
  summary: { mutants: number; killed: number; survived: number; checksNeverFalsified: number; wrongLocationMessages: number; staleEquivalents: number };
  exercises: { exercise: string; mutants: { tried: number; killed: number; survived: number }; survivors: { id: string; diff: string; changed: string[]; unread: boolean }[]; neverFalsified: string[]; wrongLocation: unknown[]; staleEquivalents: string[]; equivalents: { mutant: string; why: string }[] }[];
  errors: unknown[];
}

describe('switchyard validate --audit', () => {
  it('passes a pack whose checks kill every mutant, and says what it tried', async () => {
    const r = await cli('validate', '--audit', saveContextPack(), '--cases', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}save-context: \d+ mutants tried, [1-9]\d* killed, 0 survived, \d+ equivalent \(0 listed\)/m);
    expect(r.stdout).toMatch(/audit of pack audit-test \(2 cases a mutant\): \d+ mutants, \d+ killed, 0 survived, \d+ equivalent; 0 checks never falsified, 0 messages naming the wrong location, 0 stale equivalents/);
  }, 60_000);

  it('fails a pack with a weakened check, showing each survivor as its diff against the reference', async () => {
    const r = await cli('validate', '--audit', saveContextPack(withoutRipCheck), '--cases', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}save-context: \d+ mutants tried, \d+ killed, [1-9]\d* survived/m);
    expect(r.stdout).toContain('survived: drop: mov [rdi + CTX_RIP], rax => (nothing)\n        - 23:     mov [rdi + CTX_RIP], rax\n        + 23: \n');
    expect(r.stdout).toMatch(/survived: drop: mov rax, \[rsp \+ 8\] => \(nothing\)/);
    expect(r.stdout).toContain('never falsified: check "rip saved as the return address" fails for no mutant and no mistake');
  }, 60_000);

  it('fails a pack with a check removed: what the survivor changes, no check reads', async () => {
    const removed = (yaml: string) => {
      const check = `  - name: rip saved as the return address\n    ${RIP_CHECK}\n`;
      if (!yaml.includes(check)) throw new Error('save-context no longer has the rip check this test removes');
      return yaml.replace(check, '');
    };
    const r = await cli('validate', '--audit', saveContextPack(removed), '--cases', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('survived: drop: mov [rdi + CTX_RIP], rax => (nothing)\n        - 23:     mov [rdi + CTX_RIP], rax\n        + 23: \n        no check reads what it changes: ctx.rip\n');
  }, 60_000);

  it('fails when an equivalent_mutants entry is stale: the grader kills it, or no such mutant exists', async () => {
    const killed = await cli('validate', '--audit', saveContextPack(listing('drop: mov [rdi + CTX_RBX], rbx => (nothing)')), '--cases', '2');
    expect(killed.code).toBe(1);
    expect(killed.stdout).toContain('stale equivalent: drop: mov [rdi + CTX_RBX], rbx => (nothing) (listed as equivalent, but the grader fails it)');
    const missing = await cli('validate', '--audit', saveContextPack(listing('drop: nop => (nothing)')), '--cases', '2');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('stale equivalent: drop: nop => (nothing) (listed as equivalent, but no such mutant of solution.s exists)');
  }, 60_000);

  it('accepts a listed equivalent that the checks rightly let pass, and prints it with its reason', async () => {
    const weakened = (y: string) => listing('drop: mov [rdi + CTX_RIP], rax => (nothing)')(withoutRipCheck(y));
    const r = await cli('validate', '--audit', saveContextPack(weakened), '--cases', '2', '--json');
    const audit = JSON.parse(r.stdout) as Audited;
    const [x] = audit.exercises;
    expect(x.equivalents).toEqual([{ mutant: 'drop: mov [rdi + CTX_RIP], rax => (nothing)', why: 'said to change nothing' }]);
    expect(x.survivors.map((s) => s.id)).not.toContain('drop: mov [rdi + CTX_RIP], rax => (nothing)');
    expect(x.staleEquivalents).toEqual([]);
  }, 60_000);

  it('prints a machine-readable report with --json', async () => {
    const r = await cli('validate', '--audit', saveContextPack(withoutRipCheck), '--cases', '2', '--json');
    expect(r.code).toBe(1);
    const audit = JSON.parse(r.stdout) as Audited;
    expect(audit).toMatchObject({ pack: 'audit-test', cases: 2, ok: false, errors: [] });
    expect(audit.exercises.map((x) => x.exercise)).toEqual(['save-context']);
    const [x] = audit.exercises;
    expect(x.mutants.survived).toBe(x.survivors.length);
    expect(x.mutants.survived).toBeGreaterThan(0);
    expect(audit.summary.survived).toBe(x.mutants.survived);
    expect(audit.summary.killed).toBe(x.mutants.killed);
    expect(x.survivors.find((s) => s.id.includes('CTX_RIP'))).toEqual({ id: 'drop: mov [rdi + CTX_RIP], rax => (nothing)', diff: '- 23:     mov [rdi + CTX_RIP], rax\n+ 23: ', changed: ['ctx.rip'], unread: false });
    for (const key of ['neverFalsified', 'wrongLocation', 'staleEquivalents'] as const) expect(Array.isArray(x[key]), key).toBe(true);
  }, 60_000);

  it('passes the format examples, whose mistakes/ fail the checks no mutant fails', async () => {
    const r = await cli('validate', '--audit', PACK, '--cases', '2', '--json');
    const audit = JSON.parse(r.stdout) as Audited;
    expect(audit.exercises.map((x) => x.exercise)).toEqual(['save-context', 'callee-saved']);
    expect(audit.exercises.map((x) => x.neverFalsified)).toEqual([[], []]);
    expect(audit.ok).toBe(true);
    expect(r.code).toBe(0);
  }, 60_000);

  it('counts a check failed only by a mistake as falsified: without mistakes/ it is reported', async () => {
    const dir = tree('audit-nomistakes', { 'pack.yaml': 'id: audit-test\ntitle: Audit test\ntracks:\n  - id: t\n    title: T\n    exercises: [callee-saved]\n' });
    cpSync(join(BUNDLED, 'callee-saved'), join(dir, 'callee-saved'), { recursive: true });
    rmSync(join(dir, 'callee-saved', 'mistakes'), { recursive: true });
    const spec = join(dir, 'callee-saved', 'exercise.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^mistakes:\n(?:[ \t].*\n)*/m, ''));
    const r = await cli('validate', '--audit', dir, '--cases', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('never falsified: check "calls through the harness" fails for no mutant and no mistake');
    expect(r.stdout).toContain('never falsified: check "writes only its stack" fails for no mutant and no mistake');
  }, 60_000);

  it("fails on a learner's copy, which has no reference solutions to derive mutants from", async () => {
    const copy = join(scratch('audit-copy'), 'copy');
    expect((await cli('validate', saveContextPack(), '--learner-copy', copy)).code).toBe(0);
    const r = await cli('validate', '--audit', copy, '--cases', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 exercise not audited');
    expect(r.stderr).toMatch(/save-context: the audit needs the reference solution \(solution\.s\)\n$/);
  }, 60_000);

  it('is in the usage text', async () => {
    const r = await cli('validate', '--help');
    expect(r.stdout).toContain('switchyard validate --audit [PACK_DIR] [--cases N] [--json]');
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('validate', '--cases', '2')).code).toBe(2);
    expect((await cli('validate', '--json')).code).toBe(2);
    expect((await cli('validate', '--audit', '--cases', '0')).code).toBe(2);
    expect((await cli('validate', '--audit', '--cases', 'many')).code).toBe(2);
    expect((await cli('validate', '--audit', '--learner-copy', scratch('copy'))).code).toBe(2);
    expect((await cli('validate', '--audit', join(scratch('none'), 'missing'))).code).toBe(2);
  });
});
