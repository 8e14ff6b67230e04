// The parts of Switchyard that take outside input, as fuzz targets.
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { assemble } from '../../../emulator/asm/index.ts';
import { parseScenario, runScenario, ScenarioError } from '../../../emulator/index.ts';
import { methods } from '../../../backend/api/contract.ts';
import { dispatchRequestBody } from '../../../backend/api/dispatch.ts';
import { createBackendDispatcher } from '../../../backend/api/handlers/index.ts';
import { createPackFile, parsePackFile } from '../../../backend/store/pack-file.ts';
import { ProgressStore } from '../../../backend/store/progress-store.ts';
import { createSubmissionBundle, parseSubmissionBundle, serializeSubmissionBundle } from '../../../backend/store/submission-bundle.ts';
import { InputError } from '../../../backend/store/validation.ts';
import type { FuzzTarget } from './fuzz-kit.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PACK = join(ROOT, 'exercises/pack');
const SAMPLE_EXERCISES = ['save-context', 'callee-saved', 'cdecl-i386', 'enter-user', 'fork-child'];

const solutions = () => SAMPLE_EXERCISES.map((id) => join(PACK, id, 'solution.s')).filter(existsSync).map((f) => readFileSync(f, 'utf8'));

export const assemblerTarget: FuzzTarget = {
  name: 'assembler',
  seeds: () => [...solutions(), '.code32\n.globl f\nf: pushl %ebp\n movl %esp, %ebp\n .rept 3\n nop\n .endr\n leave\n ret\n'],
  // The assembler reports every problem as a diagnostic: it may not throw at all.
  run: (input) => assemble(input),
  isRefusal: () => false,
  dictionary: ['.rept 100000\n', '.endr\n', '.fill 0x7fffffff, 8, 0\n', '.space 0xffffffff\n', '.org 0x7fffffff\n', '.align 1<<31\n', '.macro m a\n\\a\n.endm\n', 'm m\n',
    '.equ x, x+1\n', '.set y, .\n', '1:\n', 'jmp 1b\n', 'jmp 1f\n', '%rax', '%eax', '(%rsp,%rax,8)', '$', '0x', 'movq', 'lea', '.byte ', '.quad ', '.section .data\n', '.code16\n', '.code64\n', '#', ';', ',', '(', ')', '"', '\\'],
};

const MAX_FUZZ_RAM = 0x400000n;
const MAX_FUZZ_INSTRUCTIONS = 20_000n;

export const scenarioTarget: FuzzTarget = {
  name: 'scenario', json: true,
  seeds: () => gunzipSync(readFileSync(join(ROOT, 'tests/fixtures/system/scenarios.jsonl.gz'))).toString('utf8').split('\n').filter((l, i) => l && i % 211 === 0),
  run: (input) => {
    const scenario = parseScenario(JSON.parse(input));
    // ramSize and maxInstructions are the user's own request (up to 4 GiB and 2^40): honoured, so capped here.
    if (scenario.ramSize > MAX_FUZZ_RAM) return;
    const limits = { maxInstructions: scenario.limits.maxInstructions < MAX_FUZZ_INSTRUCTIONS ? scenario.limits.maxInstructions : MAX_FUZZ_INSTRUCTIONS };
    return runScenario({ ...scenario, limits });
  },
  isRefusal: (e) => e instanceof ScenarioError || e instanceof SyntaxError,
  dictionary: ['"0x0"', '"0xffffffffffffffff"', '"long64"', '"protected32"', '"real16"', '"cr0"', '"cr4"', '"efer"', '"gdtr"', '"idtr"', '"seg"', '"msr"', '"memory"', '"dump"', '"bytes"', '"addr"', '"len"', ':', ',', '{', '}', '[', ']'],
};

function packFiles(): Map<string, string> {
  const files = new Map<string, string>();
  files.set('pack.yaml', 'id: fuzz-pack\ntitle: Fuzz\ntracks:\n  - id: contexts\n    title: Contexts\n    exercises: [save-context]\n');
  for (const name of readdirSync(join(PACK, 'save-context'))) files.set(`save-context/${name}`, readFileSync(join(PACK, 'save-context', name), 'utf8'));
  return files;
}

