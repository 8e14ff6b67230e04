/** An exercise as loaded from its folder, and its preparation: everything computed once before any submission is graded. */
import { parseExpr, type Expr } from './expr.ts';
import type { AsmDiagnostic, AsmOutput, AssemblerPort } from './ports.ts';
import { makeGenerator, type Generator } from './random.ts';
import { registerOf, REGISTERS, type CheckSpec, type ExerciseSpec, type RegisterName } from './schema.ts';
import { layoutStruct, structSymbols, type StructField, type StructLayout } from './structs.ts';
import { buildSystem, TRAP_LAYOUT, type SystemSetup } from './system.ts';

export interface Exercise {
  id: string;
  /** Where it came from, for messages (e.g. `pack/save-context`). */
  origin: string;
  spec: ExerciseSpec;
  readme: string;
  starter: string;
  /** The reference solution; a learner's copy of a pack has none. */
  solution?: string;
  harness: string;
  hints: string[];
  track?: string;
  /** The graded wrong solutions the spec lists, by file name (instructors only: a learner's copy has none). */
  mistakes?: Map<string, string>;
}

export interface Region { name: string; at: number; size: number; writable: boolean; expose: boolean; layout?: StructLayout }

export type PreparedCheck =
  | { kind: 'expect'; spec: CheckSpec; parts: { label: string; field?: StructField; region?: string; expr: Expr }[] }
  | { kind: 'stop'; spec: CheckSpec; stop: 'hlt' | 'no-fault' | 'fault' | 'triple-fault'; vector?: number; cpl?: number }
  | { kind: 'preserved'; spec: CheckSpec; registers: RegisterName[] }
  | { kind: 'writes_only'; spec: CheckSpec; regions: string[] }
  | { kind: 'max_instructions'; spec: CheckSpec; limit: number }
  | { kind: 'max_code_bytes'; spec: CheckSpec; limit: number }
  | { kind: 'requires' | 'forbids'; spec: CheckSpec; mnemonics: string[] };

export interface PreparedExercise {
  exercise: Exercise;
  bits: 32 | 64;
  regions: Map<string, Region>;
  types: Map<string, StructLayout>;
  inputs: { name: string; generator: Generator }[];
  registerInit: { reg: RegisterName; expr: Expr }[];
  memoryInit: { region: Region; field: StructField; expr: Expr }[];
  checks: PreparedCheck[];
  harness: AsmOutput;
  /** Absolute addresses of the harness's symbols. */
  harnessSymbols: Record<string, number>;
  /** Symbols the learner's file may use: struct offsets, the harness's globals, exposed regions. */
  learnerSymbols: Record<string, number>;
  /** Where the jump to each learner entry point sits: the harness calls these addresses. */
  trampolines: Map<string, number>;
  learnerBases: Record<string, number>;
  startRip: number;
  usesReference: boolean;
  /** The `machine:` blocks: images placed in memory every case, and the CPU state that points at them. */
  system: SystemSetup;
  /** `machine.timer`: its period is evaluated per case, like `registers:`. */
  timer?: { vector: number; every: Expr };
}

export class ExerciseError extends Error {}

const TRAMPOLINE_SLOT = 8;

