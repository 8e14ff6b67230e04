/** The staged pipeline for one submission: assemble → load → run every case → check → result. */
import type { PreparedCheck, PreparedExercise } from './exercise.ts';
import { evalNode, textOf, UnknownNameError, type Expr, type Scope } from './expr.ts';
import { hex } from './prng.ts';
import type { AsmDiagnostic, EnginePorts, RunOutcome } from './ports.ts';
import type { CheckResult, FailedCase, GradeResult, Status } from './results.ts';
import { CaseRunner, checkScope, drawInputs, regionOf, trampolineBytes, type CaseState, type Inputs, type LoadedCode } from './run-case.ts';
import { isRegister, REGISTERS } from './schema.ts';
import { readField } from './structs.ts';

export interface GradeOptions {
  seed?: bigint;
  /** Instructors' view: hidden checks and hidden cases count. */
  includeHidden?: boolean;
  /** Reuse a runner (one machine) across submissions of the same exercise. */
  runner?: CaseRunner;
  /** Upper bound on extra runs the minimizer may spend. */
  minimizeRuns?: number;
}

export type AssembleStage = { ok: true; code: LoadedCode; diagnostics: AsmDiagnostic[] } | { ok: false; diagnostics: AsmDiagnostic[] };

const DEFAULT_SEED = 0x5eedn;