export const packFileTarget: FuzzTarget = {
  name: 'pack-file', json: true,
  seeds: () => [createPackFile(packFiles())],
  run: (input) => parsePackFile(Buffer.from(input, 'utf8')),
  isRefusal: (e) => e instanceof InputError,
  dictionary: ['"path"', '"text"', '"base64"', '"files"', '"format"', '"switchyard-pack/1"', '"../x"', '"/etc/passwd"', '"a/../../b"', '"C:\\\\x"', '"pack.yaml"', '"exercise.yaml"', 'id: ', 'title: ', '\\n', '{"path":"x","text":""}', ','],
};

function bundleSeed(): string {
  const store = ProgressStore.open(join(mkdtempSync(join(tmpdir(), 'switchyard-fuzz-')), 'progress.sqlite3'));
  try {
    const profile = store.createProfile({ name: 'Fuzz', studentId: 'fuzz@example.edu' });
    store.saveDraft(profile.id, 'save-context', solutions()[0] ?? 'ret\n');
    store.recordAttempt(profile.id, { id: 'callee-saved', versionHash: 'v1' }, 'ret\n',
      { exercise: 'callee-saved', passed: false, score: 2, maxScore: 5, checks: [{ name: 'r', passed: false, message: 'wrong' }], diagnostics: [] }, '0.1.0');
    return serializeSubmissionBundle(createSubmissionBundle(store, profile.id));
  } finally {
    store.close();
  }
}

export const submissionBundleTarget: FuzzTarget = {
  name: 'submission-bundle', json: true,
  seeds: () => [bundleSeed()],
  run: (input) => parseSubmissionBundle(input),
  isRefusal: (e) => e instanceof InputError,
  dictionary: ['"format"', '"profile"', '"exercises"', '"source"', '"selfCheck"', '"score"', '"maxScore"', '-5', '1e400', 'true', 'null', ','],
};

/** One dispatcher over a scratch data directory, shared by every input (as the server shares one). */
const dispatcher = (() => {
  let made: ReturnType<typeof createBackendDispatcher> | undefined;
  return () => (made ??= createBackendDispatcher({ platform: 'fuzz', databasePath: join(mkdtempSync(join(tmpdir(), 'switchyard-fuzz-api-')), 'progress.sqlite3') }));
})();

export const apiTarget: FuzzTarget = {
  name: 'api', json: true,
  seeds: () => [
    { method: 'app.echo', args: { text: 'hello' } },
    { method: 'app.info', args: {} },
    { method: 'exercises.list', args: {} },
    { method: 'exercises.get', args: { id: 'save-context' } },
    { method: 'drafts.save', args: { exerciseId: 'save-context', source: 'movq %rax, (%rdi)\n' } },
    { method: 'exercises.check', args: { exerciseId: 'save-context', source: 'ret\n' } },
    { method: 'settings.get', args: {} },
    { method: 'settings.set', args: { patch: {} } },
  ].map((r) => JSON.stringify(r)),
  run: async (input) => {
    const response = await dispatchRequestBody(dispatcher(), JSON.parse(input), { transport: 'browser' });
    // A refusal of the arguments is fine; a backend exception or a result outside the contract is a bug.
    if (!response.ok && (response.error.code === 'internal' || response.error.code === 'invalid-result')) throw new Error(`${response.error.code}: ${response.error.message}`);
    return response;
  },
  isRefusal: (e) => e instanceof SyntaxError,
  dictionary: [...Object.keys(methods).map((m) => `"${m}"`), '"args"', '"method"', '"id"', '"exerciseId"', '"source"', '"patch"', '"index"', '"seed"', '"__proto__"', '"constructor"', '"text"', '1e999', '-0', '9007199254740993', ','],
};

export const TARGETS = [assemblerTarget, scenarioTarget, packFileTarget, submissionBundleTarget, apiTarget];
