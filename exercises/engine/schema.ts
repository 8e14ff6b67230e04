/** The exercise and pack file formats (documented in docs/exercise-format.md), as zod schemas. */
import { z } from 'zod';
import { CheckExprError, parseExpr } from './expr.ts';
import { GPR_DISPLAY_ORDER } from '../../emulator/arch/registers.ts';

const got = (input: unknown): string => {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return `the text "${input.length > 40 ? `${input.slice(0, 40)}…` : input}"`;
  return `a ${typeof input}`;
};

const expected = (what: string) => ({ error: (issue: { input?: unknown }) => `expected ${what}, got ${got(issue.input)}` });

export const REGISTERS = [...GPR_DISPLAY_ORDER, 'rip', 'rflags'] as const;
export type RegisterName = (typeof REGISTERS)[number];
export const isRegister = (name: string): name is RegisterName => (REGISTERS as readonly string[]).includes(name);

/** The 32-bit names a check may use for the low halves of the registers (`eax` is `u32(rax)`). */
const REGISTERS_32: Record<string, RegisterName> = { eax: 'rax', ebx: 'rbx', ecx: 'rcx', edx: 'rdx', esi: 'rsi', edi: 'rdi', ebp: 'rbp', esp: 'rsp', eip: 'rip', eflags: 'rflags' };
/** The register a name reads, by its 64-bit or its 32-bit name. */
export const registerOf = (name: string): RegisterName | undefined => (isRegister(name) ? name : Object.hasOwn(REGISTERS_32, name) ? REGISTERS_32[name] : undefined);

const identifier = z.string(expected('a name of letters, digits and `_`')).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a name of letters, digits and `_`');

/** An integer: a YAML number, or a string in decimal or 0x-hex (64-bit values do not fit YAML numbers). */
export const integer = z.union([z.number().int(), z.string().regex(/^(0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/)], expected('an integer like 4096 or "0x1000"'))
  .transform((v) => BigInt(typeof v === 'number' ? v : v.replace(/_/g, '')));

const address = integer.transform((v) => Number(v));

/** An expression in the checks language, parsed here so that a syntax error names its field. */
const expression = (example: string) => z.string(expected(`an expression like \`${example}\``)).superRefine((text, ctx) => {
  try { parseExpr(text.replace(/\{field\}/g, 'f')); } catch (e) {
    if (e instanceof CheckExprError) ctx.addIssue({ code: 'custom', message: `${e.message} (column ${e.column} of \`${text}\`)` });
    else throw e;
  }
});

const fieldDecl = z.union([identifier, z.record(identifier, z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)], expected('a field size of 1, 2, 4 or 8 bytes')))
  .refine((r) => Object.keys(r).length === 1, 'expected one `name: size` pair per field')], expected('a field name, or `name: size` (size 1, 2, 4 or 8)'));

const structType = z.strictObject({
  prefix: identifier.optional(),
  fields: z.array(fieldDecl, expected('a list of fields')).min(1, 'a struct needs at least one field'),
}, expected('a struct type: `fields:` (and optionally `prefix:`)'));

const region = z.strictObject({
  at: address,
  size: address.optional(),
  type: identifier.optional(),
  access: z.enum(['r', 'rw'], expected('`r` or `rw`')).default('rw'),
  expose: z.boolean(expected('true or false')).default(false),
}, expected('a memory region: `at:` plus `size:` or `type:`')).refine((r) => r.size !== undefined || r.type !== undefined, 'a region needs `size:` or `type:`');

const widths = ['u64', 'u32', 'u16', 'u8', 'bool', 'flags'] as const;
export const generator = z.union([
  z.enum(widths, expected(`a generator: one of ${widths.join(', ')}, or { range: [lo, hi] }, or { choice: [...] }`)),
  z.strictObject({ range: z.tuple([integer, integer], expected('[lo, hi]')), align: integer.optional() }),
  z.strictObject({ choice: z.array(integer, expected('a list of values')).min(1, 'a choice needs at least one value') }),
  z.strictObject({ const: integer }),
], expected(`a generator: one of ${widths.join(', ')}, or { range: [lo, hi] }, or { choice: [...] }`));
export type GeneratorSpec = z.infer<typeof generator>;

const checkBase = {
  name: z.string(expected('a check name')).min(1),
  weight: z.number(expected('a weight (a number)')).nonnegative().default(1),
  hidden: z.boolean(expected('true or false')).default(false),
  hint: z.string(expected('a hint shown when the check fails')).optional(),
};