/** Assembles a learner's file against the exercise's symbols, and checks it defines every entry point the harness calls. */
export function assembleSubmission(px: PreparedExercise, source: string, ports: EnginePorts): AssembleStage {
  const asm = ports.assembler.assemble(source, { bits: px.bits, symbols: px.learnerSymbols, sectionBases: px.learnerBases });
  const diagnostics = [...asm.diagnostics];
  if (!asm.ok) return { ok: false, diagnostics };
  const room: Record<string, number> = { '.text': px.learnerBases['.data'] - px.learnerBases['.text'], '.data': px.learnerBases['.bss'] - px.learnerBases['.data'], '.bss': 0x8000 };
  for (const s of asm.sections) {
    if (!(s.name in px.learnerBases) && s.bytes.length > 0) {
      diagnostics.push(diag(1, `section ${s.name} is not loaded by this exercise: put code in .text and data in .data or .bss`));
    } else if (s.bytes.length > (room[s.name] ?? 0) || s.base + s.bytes.length > px.exercise.spec.ram) {
      diagnostics.push(diag(1, `${s.name} is ${s.bytes.length} bytes; this exercise has room for ${Math.min(room[s.name] ?? 0, px.exercise.spec.ram - s.base)} bytes there`));
    }
  }
  const symbols: Record<string, number> = {};
  for (const s of asm.symbols) symbols[s.name] = s.value;
  for (const entry of px.exercise.spec.entry) {
    const sym = asm.symbols.find((s) => s.name === entry);
    if (!sym) diagnostics.push(diag(1, `\`${entry}\` is not defined: the exercise calls \`${entry}\`, so write a label \`${entry}:\` (and \`.globl ${entry}\`)`));
    else if (sym.section !== '.text') diagnostics.push(diag(1, `\`${entry}\` must be a label in .text, not in ${sym.section}`));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  return { ok: true, diagnostics, code: { asm, symbols, trampolines: trampolineBytes(px, symbols) } };
}

const diag = (line: number, message: string): AsmDiagnostic => ({ severity: 'error', line, column: 1, endLine: line, endColumn: 1, message });

interface Failure {
  message: string;
  expected?: string;
  actual?: string;
  /** For a failed `a == b`: where the wrong value could have come from, narrowed over failing cases. */
  origin?: { part: string; target: string; candidates: string[] };
  /** How the run ended, when that was not HLT. */
  stopNote?: string;
}

const UNCHANGED = '(unchanged)';
const ORIGIN_CASES = 32;

/** Narrows where a wrong value came from by intersecting the candidates of later failing cases. */
function narrowOrigin(first: Failure, next: Failure, seen: number): void {
  if (!first.origin || !next.origin || seen > ORIGIN_CASES || first.origin.part !== next.origin.part) return;
  first.origin.candidates = first.origin.candidates.filter((c) => next.origin!.candidates.includes(c));
}

/** The message a learner reads: what was wrong, where the value came from, how the run ended. */
function finish(f: Failure): Omit<Failure, 'origin' | 'stopNote'> {
  const { origin, stopNote, ...rest } = f;
  let message = rest.message;
  const [only, ...more] = origin?.candidates ?? [];
  if (origin && only !== undefined && !more.length) {
    message += only === UNCHANGED
      ? ': it still holds what was there before your code ran, so nothing was stored there'
      : `: that is the value ${only} had at the start, so ${only} went where ${origin.target} belongs`;
  }
  if (stopNote) message += ` (the run ended with ${stopNote})`;
  return { ...rest, message };
}

/** Grades one source file against a prepared exercise. Never throws for anything the learner wrote. */
export function gradeSubmission(px: PreparedExercise, source: string, ports: EnginePorts, options: GradeOptions = {}): GradeResult {
  try {
    return gradeStages(px, source, ports, options);
  } catch (error) {
    // Anything thrown here is a bug of the engine, the CPU or the assembler, never the learner's doing: report it as an error result.
    const includeHidden = options.includeHidden ?? false;
    const checks = px.checks.filter((c) => includeHidden || !c.spec.hidden);
    const message = `the engine could not grade this file: ${error instanceof Error ? error.message : String(error)}`;
    return {
      exercise: px.exercise.id, status: 'error', passed: false, score: 0, maxScore: checks.reduce((s, c) => s + c.spec.weight, 0),
      cases: { total: 0, failed: 0, seed: hex(options.seed ?? px.exercise.spec.seed ?? DEFAULT_SEED) }, diagnostics: [], error: message, errorStage: 'engine',
      checks: checks.map((c) => notGraded(c, `not graded: ${message}`)),
    };
  }
}

function gradeStages(px: PreparedExercise, source: string, ports: EnginePorts, options: GradeOptions): GradeResult {
  const spec = px.exercise.spec;
  const seed = options.seed ?? spec.seed ?? DEFAULT_SEED;
  const includeHidden = options.includeHidden ?? false;
  const checks = px.checks.filter((c) => includeHidden || !c.spec.hidden);
  const total = spec.cases + (includeHidden ? spec.hidden_cases : 0);
  const base = { exercise: px.exercise.id, cases: { total, failed: 0, seed: hex(seed) }, maxScore: checks.reduce((s, c) => s + c.spec.weight, 0) };

  const assembled = assembleSubmission(px, source, ports);
  if (!assembled.ok) {
    return { ...base, status: 'error', passed: false, score: 0, diagnostics: assembled.diagnostics, error: 'the file did not assemble', errorStage: 'assemble',
      checks: checks.map((c) => notGraded(c, 'not graded: the file did not assemble')) };
  }
  const code = assembled.code;
  const codeBytes = code.asm.sections.filter((s) => s.name === '.text').reduce((n, s) => n + s.bytes.length, 0);
  const runner = options.runner ?? new CaseRunner(px, ports);
  const reference = px.usesReference ? referenceCode(px, ports) : undefined;

  const failures = new Map<PreparedCheck, { count: number; first?: { failure: Failure; caseIndex: number; state: CaseState } }>();
  for (const c of checks) failures.set(c, { count: 0 });
  const staticChecks = checks.filter(isStatic);
  for (const c of staticChecks) {
    const f = evaluateStatic(c, codeBytes, code, source, px, ports);
    if (f) failures.set(c, { count: 0, first: { failure: f, caseIndex: -1, state: undefined as unknown as CaseState } });
  }
  const caseChecks = checks.filter((c) => !isStatic(c));

  let failedCases = 0;
  let status: Status | undefined;
  let error: string | undefined;
  for (let i = 0; i < total; i++) {
    const inputs = drawInputs(px, seed, i);
    const state = runner.run(code, inputs);
    if (state.outcome.reason === 'limit') {
      status = 'error';
      error = `case #${i} ran past its budget of ${spec.budget} instructions: is there a loop that never ends, or a jump back into the harness?`;
    } else if (state.outcome.reason === 'error') {
      status = 'error';
      error = `the emulator could not run case #${i}: ${state.outcome.message ?? 'unknown error'}`;
    }
    const refState = reference ? runner.run(reference, inputs) : undefined;
    const scope = checkScope(px, state, code.symbols, refState);
    let caseFailed = false;
    for (const c of caseChecks) {
      const f = status === 'error' ? { message: `not graded: ${error}` } : evaluateCase(c, state, scope, px, code);
      if (!f) continue;
      caseFailed = true;
      const entry = failures.get(c)!;
      entry.count++;
      if (!entry.first) entry.first = { failure: f, caseIndex: i, state };
      else narrowOrigin(entry.first.failure, f, entry.count);
    }
    if (caseFailed) failedCases++;
    if (status === 'error') { failedCases += total - i - 1; break; }
  }

  const firstFailing = caseChecks.find((c) => failures.get(c)!.first);
  let minimized: Record<string, string> | undefined;
  if (firstFailing && status !== 'error') {
    const first = failures.get(firstFailing)!.first!;
    minimized = minimize(px, runner, code, reference, firstFailing, first.state.inputs, options.minimizeRuns ?? 200);
  }

  const results: CheckResult[] = checks.map((c) => {
    const entry = failures.get(c)!;
    const result: CheckResult = { name: c.spec.name, kind: c.kind, passed: !entry.first, weight: c.spec.weight, hidden: c.spec.hidden, failedCases: entry.count, message: 'passed' };
    if (entry.first) {
      Object.assign(result, finish(entry.first.failure));
      if (c.spec.hint) result.hint = c.spec.hint;
      if (entry.first.caseIndex >= 0) {
        const failure: FailedCase = { index: entry.first.caseIndex, inputs: showInputs(entry.first.state.inputs), stop: describeStop(entry.first.state.outcome, locator(px, code)) };
        if (c === firstFailing && minimized) failure.minimized = minimized;
        result.failure = failure;
      }
    }
    return result;
  });
  const score = results.reduce((s, r) => s + (r.passed ? r.weight : 0), 0);
  const finalStatus: Status = status ?? (results.every((r) => r.passed) ? 'pass' : 'fail');
  return { ...base, cases: { ...base.cases, failed: failedCases }, status: finalStatus, passed: finalStatus === 'pass', score, checks: results, diagnostics: assembled.diagnostics, error, ...(error ? { errorStage: 'run' as const } : {}), codeBytes };
}

function notGraded(c: PreparedCheck, message: string): CheckResult {
  return { name: c.spec.name, kind: c.kind, passed: false, weight: c.spec.weight, hidden: c.spec.hidden, failedCases: 0, message };
}

const referenceCache = new WeakMap<PreparedExercise, LoadedCode>();
function referenceCode(px: PreparedExercise, ports: EnginePorts): LoadedCode {
  let code = referenceCache.get(px);
  if (!code) {
    const stage = assembleSubmission(px, px.exercise.solution, ports);
    if (!stage.ok) throw new Error(`${px.exercise.origin}/solution.s does not assemble: ${stage.diagnostics.map((d) => `line ${d.line}: ${d.message}`).join('; ')}`);
    code = stage.code;
    referenceCache.set(px, code);
  }
  return code;
}

const isStatic = (c: PreparedCheck) => c.kind === 'max_code_bytes' || c.kind === 'requires' || c.kind === 'forbids';

function evaluateStatic(c: PreparedCheck, codeBytes: number, code: LoadedCode, source: string, px: PreparedExercise, ports: EnginePorts): Failure | undefined {
  if (c.kind === 'max_code_bytes') {
    return codeBytes <= c.limit ? undefined : { message: `your code is ${codeBytes} bytes; this exercise allows at most ${c.limit}`, expected: `<= ${c.limit} bytes`, actual: `${codeBytes} bytes` };
  }
  if (c.kind !== 'requires' && c.kind !== 'forbids') return undefined;
  const used = usedMnemonics(code, source, px, ports);
  const matches = (m: string) => used.some((u) => u === m || (u.length === m.length + 1 && u.startsWith(m) && 'bwlq'.includes(u[m.length])));
  if (c.kind === 'requires') {
    const missing = c.mnemonics.filter((m) => !matches(m));
    return missing.length ? { message: `your code must use ${missing.map((m) => `\`${m}\``).join(', ')}, and does not`, expected: c.mnemonics.join(', '), actual: 'not used' } : undefined;
  }
  const present = c.mnemonics.filter(matches);
  return present.length ? { message: `your code may not use ${present.map((m) => `\`${m}\``).join(', ')}`, expected: `no ${present.join(', ')}`, actual: present.join(', ') } : undefined;
}

function usedMnemonics(code: LoadedCode, source: string, px: PreparedExercise, ports: EnginePorts): string[] {
  if (ports.disassembler) {
    return code.asm.sections.filter((s) => s.name === '.text').flatMap((s) => ports.disassembler!.mnemonics(s.bytes, px.bits));
  }
  const lines = source.split('\n');
  const out = new Set<string>();
  for (const l of code.asm.listing) {
    if (l.section !== '.text' || l.bytes.length === 0) continue;
    const text = (lines[l.line - 1] ?? '').replace(/^\s*([A-Za-z_.$][\w.$]*:\s*)*/, '').trim();
    const word = /^(?:(?:lock|rep|repe|repz|repne|repnz)\s+)?([A-Za-z][A-Za-z0-9]*)/.exec(text);
    if (word) out.add(word[1].toLowerCase());
  }
  return [...out];
}

function evaluateCase(c: PreparedCheck, state: CaseState, scope: Scope, px: PreparedExercise, code: LoadedCode): Failure | undefined {
  const outcome = state.outcome;
  switch (c.kind) {
    case 'expect':
      for (const part of c.parts) {
        let value: bigint;
        try { value = part.expr.eval(scope); } catch (e) {
          if (e instanceof UnknownNameError) return { message: `${part.label}: ${e.message}` };
          throw e;
        }
        if (value === 0n) return withStop(explainExpect(part, scope, state, px), outcome, px, code);
      }
      return undefined;
    case 'stop': {
      const ok = c.stop === 'hlt' ? outcome.reason === 'hlt'
        : c.stop === 'no-fault' ? outcome.reason !== 'fault' && outcome.reason !== 'triple-fault'
          : c.stop === 'triple-fault' ? outcome.reason === 'triple-fault'
            : outcome.reason === 'fault' && (c.vector === undefined || outcome.fault?.vector === c.vector);
      const want = c.stop === 'fault' ? `a fault${c.vector !== undefined ? ` (vector ${c.vector})` : ''}` : c.stop === 'no-fault' ? 'no fault' : c.stop;
      const ended = describeStop(outcome, locator(px, code));
      return ok ? undefined : { message: `the run should end with ${want}, but it ended with ${ended}`, expected: want, actual: ended };
    }
    case 'preserved':
      for (const reg of c.registers) {
        const before = state.initialRegs[reg], after = state.finalRegs[reg];
        if (before !== after) {
          return withStop({ message: `${reg} was ${hex(before)} when your code was called and ${hex(after)} afterwards: it must be preserved (save it and restore it before returning)`, expected: hex(before), actual: hex(after) }, outcome, px, code);
        }
      }
      return undefined;
    case 'writes_only': {
      const allowed = c.regions;
      const inLearnerData = (addr: number) => allowed.includes('data') && addr >= px.learnerBases['.data'] && addr < px.learnerBases['.bss'] + 0x8000;
      const writes = state.writes ?? [];
      for (let i = 0; i < writes.length; i += 2) {
        const addr = writes[i], len = writes[i + 1];
        const region = regionOf(px, addr);
        if (region && allowed.includes(region.name) && addr + len <= region.at + region.size) continue;
        if (inLearnerData(addr)) continue;
        return { message: `your code wrote ${len} byte${len > 1 ? 's' : ''} at ${hex(addr)}${region ? ` (in ${region.name})` : codeLabel(px, code, addr)}, outside what it may write: ${allowed.join(', ')}`, expected: `writes only to ${allowed.join(', ')}`, actual: `write at ${hex(addr)}` };
      }
      return undefined;
    }
    case 'max_instructions':
      return outcome.instructions <= c.limit ? undefined : { message: `the case took ${outcome.instructions} instructions (harness included); at most ${c.limit} are allowed`, expected: `<= ${c.limit}`, actual: String(outcome.instructions) };
    default:
      return undefined;
  }
}

function codeLabel(px: PreparedExercise, code: LoadedCode, addr: number): string {
  for (const s of [...code.asm.sections, ...px.harness.sections]) if (addr >= s.base && addr < s.base + s.bytes.length) return ` (inside ${code.asm.sections.includes(s) ? 'your' : "the harness's"} ${s.name})`;
  return '';
}

function withStop(f: Failure, outcome: RunOutcome, px: PreparedExercise, code: LoadedCode): Failure {
  return outcome.reason === 'hlt' ? f : { ...f, stopNote: describeStop(outcome, locator(px, code)) };
}

/** Names where an address is: a line of the learner's file, the harness, or just the address. */
export function locator(px: PreparedExercise, code: LoadedCode): (addr: number) => string {
  return (addr) => {
    const text = code.asm.sections.find((s) => s.name === '.text');
    if (text && addr >= text.base && addr < text.base + text.bytes.length) {
      const entry = code.asm.listing.find((l) => l.section === '.text' && addr >= text.base + l.offset && addr < text.base + l.offset + l.bytes.length);
      return entry ? `line ${entry.line} of your file` : `${hex(addr)} in your code`;
    }
    if (px.harness.sections.some((s) => addr >= s.base && addr < s.base + s.bytes.length)) return `${hex(addr)} in the harness`;
    return hex(addr);
  };
}

export function describeStop(outcome: RunOutcome, where?: (addr: number) => string): string {
  switch (outcome.reason) {
    case 'hlt': return `hlt after ${outcome.instructions} instructions`;
    case 'limit': return `the instruction budget running out after ${outcome.instructions} instructions`;
    case 'fault': {
      const f = outcome.fault;
      if (!f) return `a fault: ${outcome.message ?? ''}`;
      const text = f.message.startsWith(f.name) ? f.message : `${f.name}: ${f.message}`;
      return where && f.rip !== undefined ? `${text}, at ${where(f.rip)}` : text;
    }
    case 'triple-fault': return `a triple fault${outcome.message ? `: ${outcome.message}` : ''}`;
    default: return `${outcome.reason}${outcome.message ? `: ${outcome.message}` : ''}`;
  }
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

function explainExpect(part: { label: string; field?: { name: string; offset: number }; region?: string; expr: Expr }, scope: Scope, state: CaseState, px: PreparedExercise): Failure {
  const root = part.expr.root;
  if (root.kind !== 'binary' || !COMPARISONS.has(root.op)) return { message: `\`${part.label}\` does not hold` };
  const left = textOf(part.expr, root.left), right = textOf(part.expr, root.right);
  let lv: bigint, rv: bigint;
  try { lv = evalNode(root.left, scope); rv = evalNode(root.right, scope); } catch { return { message: `\`${part.label}\` does not hold` }; }
  const label = part.field ? `${part.region}.${part.field.name} (offset ${hex(part.field.offset)})` : left;
  if (root.op !== '==') return { message: `${label} is ${hex(lv)}, but it should be ${root.op} ${right} (${hex(rv)})`, expected: `${root.op} ${hex(rv)}`, actual: hex(lv) };
  const message = `${label} holds ${hex(lv)}, expected ${hex(rv)} (${right})`;
  const target = part.field?.name ?? (root.left.kind === 'name' ? root.left.path : left);
  const rightName = root.right.kind === 'name' ? root.right.path.replace(/^in\./, '') : undefined;
  const own = part.region ? `${part.region}.${target}` : undefined;
  const candidates = matchingInputs(state, lv, setByCase(px)).filter((n) => n !== rightName && n !== own);
  if (own && state.initialFields.get(own) === lv) candidates.push(UNCHANGED);
  return { message, expected: hex(rv), actual: hex(lv), origin: { part: part.label, target, candidates } };
}

