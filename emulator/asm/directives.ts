/**
 * Every directive the assembler knows, as one table from name to handler. Conditionals (`.if` and
 * relatives) are read before this table, by conditionals.ts; their names are listed here too.
 */
import type { Expr } from './expr.ts';
import { MAX_SECTION_BYTES, type Arg, type AssemblerCore } from './core.ts';
import { conditionalDirectives } from './conditionals.ts';
import { defineMacro, exitMacro, purgeMacro, startRepeat } from './macros.ts';
import { unquote } from './directive-args.ts';
import { splitStatements, type Stmt } from './source.ts';
import type { Deferred, Loc } from './model.ts';
import type { IncludeReader } from './types.ts';

export interface DirectiveCall {
  st: Stmt;
  word: string;
  /** The text after the directive name, trimmed, and the column it starts at. */
  rest: string;
  restCol: number;
  loc: Loc;
  args(): Arg[];
  expr(arg: Arg): Expr;
  include: IncludeReader | undefined;
}

type Handler = (a: AssemblerCore, d: DirectiveCall) => void;

const sectionSwitch: Handler = (a, d) => a.switchTo(a.section(d.word));

const namedSection: Handler = (a, d) => {
  const args = d.args();
  if (args.length === 0 || args[0].text === '') return a.error(`\`${d.word}\` needs a section name`, d.loc);
  const name = unquote(args[0].text);
  const flags = args[1] ? unquote(args[1].text) : '';
  if (d.word === '.pushsection') a.sectionStack.push(a.cur);
  a.switchTo(a.section(name, flags));
};

const ignored: Handler = () => {};

const globl: Handler = (a, d) => {
  for (const arg of d.args()) {
    const s = a.symbols.get(arg.text);
    if (s) s.global = true;
    else a.symbols.set(arg.text, { name: arg.text, kind: 'equ', sec: -1, value: 0n, expr: null, exprSec: 0, exprItem: 0, known: false, global: true, line: 0, evaluating: false });
  }
};

const equate = (rule: 'set' | 'equiv' | 'eqv'): Handler => (a, d) => {
  const args = d.args();
  if (args.length !== 2 || !/^[A-Za-z_.$][\w.$@]*$/.test(args[0].text)) return a.error(`\`${d.word}\` takes a symbol name and a value: \`${d.word} NAME, VALUE\``, d.loc);
  a.defineEqu(args[0].text, d.expr(args[1]), a.at(d.st, args[0].col, args[0].col + args[0].text.length), rule);
};

const data = (width: number): Handler => (a, d) => {
  const values: Deferred[] = [];
  for (const arg of d.args()) {
    if (arg.text === '') {
      a.error('missing value', a.at(d.st, arg.col, arg.col + 1));
      continue;
    }
    if (arg.text.startsWith('"') && width === 1) {
      const toks = a.tokens(arg.text, arg.col);
      for (const b of toks[0].bytes ?? []) values.push({ known: true, value: BigInt(b) });
      continue;
    }
    const e = d.expr(arg);
    a.dotBias = values.length * width;
    const v = a.defer(e);
    a.dotBias = 0;
    if (v.known) a.checkDataRange(v.value, width, a.at(d.st, arg.col, arg.col + arg.text.length));
    values.push(v);
  }
  if (a.struct && values.some((v) => !v.known || v.value !== 0n)) return a.error(`\`${d.word}\` inside \`.struct\` can only reserve zeros: a \`.struct\` block lays out offsets and stores nothing`, d.loc);
  a.push({ k: 'data', width, values, loc: d.loc, offset: 0, size: width * values.length });
};