const stopKinds = ['hlt', 'no-fault', 'fault', 'triple-fault'] as const;
export const checkKinds = {
  expect: z.strictObject({ ...checkBase, expect: expression('ctx.rax == in.rax'), for_each: identifier.optional(), fields: z.array(identifier).optional(), except: z.array(identifier).optional() }),
  stop: z.strictObject({ ...checkBase, stop: z.enum(stopKinds, expected(`one of ${stopKinds.join(', ')}`)), vector: z.number().int().min(0).max(255).optional(), cpl: z.number(expected('a privilege level 0 to 3')).int().min(0).max(3).optional() }),
  preserved: z.strictObject({ ...checkBase, preserved: z.array(z.enum(REGISTERS, expected('a register name like rbx')), expected('a list of registers')).min(1, 'list at least one register') }),
  writes_only: z.strictObject({ ...checkBase, writes_only: z.array(identifier, expected('a list of region names')) }),
  max_instructions: z.strictObject({ ...checkBase, max_instructions: z.number(expected('a number of instructions')).int().positive() }),
  max_code_bytes: z.strictObject({ ...checkBase, max_code_bytes: z.number(expected('a number of bytes')).int().positive() }),
  requires: z.strictObject({ ...checkBase, requires: z.array(z.string().regex(/^[a-z0-9]+$/, 'expected a lower-case mnemonic like iretq'), expected('a list of mnemonics')).min(1, 'list at least one mnemonic') }),
  forbids: z.strictObject({ ...checkBase, forbids: z.array(z.string().regex(/^[a-z0-9]+$/, 'expected a lower-case mnemonic like push'), expected('a list of mnemonics')).min(1, 'list at least one mnemonic') }),
};
type CheckKinds = typeof checkKinds;
export type CheckSpec = { [K in keyof CheckKinds]: z.output<CheckKinds[K]> }[keyof CheckKinds];

/** A check is parsed by the schema of its kind, so errors point into the right field instead of listing every alternative. */
const checkSchema = z.unknown().transform((input, ctx): CheckSpec => {
  const kinds = typeof input === 'object' && input !== null && !Array.isArray(input) ? Object.keys(input).filter((k) => k in checkKinds) : [];
  if (kinds.length !== 1) {
    ctx.addIssue({ code: 'custom', message: checkShapeError(input) });
    return z.NEVER;
  }
  const result = checkKinds[kinds[0] as keyof CheckKinds].safeParse(input);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const message = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `\`${k}\``).join(', ')} in this \`${kinds[0]}\` check` : issue.message;
    ctx.addIssue({ code: 'custom', message, path: issue.path as (string | number)[] });
  }
  return z.NEVER;
});

const CHECK_KINDS = ['expect', 'stop', 'preserved', 'writes_only', 'max_instructions', 'max_code_bytes', 'requires', 'forbids'];
function checkShapeError(input: unknown): string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return `expected a check (a mapping with \`name:\` and one of ${CHECK_KINDS.join(', ')}), got ${got(input)}`;
  const kinds = Object.keys(input).filter((k) => CHECK_KINDS.includes(k));
  if (kinds.length === 0) return `a check needs one of ${CHECK_KINDS.join(', ')}`;
  return `a check has exactly one kind, found ${kinds.join(' and ')}`;
}


export const MODES = ['long64', 'protected32'] as const;
export type Mode = (typeof MODES)[number];

