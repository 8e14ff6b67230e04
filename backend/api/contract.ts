/**
 * The one contract between the renderer and the backend. Every method the renderer may call is an
 * entry in `methods`, with a schema for its arguments and one for its result; every event the
 * backend may push is an entry in `events`. Both transports (Electron IPC, browser-mode HTTP +
 * WebSocket) carry exactly these shapes. This module is pure: the renderer imports it too.
 */
import { z } from 'zod';

const TRANSPORTS = ['electron', 'browser'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

export interface MethodSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  summary: string;
  args: A;
  result: R;
}

function method<A extends z.ZodType, R extends z.ZodType>(summary: string, args: A, result: R): MethodSpec<A, R> {
  return { summary, args, result };
}

export const ECHO_MAX_LENGTH = 65_536;
/** The store's limit on one source file (MAX_SOURCE_BYTES), counted in characters here. */
const SOURCE_MAX_LENGTH = 1024 * 1024;

const exerciseId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected an exercise id (lowercase letters, digits, dashes)');
const sourceText = z.string().max(SOURCE_MAX_LENGTH);
const hexText = z.string();

const PROGRESS_STATUSES = ['not-started', 'attempted', 'passed'] as const;
const exerciseProgress = z.strictObject({
  status: z.enum(PROGRESS_STATUSES),
  attempts: z.number().int().nonnegative(),
  bestScore: z.number().nullable(),
  maxScore: z.number().nullable(),
});

const exerciseSummary = z.strictObject({
  id: z.string(),
  title: z.string(),
  track: z.string(),
  trackTitle: z.string(),
  mode: z.enum(['long64', 'protected32']),
  progress: exerciseProgress,
});

const exerciseDetail = z.strictObject({
  ...exerciseSummary.shape,
  instructions: z.string(),
  starter: z.string(),
  entry: z.array(z.string()),
  hints: z.array(z.string()),
  /** Symbols the learner's file may use (struct offsets, harness globals), by name. */
  symbols: z.record(z.string(), z.number()),
  draft: z.strictObject({ source: z.string(), updatedAt: z.string() }).nullable(),
});

const diagnostic = z.strictObject({
  severity: z.enum(['error', 'warning', 'info']),
  line: z.number(),
  column: z.number(),
  endLine: z.number(),
  endColumn: z.number(),
  message: z.string(),
});

const failedCase = z.strictObject({
  index: z.number().int(),
  inputs: z.record(z.string(), hexText),
  minimized: z.record(z.string(), hexText).optional(),
  stop: z.string(),
});

const checkResult = z.strictObject({
  name: z.string(),
  kind: z.string(),
  passed: z.boolean(),
  weight: z.number(),
  hidden: z.boolean(),
  failedCases: z.number().int(),
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  hint: z.string().optional(),
  failure: failedCase.optional(),
});

const gradeResult = z.strictObject({
  exercise: z.string(),
  status: z.enum(['pass', 'fail', 'error']),
  passed: z.boolean(),
  score: z.number(),
  maxScore: z.number(),
  cases: z.strictObject({ total: z.number().int(), failed: z.number().int(), seed: z.string() }),
  checks: z.array(checkResult),
  diagnostics: z.array(diagnostic),
  error: z.string().optional(),
  errorStage: z.enum(['assemble', 'run', 'engine']).optional(),
  codeBytes: z.number().optional(),
});

/** One case run whole: every register before and after, every struct field by name. */
const caseReport = z.strictObject({
  index: z.number().int(),
  seed: z.string(),
  stop: z.string(),
  inputs: z.record(z.string(), hexText),
  initial: z.record(z.string(), hexText),
  registers: z.record(z.string(), hexText),
  structs: z.record(z.string(), z.record(z.string(), z.strictObject({ offset: hexText, value: hexText }))),
});

const lineAddress = z.strictObject({ line: z.number().int().positive(), address: z.number().int().nonnegative() });

/** An exercise case's machine where its graded run starts: a debugger snapshot (emulator/debug/snapshot.ts) with its pages in base64. */
const caseSnapshot = z.strictObject({
  index: z.number().int().nonnegative(),
  seed: hexText,
  header: z.strictObject({
    format: z.literal('switchyard-snapshot/1'),
    ramSize: z.number().int().positive(),
    paging: z.boolean(),
    deliverExceptions: z.boolean(),
    cpu: z.record(z.string(), z.unknown()),
    machine: z.record(z.string(), z.unknown()).optional(),
    pages: z.array(z.number().int().nonnegative()),
  }),
  data: z.base64(),
  /** Each line of the learner's source that produced bytes, at the address it was graded at. */
  sources: z.array(lineAddress),
});