const setByCaseCache = new WeakMap<PreparedExercise, Set<string>>();
/** Registers a case gives a value of its own (random or by expression): only those can explain a wrong value. */
function setByCase(px: PreparedExercise): Set<string> {
  let set = setByCaseCache.get(px);
  if (!set) {
    set = new Set([...px.inputs.map((i) => i.name).filter(isRegister), ...px.registerInit.map((r) => r.reg)]);
    setByCaseCache.set(px, set);
  }
  return set;
}

/** Which initial values (registers and random inputs, struct fields included) equal `value`. */
function matchingInputs(state: CaseState, value: bigint, setByCase: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const reg of REGISTERS) if (setByCase.has(reg) && state.initialRegs[reg] === value) out.push(reg);
  for (const [name, v] of state.inputs) if (!isRegister(name) && v === value && !out.includes(name)) out.push(name);
  return out;
}

function showInputs(inputs: Inputs): Record<string, string> {
  return Object.fromEntries([...inputs].map(([k, v]) => [k, hex(v)]));
}

/** Shrinks a failing case's inputs toward simpler values (0, small, fewer bits) while the same check still fails. */
function minimize(px: PreparedExercise, runner: CaseRunner, code: LoadedCode, reference: LoadedCode | undefined, check: PreparedCheck, start: Inputs, budget: number): Record<string, string> | undefined {
  let current = new Map(start);
  let runs = 0;
  const stillFails = (candidate: Inputs): boolean => {
    runs++;
    const state = runner.run(code, candidate);
    if (state.outcome.reason === 'limit' || state.outcome.reason === 'error') return false;
    const refState = reference ? runner.run(reference, candidate) : undefined;
    return evaluateCase(check, state, checkScope(px, state, code.symbols, refState), px, code) !== undefined;
  };
  let improved = true;
  while (improved && runs < budget) {
    improved = false;
    for (const { name, generator } of px.inputs) {
      for (const candidate of generator.shrink(current.get(name)!)) {
        if (runs >= budget) break;
        const next = new Map(current).set(name, candidate);
        if (stillFails(next)) { current = next; improved = true; break; }
      }
    }
  }
  const changed = [...current].some(([k, v]) => start.get(k) !== v);
  return changed ? showInputs(current) : undefined;
}