export const exerciseSchema = z.strictObject({
  id: z.string(expected('an exercise id')).regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an id of lower-case letters, digits and `-`'),
  title: z.string(expected('a title')).min(1),
  mode: z.enum(MODES, expected('`long64` or `protected32`')),
  entry: z.union([identifier, z.array(identifier).min(1)], expected('the learner\'s global symbol the harness calls, or a list of them')).transform((e) => (typeof e === 'string' ? [e] : e)),
  cases: z.number(expected('a number of cases')).int().min(1).max(100_000),
  hidden_cases: z.number(expected('a number of hidden cases')).int().min(0).max(100_000).default(0),
  seed: integer.optional(),
  budget: z.number(expected('an instruction budget per case')).int().min(1).max(100_000_000).default(100_000),
  ram: address.default(0x400000),
  layout: z.strictObject({ harness: address.default(0x10000), code: address.default(0x40000) }).default({ harness: 0x10000, code: 0x40000 }),
  /** `stop`: a fault ends the run and is reported; `idt`: faults and INT n are delivered through the IDT the harness set up. */
  exceptions: z.enum(['stop', 'idt'], expected('`stop` or `idt`')).default('stop'),
  machine: z.strictObject({
    gdt: z.enum(['flat'], expected('`flat`')).optional(),
    idt: z.enum(['record'], expected('`record`')).optional(),
    paging: z.enum(['identity', 'harness'], expected('`identity` or `harness`')).optional(),
    tss: z.strictObject({ rsp0: integer.optional(), ist1: integer.optional() }).optional(),
    /** A deterministic timer device: raises `vector` every `every` retired instructions (a number, or an expression drawn per case). */
    timer: z.strictObject({
      vector: z.number(expected('an interrupt vector from 32 to 255')).int().min(32, 'a device interrupts with a vector from 32 to 255 (0 to 31 are the CPU\'s exceptions)').max(255, 'a vector is at most 255'),
      every: z.union([z.number().int().min(1, 'a timer period is at least 1 instruction'), expression('in.slice')], expected('a number of instructions, or an expression like `in.slice`')),
    }, expected('a timer: `vector:` and `every:`')).optional(),
  }).default({}),
  types: z.record(identifier, structType, expected('a mapping of struct type names to their fields')).default({}),
  memory: z.record(identifier, region, expected('a mapping of region names to regions')).default({}),
  random: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'expected an input name like `rax` or `ctx.r12`'), generator).default({}),
  registers: z.partialRecord(z.enum(REGISTERS, expected('a register name')), expression('&ctx')).default({}),
  init: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'expected a struct field like `ctx.rax`'), expression('in.rax')).default({}),
  checks: z.array(checkSchema, expected('a list of checks')).min(1, 'an exercise needs at least one check'),
  hints: z.array(z.string(), expected('a list of hints, simplest first')).default([]),
  /** Mutants of the reference the grader audit may let pass, each with the author's reason (instructors only: a learner's copy drops them). */
  equivalent_mutants: z.array(z.strictObject({
    mutant: z.string(expected('the mutant as the audit names it, `operator: before => after`')).min(1),
    why: z.string(expected('why this mutant is not a wrong solution')).min(1),
  }), expected('a list of `{ mutant:, why: }`')).default([]),
  /** Graded wrong solutions in mistakes/ (instructors only): each must fail the check it names with a message saying what it says. */
  mistakes: z.array(z.strictObject({
    file: z.string(expected('a file in mistakes/, like `ret-not-iret.s`')).regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.s$/, 'expected a file name in mistakes/ ending in `.s`, like `ret-not-iret.s`'),
    what: z.string(expected('what goes wrong, in words a learner understands')).min(1),
    fails: z.string(expected('the name of the check it must fail')).min(1),
    says: z.string(expected('a phrase that check\'s message must contain')).min(1),
  }), expected('a list of `{ file:, what:, fails:, says: }`')).default([]),
}).superRefine((spec, ctx) => {
  const checks = new Set(spec.checks.map((c) => c.name));
  const files = new Set<string>();
  spec.mistakes.forEach((m, i) => {
    if (!checks.has(m.fails)) ctx.addIssue({ code: 'custom', path: ['mistakes', i, 'fails'], message: `no check is named "${m.fails}"; a mistake names the check it must fail` });
    if (files.has(m.file)) ctx.addIssue({ code: 'custom', path: ['mistakes', i, 'file'], message: `${m.file} is listed twice` });
    files.add(m.file);
  });
});
export type ExerciseSpec = z.infer<typeof exerciseSchema>;

export const packSchema = z.strictObject({
  id: z.string(expected('a pack id')).regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an id of lower-case letters, digits and `-`'),
  title: z.string(expected('a title')).min(1),
  tracks: z.array(z.strictObject({
    id: z.string(expected('a track id')).regex(/^[a-z0-9][a-z0-9-]*$/),
    title: z.string(expected('a title')),
    exercises: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an exercise id (its folder name)'), expected('a list of exercise ids')).min(1, 'a track needs at least one exercise'),
  }), expected('a list of tracks')).min(1, 'a pack needs at least one track'),
});
export type PackSpec = z.infer<typeof packSchema>;