const debugProgram = z.strictObject({
  /** The program the debugger shows: for an exercise case the learner's source itself (`lineOffset` 0), for the sandbox the source after `lineOffset` lines of setup. */
  program: z.string(),
  lineOffset: z.number().int().nonnegative(),
  bits: z.union([z.literal(32), z.literal(64)]),
  mode: z.enum(['long64', 'protected32']),
  ramSize: z.number().int().positive(),
  codeAddress: z.number().int().nonnegative(),
  startSymbol: z.string(),
  registers: z.record(z.string(), hexText),
  /** Struct regions to show by field: name, address and fields with their offsets and sizes. */
  structs: z.array(z.strictObject({
    name: z.string(),
    address: z.number().int(),
    fields: z.array(z.strictObject({ name: z.string(), offset: z.number().int(), size: z.number().int() })),
  })),
  /** An exercise case: the debugger restores this machine instead of assembling `program`. */
  case: caseSnapshot.optional(),
});

const SYNTAX_PREFERENCES = ['att', 'intel'] as const;
const THEMES = ['dark', 'light', 'high-contrast'] as const;
const settings = z.strictObject({
  syntax: z.enum(SYNTAX_PREFERENCES),
  theme: z.enum(THEMES),
  fontSize: z.number().int().min(8).max(32),
  /** Debugging checks by id (emulator/debug CHECKS); missing ids keep the debugger's default. */
  checks: z.record(z.string(), z.boolean()),
});

export const BUNDLED_PACK_ID = 'bundled';
const packId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'expected a pack id (lowercase letters, digits, ".", "_", "-")');
/** A progress file, pack file or folder file's text as the learner picked it; the store checks its own limits. */
const UPLOAD_MAX_LENGTH = 32 * 1024 * 1024;
const fileName = z.string().min(1).max(255);

const packSummary = z.strictObject({
  id: z.string(),
  title: z.string(),
  source: z.enum(['bundled', 'installed']),
  exercises: z.number().int().nonnegative(),
  hash: z.string().nullable(),
  installedAt: z.string().nullable(),
  active: z.boolean(),
});

/** A file the learner saves: Electron shows the save dialog, the browser downloads it. */
const savedFile = z.strictObject({ fileName: z.string(), text: z.string() });

const importSummary = z.strictObject({
  exportedAt: z.string(),
  attemptsAdded: z.number().int().nonnegative(),
  attemptsAlreadyPresent: z.number().int().nonnegative(),
  draftsWritten: z.number().int().nonnegative(),
  draftsKeptNewer: z.number().int().nonnegative(),
  exercisesChanged: z.array(z.string()),
});