const strings: Handler = (a, d) => {
  const out: number[] = [];
  for (const arg of d.args()) {
    for (const t of a.tokens(arg.text, arg.col)) {
      if (t.kind === 'eol') break;
      if (t.kind !== 'str') return a.error(`\`${d.word}\` expects strings in double quotes, found \`${t.text}\``, a.at(d.st, t.col, t.end));
      out.push(...t.bytes!);
      if (d.word !== '.ascii') out.push(0);
    }
  }
  if (a.struct && out.length) return a.error(`\`${d.word}\` inside \`.struct\` would store text: a \`.struct\` block lays out offsets and stores nothing`, d.loc);
  a.push({ k: 'bytes', data: Uint8Array.from(out), loc: d.loc, offset: 0, size: out.length });
};

const align: Handler = (a, d) => {
  const args = d.args();
  if (args.length === 0 || args[0].text === '') return a.error(`\`${d.word}\` needs an alignment`, d.loc);
  const v = a.constant(d.expr(args[0]), `\`${d.word}\` alignment`);
  let boundary: number;
  if (d.word === '.p2align') {
    if (v < 0n || v > 30n) return a.error(`\`.p2align ${v}\` is out of range (0..30)`, d.loc);
    boundary = 1 << Number(v);
  } else {
    if (v < 0n || v > 1n << 30n) return a.error(`alignment ${v} is out of range`, d.loc);
    boundary = Number(v) || 1;
    if ((boundary & (boundary - 1)) !== 0) return a.error(`alignment ${v} is not a power of 2`, d.loc);
  }
  const fill = args[1] && args[1].text !== '' ? Number(BigInt.asUintN(8, a.constant(d.expr(args[1]), 'fill value'))) : null;
  const max = args[2] && args[2].text !== '' ? Number(a.constant(d.expr(args[2]), 'maximum skip')) : Infinity;
  const pad = (boundary - (a.here() % boundary)) % boundary;
  a.push({ k: 'align', boundary, fill, max, bits: a.bits, loc: d.loc, offset: 0, size: pad <= max ? pad : 0 });
};

const fill: Handler = (a, d) => {
  const args = d.args();
  if (args.length === 0 || args[0].text === '') return a.error('`.fill` needs a repeat count', d.loc);
  const count = a.constant(d.expr(args[0]), '`.fill` count');
  const size = args[1] && args[1].text !== '' ? a.constant(d.expr(args[1]), '`.fill` size') : 1n;
  const value = args[2] && args[2].text !== '' ? a.constant(d.expr(args[2]), '`.fill` value') : 0n;
  if (count < 0n) return a.warn('`.fill` count is negative; ignored', d.loc);
  const width = size > 8n ? 8n : size;
  if (count * size > BigInt(MAX_SECTION_BYTES)) return a.error(`\`.fill\` of ${count * size} bytes is too large`, d.loc);
  const bytes = new Uint8Array(Number(count * size));
  for (let i = 0; i < Number(count); i++) {
    for (let b = 0; b < Number(width); b++) bytes[i * Number(size) + b] = Number((BigInt.asUintN(64, value) >> BigInt(8 * b)) & 0xffn);
  }
  a.push({ k: 'bytes', data: bytes, loc: d.loc, offset: 0, size: bytes.length });
};

const skip: Handler = (a, d) => {
  const args = d.args();
  if (args.length === 0 || args[0].text === '') return a.error(`\`${d.word}\` needs a size`, d.loc);
  const n = a.constant(d.expr(args[0]), `\`${d.word}\` size`);
  const value = d.word !== '.zero' && args[1] && args[1].text !== '' ? a.constant(d.expr(args[1]), 'fill value') : 0n;
  if (n < 0n) return a.warn(`\`${d.word}\` size is negative; ignored`, d.loc);
  if (n > BigInt(MAX_SECTION_BYTES)) return a.error(`\`${d.word} ${n}\` is too large`, d.loc);
  a.push({ k: 'bytes', data: new Uint8Array(Number(n)).fill(Number(BigInt.asUintN(8, value))), loc: d.loc, offset: 0, size: Number(n) });
};