/** Fails with one message per problem, each naming the spec field. */
export function prepareExercise(exercise: Exercise, assembler: AssemblerPort): PreparedExercise {
  const { spec } = exercise;
  const problems: string[] = [];
  const types = new Map<string, StructLayout>();
  for (const [name, t] of Object.entries(spec.types)) {
    const layout = layoutStruct(name, t.fields, t.prefix);
    const seen = new Set<string>();
    layout.fields.forEach((f, i) => { if (seen.has(f.name)) problems.push(`types.${name}.fields[${i}]: field \`${f.name}\` appears twice`); seen.add(f.name); });
    types.set(name, layout);
  }
  const regions = new Map<string, Region>();
  for (const [name, r] of Object.entries(spec.memory)) {
    const layout = r.type ? types.get(r.type) : undefined;
    if (r.type && !layout) { problems.push(`memory.${name}.type: no struct type \`${r.type}\` in \`types\` (known: ${[...types.keys()].join(', ') || 'none'})`); continue; }
    const size = r.size ?? layout!.size;
    if (r.at + size > spec.ram) problems.push(`memory.${name}: ends at 0x${(r.at + size).toString(16)}, beyond the machine's RAM (ram: 0x${spec.ram.toString(16)})`);
    regions.set(name, { name, at: r.at, size, writable: r.access === 'rw', expose: r.expose, layout });
  }
  const system = buildSystem(spec, assembler);
  problems.push(...system.problems);
  if (system.regions.some((r) => r.layout === TRAP_LAYOUT)) {
    if (types.has('trap')) problems.push('types.trap: the name `trap` is taken by `machine.idt: record`');
    types.set('trap', TRAP_LAYOUT);
  }
  for (const r of system.regions) {
    if (regions.has(r.name)) { problems.push(`memory.${r.name}: the name \`${r.name}\` is taken by a \`machine:\` block`); continue; }
    regions.set(r.name, { ...r, expose: false });
  }
  const sorted = [...regions.values()].sort((a, b) => a.at - b.at);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i - 1].at + sorted[i - 1].size > sorted[i].at) problems.push(`memory.${sorted[i].name}: overlaps memory.${sorted[i - 1].name}`);
  }

  const inputs = Object.entries(spec.random).map(([name, g]) => {
    const dot = name.indexOf('.');
    if (dot >= 0) {
      const region = regions.get(name.slice(0, dot));
      if (!region?.layout) problems.push(`random.${name}: \`${name.slice(0, dot)}\` is not a memory region with a struct type`);
      else if (!region.layout.byName.has(name.slice(dot + 1))) problems.push(`random.${name}: struct \`${region.layout.name}\` has no field \`${name.slice(dot + 1)}\``);
    }
    try { return { name, generator: makeGenerator(g) }; } catch (e) { problems.push(`random.${name}: ${(e as Error).message}`); return { name, generator: makeGenerator('u8') }; }
  });

  const bits = spec.mode === 'long64' ? 64 : 32;
  const learnerBases = { '.text': spec.layout.code, '.data': spec.layout.code + 0x10000, '.bss': spec.layout.code + 0x18000 };
  const trampolineBase = spec.layout.code - TRAMPOLINE_SLOT * spec.entry.length;
  const trampolines = new Map(spec.entry.map((name, i) => [name, trampolineBase + i * TRAMPOLINE_SLOT]));
  const structConsts: Record<string, number> = {};
  for (const layout of types.values()) Object.assign(structConsts, structSymbols(layout));
  const regionSymbols: Record<string, number> = {};
  for (const r of regions.values()) regionSymbols[r.name] = r.at;

  const harnessSymbolsIn = { ...structConsts, ...regionSymbols, ...Object.fromEntries(trampolines) };
  const harness = assembler.assemble(exercise.harness, { bits, symbols: harnessSymbolsIn, sectionBases: { '.text': spec.layout.harness, '.data': spec.layout.harness + 0x8000, '.bss': spec.layout.harness + 0xc000 } });
  if (!harness.ok) {
    for (const d of harness.diagnostics.filter((x) => x.severity === 'error')) problems.push(`harness.s:${d.line}:${d.column}: ${d.message}`);
  }
  const harnessSymbols: Record<string, number> = { ...harnessSymbolsIn };
  for (const s of harness.symbols) harnessSymbols[s.name] = s.value;
  const learnerSymbols: Record<string, number> = { ...structConsts };
  for (const s of harness.symbols) if (s.global) learnerSymbols[s.name] = s.value;
  for (const r of regions.values()) if (r.expose) learnerSymbols[r.name] = r.at;
  const startRip = harnessSymbols._start ?? harnessSymbols.start ?? spec.layout.harness;

  const parse = (text: string, where: string): Expr => {
    try { return parseExpr(text); } catch (e) { problems.push(`${where}: ${(e as Error).message}`); return parseExpr('0'); }
  };
  const timerSpec = spec.machine.timer;
  const timer = timerSpec ? { vector: timerSpec.vector, every: typeof timerSpec.every === 'number' ? parseExpr(String(timerSpec.every)) : parse(timerSpec.every, 'machine.timer.every') } : undefined;
  if (timer && spec.exceptions !== 'idt') problems.push('machine.timer: a timer interrupt is delivered through the IDT: add `exceptions: idt`');
  const registerInit = Object.entries(spec.registers).map(([reg, text]) => ({ reg: reg as RegisterName, expr: parse(text, `registers.${reg}`) }));
  const memoryInit: PreparedExercise['memoryInit'] = [];
  for (const [target, text] of Object.entries(spec.init)) {
    const [regionName, fieldName] = target.split('.');
    const region = regions.get(regionName);
    const field = region?.layout?.byName.get(fieldName);
    if (!region || !field) { problems.push(`init.${target}: no struct field \`${target}\``); continue; }
    memoryInit.push({ region, field, expr: parse(text, `init.${target}`) });
  }

  const checks = spec.checks.map((c, i) => prepareCheck(c, `checks[${i}]`, regions, parse, problems));
  const knownInputs = new Set(inputs.map((x) => x.name));
  const setupNames = [...registerInit.map((r) => ({ where: `registers.${r.reg}`, expr: r.expr })), ...memoryInit.map((m) => ({ where: `init.${m.region.name}.${m.field.name}`, expr: m.expr })),
    ...(timer ? [{ where: 'machine.timer.every', expr: timer.every }] : [])];
  for (const { where, expr } of setupNames) {
    for (const name of expr.names) {
      const problem = nameProblem(name, { setup: true, regions, types, knownInputs, harnessSymbols });
      if (problem) problems.push(`${where}: ${problem}`);
    }
  }
  let usesReference = false;
  checks.forEach((c, i) => {
    if (c.kind !== 'expect') return;
    for (const part of c.parts) {
      for (const name of part.expr.names) {
        if (name.startsWith('ref.')) usesReference = true;
        const problem = nameProblem(name, { setup: false, regions, types, knownInputs, harnessSymbols });
        if (problem) problems.push(`checks[${i}].expect: ${problem}`);
      }
    }
  });
  const names = new Set<string>();
  spec.checks.forEach((c, i) => { if (names.has(c.name)) problems.push(`checks[${i}].name: two checks are named "${c.name}"`); names.add(c.name); });
  if (problems.length) throw new ExerciseError(problems.map((p) => `${exercise.origin}/exercise.yaml: ${p}`).join('\n'));

  return { exercise, bits, regions, types, inputs, registerInit, memoryInit, checks, harness, harnessSymbols, learnerSymbols, trampolines, learnerBases, startRip, usesReference, system, ...(timer ? { timer } : {}) };
}