/** Results must be plain JSON (no bigint, Date, Map): both transports serialize them. */
export const methods = {
  'app.info': method(
    'Versions and the environment the backend runs in.',
    z.strictObject({}),
    z.strictObject({
      productVersion: z.string(),
      engineVersion: z.string(),
      transport: z.enum(TRANSPORTS),
      platform: z.string(),
    }),
  ),
  'app.echo': method(
    'Returns its text unchanged: proves a full round trip through the transport.',
    z.strictObject({ text: z.string().max(ECHO_MAX_LENGTH) }),
    z.strictObject({ text: z.string() }),
  ),
  'exercises.list': method(
    'Every exercise of the bundled pack by track, with the learner\'s progress on each.',
    z.strictObject({}),
    z.strictObject({ exercises: z.array(exerciseSummary) }),
  ),
  'exercises.get': method(
    'One exercise: its instructions (Markdown), starter code, symbols, the saved draft and progress.',
    z.strictObject({ id: exerciseId }),
    exerciseDetail,
  ),
  'drafts.save': method(
    'Saves the learner\'s source for an exercise (the latest draft wins).',
    z.strictObject({ exerciseId, source: sourceText }),
    z.strictObject({ updatedAt: z.string() }),
  ),
  'exercises.check': method(
    'Grades the source with the exercise engine, records the attempt and returns the result with the first failing case traced.',
    z.strictObject({ exerciseId, source: sourceText }),
    z.strictObject({ result: gradeResult, progress: exerciseProgress, failingCase: caseReport.nullable() }),
  ),
  'exercises.debugCase': method(
    'One case of an exercise for the debugger: the machine exactly as grading starts the case (seed and index of the graded run), to restore and step.',
    z.strictObject({ exerciseId, source: sourceText, index: z.number().int().nonnegative().max(1_000_000), seed: hexText.regex(/^(0x[0-9a-f]+|[0-9]+)$/i).optional() }),
    debugProgram,
  ),
  'submission.export': method(
    'A switchyard-submission/1 bundle of the active pack: the listed exercises, or every exercise with an attempt or draft.',
    z.strictObject({ exerciseIds: z.array(exerciseId).max(1000).optional(), choose: z.enum(['best', 'latest', 'draft']).optional() }),
    z.strictObject({ ...savedFile.shape, exercises: z.array(z.string()) }),
  ),
  'progress.export': method('Everything the learner has done, as a switchyard-progress/1 file.', z.strictObject({}), savedFile),
  'progress.previewImport': method(
    'What importing a progress file would change, without changing anything; refuses a damaged or foreign file naming the problem.',
    z.strictObject({ text: z.string().max(UPLOAD_MAX_LENGTH), name: fileName }),
    importSummary,
  ),
  'progress.import': method(
    'Merges a progress file into the learner\'s progress: no attempt is lost, the newer of two drafts wins.',
    z.strictObject({ text: z.string().max(UPLOAD_MAX_LENGTH), name: fileName }),
    importSummary,
  ),
  'packs.list': method('The bundled pack and every installed pack; one of them is active.', z.strictObject({}), z.strictObject({ packs: z.array(packSummary) })),
  'packs.install': method(
    'Validates a pack (a switchyard-pack/1 file, or a folder\'s files by relative path) and installs it; refuses it with the validator\'s problems.',
    z.union([
      z.strictObject({ name: fileName, packFile: z.string().max(UPLOAD_MAX_LENGTH) }),
      z.strictObject({ name: fileName, files: z.record(z.string().max(300), z.string().max(2 * 1024 * 1024)) }),
    ]),
    z.strictObject({ pack: packSummary, exercises: z.array(z.string()), replaced: z.boolean() }),
  ),
  'packs.remove': method('Uninstalls a pack; the learner\'s work on it is kept.', z.strictObject({ id: packId }), z.strictObject({ packs: z.array(packSummary) })),
  'packs.select': method('Makes a pack the one the lab shows.', z.strictObject({ id: packId }), z.strictObject({ packs: z.array(packSummary) })),
  'files.save': method(
    'Desktop only: asks where to save a file (the save dialog) and writes it there.',
    savedFile,
    z.strictObject({ saved: z.boolean(), path: z.string().nullable() }),
  ),
  'settings.get': method('The learner\'s settings.', z.strictObject({}), settings),
  'settings.set': method('Changes some of the learner\'s settings and returns all of them.', z.strictObject({ patch: settings.partial() }), settings),
} as const;

export const events = {
  'app.notice': z.strictObject({
    level: z.enum(['info', 'warning', 'error']),
    message: z.string(),
  }),
} as const;

export type MethodName = keyof typeof methods;
/** What the caller passes (before defaults are applied). */
export type MethodArgs<M extends MethodName> = z.input<(typeof methods)[M]['args']>;
/** What a handler receives (after validation). */
export type ParsedArgs<M extends MethodName> = z.output<(typeof methods)[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<(typeof methods)[M]['result']>;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
export interface ApiEvent<E extends EventName = EventName> {
  name: E;
  payload: EventPayload<E>;
}

const API_ERROR_CODES = [
  'bad-request', // the envelope itself was malformed
  'unknown-method',
  'invalid-args',
  'failed', // the handler refused the request for a reason the user can act on
  'invalid-result', // the backend produced something the contract does not allow: a backend bug
  'internal', // an unexpected exception in the backend
  'forbidden', // the caller is not allowed to call at all
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

export type ApiResponse<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiError };

export const apiResponseSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: z.strictObject({ code: z.enum(API_ERROR_CODES), message: z.string() }) }),
]);

export const apiRequestSchema = z.strictObject({ method: z.string(), args: z.unknown() });

export const apiEventSchema = z.strictObject({ name: z.string(), payload: z.unknown() });

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** Names every failing field by its path, e.g. `args.text: Invalid input: expected string, received number`. */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : String(key)))].join('.').replace(/\.\[/g, '[');
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Thrown by the renderer's client when the backend answers with an error. */
export class ApiCallError extends Error {
  readonly code: ApiErrorCode;
  readonly method: string;

  constructor(method: string, error: ApiError) {
    super(`${method}: ${error.message}`);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.method = method;
  }
}

/** What the Electron preload exposes as `window.switchyard`: the renderer's only door to the backend. */
export interface SwitchyardBridge {
  readonly transport: 'electron';
  invoke(method: string, args: unknown): Promise<unknown>;
  /** Returns a function that stops the subscription. */
  onEvent(listener: (event: { name: string; payload: unknown }) => void): () => void;
}

/** Browser mode: where the HTTP API and the event socket live on the server's origin. */
export const HTTP_API_PATH = '/api/invoke';
export const HTTP_EVENTS_PATH = '/api/events';