export interface CaseReport {
  ok: boolean;
  diagnostics: AsmDiagnostic[];
  index: number;
  seed: string;
  inputs: Record<string, string>;
  stop: string;
  outcome?: RunOutcome;
  cpl?: number;
  initial?: Record<string, string>;
  registers?: Record<string, string>;
  /** Region → field → its offset and final value, for every struct region. */
  structs?: Record<string, Record<string, { offset: string; value: string }>>;
}

/** Runs one case of an exercise on a source and reports the whole final state by name (for `switchyard run --exercise` and the lab's case view). */
export function traceCase(px: PreparedExercise, source: string, ports: EnginePorts, options: { seed?: bigint; index?: number } = {}): CaseReport {
  const seed = options.seed ?? px.exercise.spec.seed ?? DEFAULT_SEED;
  const index = options.index ?? 0;
  const inputs = drawInputs(px, seed, index);
  const base = { index, seed: hex(seed), inputs: showInputs(inputs) };
  const assembled = assembleSubmission(px, source, ports);
  if (!assembled.ok) return { ...base, ok: false, diagnostics: assembled.diagnostics, stop: 'the file did not assemble' };
  const state = new CaseRunner(px, ports).run(assembled.code, inputs);
  const regs = (values: Record<string, bigint>) => Object.fromEntries(REGISTERS.map((r) => [r, hex(values[r])]));
  const structs: CaseReport['structs'] = {};
  for (const region of px.regions.values()) {
    if (!region.layout) continue;
    const bytes = state.regionBytes.get(region.name)!;
    structs[region.name] = Object.fromEntries(region.layout.fields.map((f) => [f.name, { offset: hex(f.offset), value: hex(readField(bytes, 0, f)) }]));
  }
  return { ...base, ok: true, diagnostics: assembled.diagnostics, stop: describeStop(state.outcome, locator(px, assembled.code)), outcome: state.outcome, cpl: state.cpl, initial: regs(state.initialRegs), registers: regs(state.finalRegs), structs };
}