function prepareCheck(c: CheckSpec, where: string, regions: Map<string, Region>, parse: (t: string, w: string) => Expr, problems: string[]): PreparedCheck {
  if ('expect' in c) {
    if (!c.for_each) return { kind: 'expect', spec: c, parts: [{ label: c.expect, expr: parse(c.expect, `${where}.expect`) }] };
    const region = regions.get(c.for_each);
    if (!region?.layout) { problems.push(`${where}.for_each: \`${c.for_each}\` is not a memory region with a struct type`); return { kind: 'expect', spec: c, parts: [] }; }
    if (!c.expect.includes('{field}')) problems.push(`${where}.expect: with \`for_each\`, write \`{field}\` where each field name goes, e.g. \`${c.for_each}.{field} == in.{field}\``);
    const fields = region.layout.fields.filter((f) => (!c.fields || c.fields.includes(f.name)) && !(c.except ?? []).includes(f.name));
    for (const name of [...(c.fields ?? []), ...(c.except ?? [])]) if (!region.layout.byName.has(name)) problems.push(`${where}: struct \`${region.layout.name}\` has no field \`${name}\``);
    return { kind: 'expect', spec: c, parts: fields.map((f) => { const text = c.expect.replace(/\{field\}/g, f.name); return { label: text, field: f, region: region.name, expr: parse(text, `${where}.expect`) }; }) };
  }
  if ('stop' in c) {
    if (c.cpl !== undefined && (c.stop === 'triple-fault' || c.stop === 'no-fault')) problems.push(`${where}.cpl: \`cpl\` says in which ring the run stops, for \`stop: hlt\` or \`stop: fault\``);
    return { kind: 'stop', spec: c, stop: c.stop, vector: c.vector, cpl: c.cpl };
  }
  if ('preserved' in c) return { kind: 'preserved', spec: c, registers: c.preserved };
  if ('writes_only' in c) {
    for (const r of c.writes_only) if (!regions.has(r) && r !== 'data') problems.push(`${where}.writes_only: no memory region \`${r}\``);
    return { kind: 'writes_only', spec: c, regions: c.writes_only };
  }
  if ('max_instructions' in c) return { kind: 'max_instructions', spec: c, limit: c.max_instructions };
  if ('max_code_bytes' in c) return { kind: 'max_code_bytes', spec: c, limit: c.max_code_bytes };
  if ('requires' in c) return { kind: 'requires', spec: c, mnemonics: c.requires };
  return { kind: 'forbids', spec: c, mnemonics: c.forbids };
}