const org: Handler = (a, d) => {
  const args = d.args();
  if (args.length === 0 || args[0].text === '') return a.error('`.org` needs an address', d.loc);
  const target = a.defer(d.expr(args[0]));
  const value = args[1] && args[1].text !== '' ? Number(BigInt.asUintN(8, a.constant(d.expr(args[1]), 'fill value'))) : 0;
  const size = target.known ? Math.max(0, Number(target.value) - a.cur.size) : 0;
  a.push({ k: 'org', target, fill: value, loc: d.loc, offset: 0, size });
};

/** The text of `.error "..."`/`.warning "..."`: the string with its escapes read. */
function messageOf(a: AssemblerCore, d: DirectiveCall, fallback: string): string {
  if (!d.rest) return fallback;
  const toks = a.tokens(d.rest, d.restCol);
  if (toks[0]?.kind === 'str' && toks[1]?.kind === 'eol') return utf8Text(toks[0].bytes!);
  return unquote(d.rest);
}

function utf8Text(bytes: number[]): string {
  try {
    return decodeURIComponent(bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
  } catch {
    return String.fromCharCode(...bytes);
  }
}

const struct: Handler = (a, d) => {
  const offset = d.rest === '' ? 0n : a.constant(d.expr({ text: d.rest, col: d.restCol }), '`.struct` offset');
  a.struct = { offset: Number(offset), loc: d.loc };
};

const include: Handler = (a, d) => {
  const name = unquote(d.rest);
  if (!/^".*"$/.test(d.rest)) return a.error('`.include` takes a file name in double quotes: `.include "file.s"`', d.loc);
  if (!d.include) return a.error(`\`.include "${name}"\`: there are no other files here to include (only this one source)`, d.loc);
  const got = d.include(name, d.st.file ?? '');
  if (!got.ok) return a.error(got.error, d.loc);
  const split = splitStatements(got.text);
  for (const p of split.problems) a.error(p.message, { line: p.line, col: p.col, end: p.end, file: got.file, mainLine: d.st.mainLine, exact: true });
  const stmts = split.statements.map((s): Stmt => ({ ...s, file: s.file ?? got.file, mainLine: d.st.mainLine }));
  a.frames.push({ stmts, i: 0, macro: false, depth: (a.frames[a.frames.length - 1]?.depth ?? 0) + 1, condDepth: a.conds.length });
};

const directiveTable: Record<string, Handler> = {
  '.text': sectionSwitch, '.data': sectionSwitch, '.bss': sectionSwitch,
  '.section': namedSection, '.pushsection': namedSection,
  '.popsection': (a, d) => {
    const s = a.sectionStack.pop();
    if (!s) a.error('`.popsection` without `.pushsection`', d.loc);
    else a.switchTo(s);
  },
  '.previous': (a) => {
    if (a.prevSection) a.switchTo(a.prevSection);
  },
  '.struct': struct,
  '.globl': globl, '.global': globl,
  '.code16': (a) => void (a.bits = 16), '.code32': (a) => void (a.bits = 32), '.code64': (a) => void (a.bits = 64),
  '.intel_syntax': (a, d) => {
    a.intel = true;
    if (d.rest !== '' && d.rest !== 'noprefix' && d.rest !== 'prefix') a.error(`\`.intel_syntax\` takes \`noprefix\` or \`prefix\`, not \`${d.rest}\``, d.loc);
  },
  '.att_syntax': (a) => void (a.intel = false),
  '.equ': equate('set'), '.set': equate('set'), '.equiv': equate('equiv'), '.eqv': equate('eqv'),
  '.byte': data(1),
  '.word': data(2), '.short': data(2), '.value': data(2), '.hword': data(2), '.2byte': data(2),
  '.long': data(4), '.int': data(4), '.4byte': data(4),
  '.quad': data(8), '.8byte': data(8),
  '.ascii': strings, '.asciz': strings, '.string': strings,
  '.align': align, '.balign': align, '.p2align': align,
  '.fill': fill, '.skip': skip, '.space': skip, '.zero': skip, '.org': org,
  '.macro': (a, d) => defineMacro(a, d.st, d.rest, d.loc),
  '.endm': (a, d) => a.error('`.endm` without a matching `.macro`', d.loc),
  '.endmacro': (a, d) => a.error('`.endm` without a matching `.macro`', d.loc),
  '.exitm': (a, d) => exitMacro(a, d.loc),
  '.purgem': (a, d) => purgeMacro(a, d.rest, d.loc),
  '.altmacro': (a) => void (a.altmacro = true),
  '.noaltmacro': (a) => void (a.altmacro = false),
  '.rept': (a, d) => startRepeat(a, d.st, d.word, d.rest, d.restCol, d.loc),
  '.irp': (a, d) => startRepeat(a, d.st, d.word, d.rest, d.restCol, d.loc),
  '.irpc': (a, d) => startRepeat(a, d.st, d.word, d.rest, d.restCol, d.loc),
  '.rep': (a, d) => startRepeat(a, d.st, d.word, d.rest, d.restCol, d.loc),
  '.irep': (a, d) => startRepeat(a, d.st, d.word, d.rest, d.restCol, d.loc),
  '.irepc': (a, d) => startRepeat(a, d.st, d.word, d.rest, d.restCol, d.loc),
  '.endr': (a, d) => a.error('`.endr` without a matching `.rept`, `.irp` or `.irpc`', d.loc),
  '.err': (a, d) => a.error('`.err` encountered', d.loc),
  '.error': (a, d) => a.error(messageOf(a, d, '`.error` directive invoked in source file'), d.loc),
  '.warning': (a, d) => a.warn(messageOf(a, d, '`.warning` directive invoked in source file'), d.loc),
  '.print': ignored,
  '.end': (a) => void (a.ended = true),
  '.include': include,
  // Debug information and symbol attributes: accepted, nothing to lay out.
  ...Object.fromEntries(
    [
      '.local', '.weak', '.hidden', '.protected', '.internal', '.type', '.size', '.file', '.ident', '.loc', '.extern', '.list', '.nolist', '.title', '.sbttl', '.psize', '.eject',
      '.cfi_startproc', '.cfi_endproc', '.cfi_def_cfa_offset', '.cfi_offset', '.cfi_def_cfa', '.cfi_def_cfa_register', '.cfi_adjust_cfa_offset', '.cfi_rel_offset',
      '.cfi_restore', '.cfi_remember_state', '.cfi_restore_state', '.cfi_sections', '.cfi_signal_frame', '.cfi_undefined', '.cfi_same_value',
    ].map((name) => [name, ignored]),
  ),
};

/** Directives GNU as has that this assembler does not: one clear error each, nothing else follows from them. */
const unsupportedDirectives: Record<string, string> = {
  '.incbin': 'binary includes', '.linkonce': 'COMDAT sections', '.comm': 'common symbols', '.lcomm': 'local common symbols',
  '.symver': 'symbol versions', '.reloc': 'explicit relocations', '.sleb128': 'LEB128 data', '.uleb128': 'LEB128 data',
  '.float': 'floating-point data', '.single': 'floating-point data', '.double': 'floating-point data', '.tfloat': 'floating-point data',
  '.octa': '16-byte integers', '.dc': 'MRI data directives', '.mri': 'MRI mode',
  '.bundle_align_mode': 'instruction bundles', '.cfi_escape': 'raw call-frame bytes', '.gnu_attribute': 'GNU object attributes',
  '.attach_to_group': 'section groups', '.stabs': 'stabs debug information', '.stabn': 'stabs debug information', '.stabd': 'stabs debug information',
};

/** Every directive name the assembler accepts (the editor's highlighting and completion take this list). */
export const directiveNames: readonly string[] = [...Object.keys(directiveTable), ...conditionalDirectives].sort();

export function directiveHandler(word: string): Handler | undefined {
  return Object.hasOwn(directiveTable, word) ? directiveTable[word] : undefined;
}

export function unsupportedReason(word: string): string | undefined {
  return Object.hasOwn(unsupportedDirectives, word) ? unsupportedDirectives[word] : undefined;
}