interface NameContext { setup: boolean; regions: Map<string, Region>; types: Map<string, StructLayout>; knownInputs: Set<string>; harnessSymbols: Record<string, number> }

/** Why a name cannot be resolved for a case, or undefined when it can. */
function nameProblem(name: string, cx: NameContext): string | undefined {
  if (name.startsWith('sizeof:')) {
    const what = name.slice(7);
    return cx.regions.has(what) || cx.types.has(what) ? undefined : `sizeof(${what}): no region or struct type \`${what}\``;
  }
  if (name.startsWith('&')) return regionFieldProblem(name.slice(1), cx, `\`${name}\``);
  if (name.startsWith('sym.')) return name.slice(4) in cx.harnessSymbols || !cx.setup ? undefined : `\`${name}\`: the harness defines no symbol \`${name.slice(4)}\``;
  if (name.startsWith('in.')) {
    const rest = name.slice(3);
    if (registerOf(rest) && !cx.setup) return undefined;
    if (cx.knownInputs.has(rest)) return undefined;
    if (rest.includes('.') && !cx.setup) return regionFieldProblem(rest, cx, `\`${name}\``);
    return `\`${name}\`: no such input (inputs: ${[...cx.knownInputs].map((n) => `in.${n}`).join(', ') || 'none'}${cx.setup ? '' : ', in.<register>, in.<region>.<field>'})`;
  }
  if (cx.setup) return `\`${name}\`: registers and init may use only in.*, &region, sizeof(...) and sym.*`;
  const local = name.startsWith('ref.') ? name.slice(4) : name;
  if (registerOf(local) || local === 'cpl' || local === 'instructions') return undefined;
  if (local.includes('.')) return regionFieldProblem(local, cx, `\`${name}\``);
  return `\`${name}\` is not a register (${REGISTERS.join(', ')}), cpl, instructions, or a struct field like ctx.rax`;
}

function regionFieldProblem(path: string, cx: NameContext, shown: string): string | undefined {
  const [regionName, field, ...extra] = path.split('.');
  const region = cx.regions.get(regionName);
  if (!region) return `${shown}: no memory region \`${regionName}\``;
  if (field === undefined) return undefined;
  if (extra.length || !region.layout?.byName.has(field)) return `${shown}: region \`${regionName}\` has no field \`${path.slice(regionName.length + 1)}\``;
  return undefined;
}

export type { AsmDiagnostic };
