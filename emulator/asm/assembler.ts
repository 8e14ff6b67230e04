/**
 * The assembler driver: reads statements in order (macros, repeats and conditionals expand as in
 * GNU as), hands directives to their table and instructions to planning, then lays sections out
 * with branch relaxation and encodes the final bytes.
 */
import { ExprError, TokenCursor, evaluate, type Expr } from './expr.ts';
import { LexError, type Token } from './lexer.ts';
import { splitStatements, type Stmt } from './source.ts';
import { OperandError, parseAttOperand, parseIntelOperand, setRegisterSuggester, splitOperands, type OpAst } from './operands.ts';
import { lookupRegister, registerNames, type RegInfo } from './encode-registers.ts';
import { resolveMnemonic, type MnemonicInfo } from './mnemonics.ts';
import { EncodeError, candidates, choose, encodeForm, type Choice, type Opnd, type Request } from './encode.ts';
import { allMnemonics, formsOf, OperandKind as K, type Form } from './encode-table.ts';
import { relaxSections } from './layout.ts';
import { applyGasOperandRules } from './gas-rules.ts';
import { buildOutput } from './output.ts';
import { firstWord } from './directive-args.ts';
import { closest } from './suggest.ts';
import { AssemblerCore, MAX_SECTION_BYTES, MAX_STATEMENTS, Undefined, hex, type Arg } from './core.ts';
import { conditional } from './conditionals.ts';
import { collectBodyLine, invokeMacro } from './macros.ts';
import { directiveHandler, directiveNames, unsupportedReason, type DirectiveCall } from './directives.ts';
import type { AssembleOptions, AssembleResult, Bits, IncludeReader } from './types.ts';
import type { Deferred, Item, Loc, PlanOp, Section } from './model.ts';

const prefixBytes: Record<string, number> = {
  lock: 0xf0, rep: 0xf3, repe: 0xf3, repz: 0xf3, repne: 0xf2, repnz: 0xf2,
  data16: 0x66, data32: 0x66, addr16: 0x67, addr32: 0x67, rex64: 0x48, notrack: 0x3e,
  cs: 0x2e, ds: 0x3e, es: 0x26, fs: 0x64, gs: 0x65, ss: 0x36,
};

export class Assembler extends AssemblerCore {
  private statementsSeen = 0;

  constructor(private readonly options: AssembleOptions) {
    super(options);
  }

  // ---------------------------------------------------------------- statement stream

  run(source: string): AssembleResult {
    const split = splitStatements(source);
    for (const p of split.problems) this.error(p.message, { line: p.line, col: p.col, end: p.end, mainLine: p.line, exact: true, ...(p.file ? { file: p.file } : {}) });
    this.frames.push({ stmts: split.statements, i: 0, macro: false, depth: 0, condDepth: 0 });
    while (this.frames.length > 0 && !this.ended && !this.tooBig) {
      const frame = this.frames[this.frames.length - 1];
      if (frame.i >= frame.stmts.length) {
        this.frames.pop();
        continue;
      }
      const st = frame.stmts[frame.i++];
      if (++this.statementsSeen > MAX_STATEMENTS) {
        this.current = st;
        this.error(`more than ${MAX_STATEMENTS} statements after expanding macros and repeats; stopping`, this.stmtLoc(st));
        break;
      }
      this.current = st;
      try {
        this.statement(st);
      } catch (err) {
        if (err instanceof ExprError || err instanceof OperandError || err instanceof LexError) this.error(err.message, this.at(st, err.col, err.end));
        else if (err instanceof Undefined) this.error(`undefined symbol \`${this.displayName(err.message)}\``, this.stmtLoc(st));
        else throw err;
      }
    }
    this.current = null;
    if (this.collecting) {
      const c = this.collecting;
      this.error(c.kind === 'macro' ? '`.macro` without a matching `.endm`' : 'repeat block without a matching `.endr`', this.stmtLoc(c.start));
    }
    for (const c of this.conds) this.error('`.if` without a matching `.endif`', c.loc);
    this.layout();
    return this.emit();
  }

  private statement(st: Stmt): void {
    const first = firstWord(st.text);
    if (collectBodyLine(this, st, first)) return;
    if (conditional(this, st, first)) return;
    const active = this.conds.length === 0 || this.conds[this.conds.length - 1].active;
    if (!active) return;
    this.activeStatement(st, first);
  }

  /** `first` is the statement's first word, already read. */
  private activeStatement(st: Stmt, first: string): void {
    let text = st.text;
    let col = st.col;
    // Labels: `name:` (also numeric local labels), possibly several.
    for (;;) {
      if (!text.includes(':')) break;
      const m = /^([A-Za-z_.$][\w.$@]*|\d+)\s*:(?!:)/.exec(text);
      if (!m) break;
      const name = m[1];
      const loc = this.at(st, col, col + name.length);
      if (/^\d+$/.test(name)) {
        const n = (this.localCounts.get(name) ?? 0) + 1;
        this.localCounts.set(name, n);
        this.defineLabel(this.localName(name, n), loc);
      } else this.defineLabel(name, loc);
      const consumed = m[0].length;
      const rest = text.slice(consumed);
      col += consumed + (rest.length - rest.trimStart().length);
      text = rest.trimStart();
    }
    if (text === '') return;
    const assign = text.includes('=') ? /^([A-Za-z_.$][\w.$@]*)\s*=(?!=)\s*(.*)$/.exec(text) : null;
    if (assign) {
      const exprCol = col + text.length - assign[2].length;
      this.defineEqu(assign[1], this.exprFrom(assign[2], exprCol), this.at(st, col, col + assign[1].length), 'set');
      return;
    }
    const word = text === st.text ? first : firstWord(text);
    const restRaw = text.slice(word.length);
    const rest = restRaw.trim();
    const restCol = col + word.length + (restRaw.length - restRaw.trimStart().length);
    if (word.startsWith('.') && !this.macros.has(word)) {
      this.directive(st, word, rest, restCol, this.at(st, col, col + word.length));
      return;
    }
    const macro = this.macros.get(word);
    if (macro) {
      invokeMacro(this, st, macro, rest, restCol);
      return;
    }
    if (this.struct) {
      this.error(`an instruction cannot go inside \`.struct\` (it lays out offsets only; end it with a section directive such as \`.text\`)`, this.at(st, col, col + text.length));
      return;
    }
    this.instruction(st, text, col);
  }

  private directive(st: Stmt, word: string, rest: string, restCol: number, loc: Loc): void {
    const handler = directiveHandler(word);
    if (handler) {
      handler(this, new Directive(this, st, word, rest, restCol, loc, this.options.include));
      return;
    }
    const unsupported = unsupportedReason(word);
    if (unsupported) return this.error(`\`${word}\` (${unsupported}) is not supported by this assembler`, loc);
    const near = closest(word, directiveNames);
    this.error(`unknown directive \`${word}\`${near ? `; did you mean \`${near}\`?` : ''}`, loc);
  }

  // ---------------------------------------------------------------- instructions

  private instruction(st: Stmt, text: string, col: number): void {
    const toks = this.tokens(text, col);
    const cur = new TokenCursor(toks);
    const prefix: number[] = [];
    let rep: 'rep' | 'repe' | 'repne' | undefined;
    let addrOverride: number | undefined;
    let mn: MnemonicInfo | null = null;
    let mnTok: Token | null = null;
    for (;;) {
      const t = cur.peek();
      if (t.kind !== 'id') {
        if (t.kind === 'eol') break;
        throw new OperandError(`expected an instruction, found \`${t.text}\``, t.col, t.end);
      }
      const w = t.text.toLowerCase();
      const pb = prefixBytes[w];
      const next = cur.peek(1);
      if (pb !== undefined && !(next.kind === 'op' && next.text === ':')) {
        cur.next();
        if (w.startsWith('rep')) rep = w === 'rep' ? 'rep' : w === 'repe' || w === 'repz' ? 'repe' : 'repne';
        if (w === 'addr32') addrOverride = 32;
        if (w === 'addr16') addrOverride = 16;
        prefix.push(pb);
        continue;
      }
      mnTok = cur.next();
      mn = resolveMnemonic(t.text, this.intel);
      break;
    }
    const loc = this.at(st, col, col + text.length);
    if (!mnTok) {
      // A prefix on a line of its own (`rep; movsb`, `lock`): GNU as emits the byte by itself.
      if (prefix.length) this.push({ k: 'bytes', data: Uint8Array.from(prefix), loc, offset: 0, size: prefix.length });
      return;
    }
    const mloc = this.at(st, mnTok.col, mnTok.end);
    if (!mn) {
      let near = closest(mnTok.text, mnemonicCandidates());
      if (near === mnTok.text.toLowerCase()) near = null;
      if (this.intel && resolveMnemonic(mnTok.text, false)) {
        return this.error(`\`${mnTok.text}\` is AT&T spelling; in Intel syntax write \`${resolveMnemonic(mnTok.text, false)!.mnemonics[0]}\` and give the size on the memory operand (e.g. \`qword ptr [rdi]\`)`, mloc);
      }
      this.error(`unknown instruction \`${mnTok.text}\`${near ? `; did you mean \`${near}\`?` : ''}`, mloc);
      return;
    }
    const rest = toks.slice(cur.pos);
    const parts = splitOperands(rest);
    let asts: OpAst[] = [];
    const commas = topLevelCommas(rest);
    for (const [i, p] of parts.entries()) {
      if (p.length === 0) {
        const at = commas[i] ?? commas[i - 1] ?? mnTok;
        throw new OperandError('missing operand (two commas in a row, or a trailing comma?)', at.col, at.end);
      }
      asts.push(this.intel ? parseIntelOperand(p, this.operandContext) : parseAttOperand(p, this.operandContext));
    }
    if (!this.intel) {
      for (const a of asts) {
        if (a.k === 'expr' && a.expr.k === 'sym' && lookupRegister(a.expr.name) && !this.symbols.has(a.expr.name)) {
          return this.error(`\`${a.expr.name}\` is a register: write %${a.expr.name.toLowerCase()} in AT&T syntax (or switch with .intel_syntax noprefix)`, this.at(st, a.col, a.end));
        }
      }
    }
    // AT&T lists the destination last; everything below works in Intel order. GNU as keeps
    // `enter` and the two-immediate far jump in written order.
    const base = mn.mnemonics[0];
    if (!this.intel) {
      const keep = base === 'enter' || (mn.far && asts.length === 2 && asts.every((a) => a.k === 'imm'));
      if (!keep) asts = asts.reverse();
    }
    if (mn.string && base !== 'xlatb') {
      const s = this.stringOperands(st, mn, asts);
      if (!s) return;
      this.stringSeg = s.seg;
      try {
        this.plan(st, s.mn, [], loc, mloc, prefix, rep, s.addrBits ?? addrOverride);
      } finally {
        this.stringSeg = null;
      }
      return;
    }
    this.plan(st, mn, asts, loc, mloc, prefix, rep, addrOverride);
  }

  private readonly operandContext = { hooks: this.exprHooks, evalConst: (e: Expr) => this.tryConstant(e) };
  private stringSeg: RegInfo | null = null;
  private avoidShortXchg = false;

  /** String instructions may name their implicit operands; they then fix the size, address size and source segment. */
  private stringOperands(st: Stmt, mn: MnemonicInfo, asts: OpAst[]): { mn: MnemonicInfo; seg: RegInfo | null; addrBits: number | null } | null {
    const sizes: Record<string, number> = { b: 8, w: 16, d: 32, q: 64 };
    const stem = mn.mnemonics[0].slice(0, -1);
    let size: number | null = mn.mnemonics.length === 1 ? sizes[mn.mnemonics[0].slice(-1)] : null;
    let seg: RegInfo | null = null;
    let addrBits: number | null = null;
    const setSize = (bits: number, col: number, end: number): boolean => {
      if (size !== null && size !== bits) {
        this.error(`operand size mismatch: \`${mn.written}\` with a ${bits}-bit operand`, this.at(st, col, end));
        return false;
      }
      size = bits;
      return true;
    };
    for (const a of asts) {
      if (a.k === 'reg' && a.reg.cls === 'gpr' && a.reg.num === 0 && !a.reg.high8) {
        if (!setSize(a.reg.size, a.col, a.end)) return null;
      } else if (a.k === 'reg' && a.reg.name === 'dx' && (stem === 'ins' || stem === 'outs')) {
        continue;
      } else if (a.k === 'mem' && a.base && a.base.cls === 'gpr' && !a.index && !a.disp && (a.base.num === 6 || a.base.num === 7)) {
        if (addrBits !== null && addrBits !== a.base.size) return this.error(`\`${mn.written}\` operands use different address sizes`, this.at(st, a.col, a.end)), null;
        addrBits = a.base.size;
        if ((addrBits === 16 && this.bits === 64) || (addrBits === 64 && this.bits !== 64)) {
          return this.error(`%${a.base.name} cannot address memory in ${this.bits}-bit code`, this.at(st, a.col, a.end)), null;
        }
        if (a.base.num === 7 && a.seg && a.seg.name !== 'es') return this.error(`the destination of \`${mn.written}\` is always %es:(%rdi); it cannot use %${a.seg.name}`, this.at(st, a.col, a.end)), null;
        if (a.base.num === 6 && a.seg && a.seg.name !== 'ds') seg = a.seg;
        if (a.bits !== null && !setSize(a.bits, a.col, a.end)) return null;
      } else {
        return this.error(`\`${mn.written}\` works on %rsi / %rdi (and the accumulator); this operand cannot be used`, this.at(st, a.col, a.end)), null;
      }
    }
    if (size === null) {
      const whole = this.at(st, st.col, st.col + st.text.length);
      if (this.intel) return this.error(`ambiguous operand size for \`${mn.written}\`: write \`${stem}b\`, \`${stem}w\` or \`${stem}d\`, or give the size (\`byte ptr [rsi]\`)`, whole), null;
      size = this.bits === 16 ? 16 : 32;
      this.warn(`no instruction mnemonic suffix given and no register operands; using default \`${stem}${size === 16 ? 'w' : 'l'}\``, whole);
    }
    const name = `${stem}${({ 8: 'b', 16: 'w', 32: 'd', 64: 'q' } as Record<number, string>)[size]}`;
    return { mn: { ...mn, mnemonics: [name] }, seg, addrBits };
  }


  private plan(st: Stmt, mn: MnemonicInfo, written: OpAst[], loc: Loc, mloc: Loc, prefix: number[], rep: 'rep' | 'repe' | 'repne' | undefined, addrOverride: number | undefined): void {
    const isBranchMn = mn.branch !== null;
    let asts = written;
    let far = mn.far;
    const ops: PlanOp[] = [];
    let size = mn.size;
    // Two immediates on a far jump/call: `ljmp $sel, $off`.
    if (far && asts.length === 2 && asts[0].k === 'imm' && asts[1].k === 'imm') {
      ops.push({ k: 'far', sel: this.defer(asts[0].expr), off: this.defer(asts[1].expr) });
      return this.finishPlan(st, mn, ops, loc, mloc, prefix, rep, addrOverride, far, size);
    }
    if (base(mn) === 'in' || base(mn) === 'out') {
      // GNU as also reads the port as `(%dx)`, and `inb %dx` / `outb $0x80` leave the accumulator implied.
      asts = asts.map((a) => (a.k === 'mem' && a.base?.name === 'dx' && !a.index && !a.disp && !a.seg ? { k: 'reg', reg: a.base, indirect: false, col: a.col, end: a.end } : a));
      if (asts.length === 1 && size !== null) {
        const acc = lookupRegister(({ 8: 'al', 16: 'ax', 32: 'eax', 64: 'rax' } as Record<number, string>)[size] ?? '');
        if (acc) asts = base(mn) === 'in' ? [{ k: 'reg', reg: acc, indirect: false, col: asts[0].col, end: asts[0].end }, asts[0]] : [asts[0], { k: 'reg', reg: acc, indirect: false, col: asts[0].col, end: asts[0].end }];
      }
    }
    for (const a of asts) {
      switch (a.k) {
        case 'reg':
          if (a.reg.only64 && this.bits !== 64) return this.error(`register %${a.reg.name} exists only in 64-bit code (use .code64)`, this.at(st, a.col, a.end));
          if (isBranchMn && !a.indirect && !this.intel) this.warn(`indirect ${mn.written} without \`*\``, this.at(st, a.col, a.end));
          ops.push({ k: 'reg', reg: a.reg });
          break;
        case 'imm':
          ops.push({ k: 'imm', v: this.defer(a.expr) });
          break;
        case 'far':
          far = true;
          ops.push({ k: 'far', sel: this.defer(a.sel), off: this.defer(a.off) });
          break;
        case 'expr': {
          if (isBranchMn && !a.indirect) {
            ops.push({ k: 'branch', target: this.defer(a.expr) });
            break;
          }
          const d = this.defer(a.expr);
          if (this.intel && d.known && !isBranchMn) {
            ops.push({ k: 'imm', v: d });
            break;
          }
          ops.push({ k: 'mem', base: null, index: null, scale: 1, seg: null, bits: null, disp: d, ripTarget: false });
          break;
        }
        case 'mem': {
          for (const r of [a.base, a.index]) {
            if (r && r.only64 && this.bits !== 64) return this.error(`register %${r.name} exists only in 64-bit code (use .code64)`, this.at(st, a.col, a.end));
            if (r && r.size === 64 && r.cls === 'gpr' && this.bits !== 64) return this.error(`64-bit address register %${r.name} needs 64-bit code`, this.at(st, a.col, a.end));
            if (r && r.size === 16 && this.bits === 64) return this.error(`16-bit address register %${r.name} cannot be used in 64-bit code`, this.at(st, a.col, a.end));
          }
          const disp = a.disp ? this.defer(a.disp) : null;
          const rip = a.base?.cls === 'ip';
          let seg = a.seg;
          if (seg && this.redundantSegment(seg, a.base)) seg = null;
          if (this.intel && (base(mn) === 'jmp' || base(mn) === 'call') && a.bits === 48) far = true;
          ops.push({ k: 'mem', base: a.base, index: a.index, scale: a.scale, seg, bits: a.bits, disp, ripTarget: rip && disp !== null && !disp.known, col: a.col });
          break;
        }
      }
    }
    const adjusted = applyGasOperandRules(base(mn), ops, size, this.bits);
    if (adjusted.error) return this.error(adjusted.error, loc);
    if (adjusted.asNop) return this.finishPlan(st, { ...mn, mnemonics: ['nop'] }, [], loc, mloc, prefix, rep, addrOverride, far, null);
    size = adjusted.size;
    this.avoidShortXchg = adjusted.avoidShortXchg;
    if (this.intel && this.bits === 64 && (base(mn) === 'sysret' || base(mn) === 'sysexit') && mn.written.toLowerCase() === base(mn)) {
      return this.error(`ambiguous operand size for \`${mn.written}\`: write \`${base(mn)}q\` (64-bit) or \`${base(mn)}d\` (32-bit)`, loc);
    }
    this.finishPlan(st, mn, ops, loc, mloc, prefix, rep, addrOverride, far, size);
  }

  /** GNU as drops a segment override that names the default segment. */
  private redundantSegment(seg: RegInfo, baseReg: RegInfo | null): boolean {
    const stackBase = baseReg && (baseReg.num === 4 || baseReg.num === 5) && baseReg.cls === 'gpr' && baseReg.size !== 16;
    const bp16 = baseReg && baseReg.size === 16 && baseReg.num === 5;
    const def = stackBase || bp16 ? 'ss' : 'ds';
    return seg.name === def;
  }

  private provisional(ops: PlanOp[], ip: bigint): Opnd[] {
    return ops.map((o): Opnd => {
      switch (o.k) {
        case 'reg':
          return { k: 'reg', reg: o.reg };
        case 'imm':
          return { k: 'imm', value: o.v.known ? o.v.value : 0n, known: o.v.known, sized: o.sized ?? null };
        case 'mem':
          return {
            k: 'mem',
            m: { base: o.base, index: o.index, scale: o.scale, seg: o.seg, bits: o.bits, disp: o.disp?.known ? o.disp.value : 0n, dispKnown: (!o.disp || o.disp.known) && !o.fullDisp, ripTarget: o.ripTarget },
          };
        case 'branch':
          return { k: 'branch', target: ip };
        case 'far':
          return { k: 'far', sel: o.sel.known ? o.sel.value : 0n, off: o.off.known ? o.off.value : 0n };
      }
    });
  }

  private finishPlan(st: Stmt, mn: MnemonicInfo, ops: PlanOp[], loc: Loc, mloc: Loc, prefix: number[], rep: 'rep' | 'repe' | 'repne' | undefined, addrOverride: number | undefined, far: boolean, size: number | null): void {
    const isBranch = ops.length === 1 && ops[0].k === 'branch';
    const avoidShortXchg = this.avoidShortXchg;
    this.avoidShortXchg = false;
    // GNU as turns `int $3` into the one-byte int3.
    if (mn.mnemonics[0] === 'int' && ops.length === 1 && ops[0].k === 'imm' && ops[0].v.known && ops[0].v.value === 3n) {
      return this.finishPlan(st, { ...mn, mnemonics: ['int3'] }, [], loc, mloc, prefix, rep, addrOverride, far, size);
    }
    const req: Request = {
      mnemonics: mn.mnemonics, size, srcSize: mn.srcSize, far, movabs: mn.movabs, branch: null,
      operands: this.provisional(ops, 0n), bits: this.bits, stackDefault: mn.stack,
    };
    const rawPrefix = prefix.filter((b) => !(mn.string && (b === 0xf3 || b === 0xf2)) && !(mn.string && b === 0x67));
    if (isBranch && (mn.branch === 'jmp' || mn.branch === 'jcc')) {
      const shortForm = this.tryChoose({ ...req, branch: 'short' });
      const nearForm = this.tryChoose({ ...req, branch: 'near' });
      if (!shortForm && !nearForm) return this.explain(st, mn, req, ops, mloc, loc);
      const item: Item = {
        k: 'branch', target: (ops[0] as { target: Deferred }).target, bits: this.bits,
        shortForm: shortForm?.form ?? null, nearForm: nearForm?.form ?? null,
        shortLen: (shortForm?.length ?? 0) + rawPrefix.length, nearLen: (nearForm?.length ?? 0) + rawPrefix.length,
        near: !shortForm, prefix: rawPrefix, loc, offset: 0, size: 0,
      };
      item.size = item.near ? item.nearLen : item.shortLen;
      this.push(item);
      return;
    }
    let choice;
    try {
      choice = choose(req, this.intel);
      if (avoidShortXchg) {
        const modrm = (formsOf('xchg') ?? []).find((f) => f.name === 'Xchg_rm32_r32');
        if (modrm) choice = { form: modrm, length: encodeForm(modrm, req.operands, 0n, this.bits, []).length, defaulted: null };
      }
      // xchg and test are symmetric: GNU as finds the short accumulator forms whichever way round they are written.
      else if ((base(mn) === 'xchg' || base(mn) === 'test') && ops.length === 2) {
        const swapped = this.tryChoose({ ...req, operands: [req.operands[1], req.operands[0]] });
        if (swapped && swapped.length < choice.length) {
          choice = swapped as typeof choice;
          ops.reverse();
        }
      }
    } catch (e) {
      if (e instanceof EncodeError && (base(mn) === 'xchg' || base(mn) === 'test') && ops.length === 2 && e.message === 'no form') {
        const swapped = this.tryChoose({ ...req, operands: [req.operands[1], req.operands[0]] });
        if (swapped) {
          ops.reverse();
          this.pushInsn(mn, swapped as Choice, ops, loc, prefix, rep, addrOverride);
          return;
        }
      }
      if (!(e instanceof EncodeError)) throw e;
      if (e.message === 'ambiguous') {
        const mem = ops.find((o) => o.k === 'mem');
        const width = this.bits === 64 ? 'qword' : this.bits === 32 ? 'dword' : 'word';
        let ex = `${mn.written} ${width} ptr [...]`;
        if (mem && mem.k === 'mem' && mem.col !== undefined && st.exact) {
          const at = mem.col - st.col;
          ex = `${st.text.slice(0, at)}${width} ptr ${st.text.slice(at)}`.replace(/^\S+:\s*/, '');
        }
        return this.error(`ambiguous operand size for \`${mn.written}\`; write \`${ex}\` (or byte/word/dword/qword as you mean)`, loc);
      }
      if (e.message !== 'no form') return this.error(`cannot encode \`${mn.written}\`: ${e.message}`, loc);
      return this.explain(st, mn, req, ops, mloc, loc);
    }
    this.pushInsn(mn, choice, ops, loc, prefix, rep, addrOverride);
  }

  private pushInsn(mn: MnemonicInfo, choice: Choice, ops: PlanOp[], loc: Loc, prefix: number[], rep: 'rep' | 'repe' | 'repne' | undefined, addrOverride: number | undefined): void {
    const rawPrefix = prefix.filter((b) => !(mn.string && (b === 0xf3 || b === 0xf2)) && !(mn.string && b === 0x67));
    if (choice.defaulted !== null) {
      const suffix = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' }[choice.defaulted] ?? '';
      this.warn(`no instruction mnemonic suffix given and no register operands; using default \`${mn.written}${suffix}\``, loc);
    }
    if (rawPrefix.includes(0xf0) && (!choice.form.lockable || !ops.some((o) => o.k === 'mem'))) {
      return this.error(`expecting lockable instruction after \`lock\`: \`${mn.written}\` here cannot be locked (lock needs a read-modify-write instruction with a memory destination)`, loc);
    }
    let stringAddrBits: number | undefined;
    if (mn.string) stringAddrBits = addrOverride ?? this.bits;
    const item: Item = {
      k: 'insn', form: choice.form, ops, bits: this.bits, prefix: rawPrefix, rep: mn.string ? rep : undefined,
      stringAddrBits, stringSeg: mn.string ? this.stringSeg : null, loc, offset: 0, size: 0,
    };
    if (mn.string) {
      try {
        item.size = encodeForm(choice.form, this.provisional(ops, 0n), 0n, this.bits, { rep, stringAddrBits, stringSeg: item.stringSeg }).length + rawPrefix.length;
      } catch (e) {
        if (e instanceof EncodeError) return this.error(`cannot encode \`${mn.written}\`: ${e.message}`, loc);
        throw e;
      }
    } else item.size = choice.length + rawPrefix.length;
    this.push(item);
  }

  private tryChoose(req: Request): Choice | null {
    try {
      return choose(req, this.intel);
    } catch (_) {
      return null;
    }
  }

  /** Says why no form matched, as precisely as it can. */
  private explain(st: Stmt, mn: MnemonicInfo, req: Request, ops: PlanOp[], mloc: Loc, loc: Loc): void {
    const forms = mn.mnemonics.flatMap((m) => allFormsFor(m, this.bits));
    if (forms.length === 0) {
      const other = mn.mnemonics.flatMap((m) => allFormsFor(m, this.bits === 64 ? 32 : 64));
      return this.error(`\`${mn.written}\` is not valid in ${this.bits}-bit code${other.length ? ` (it exists in ${this.bits === 64 ? '32' : '64'}-bit code)` : ''}`, mloc);
    }
    const counts = new Set(forms.map((f) => f.kinds.length));
    if (!counts.has(ops.length) && !mn.string) {
      if (counts.size === 1 && counts.has(0)) return this.error(`\`${mn.written}\` takes no operands`, loc);
      const list = [...counts].sort().join(' or ');
      return this.error(`\`${mn.written}\` takes ${list} operand${list === '1' ? '' : 's'}, not ${ops.length}`, loc);
    }
    const reg = ops.find((o) => o.k === 'reg' && o.reg.cls === 'gpr');
    if (req.size !== null && reg && reg.k === 'reg' && reg.reg.size !== req.size && !['movzx', 'movsx', 'movsxd'].includes(mn.mnemonics[0])) {
      return this.error(`operand size mismatch: \`${mn.written}\` with ${reg.reg.size}-bit register %${reg.reg.name}`, loc);
    }
    const regs = ops.filter((o) => o.k === 'reg' && o.reg.cls === 'gpr') as { k: 'reg'; reg: RegInfo }[];
    if (regs.length >= 2 && new Set(regs.map((r) => r.reg.size)).size > 1 && !['movzx', 'movsx', 'movsxd', 'shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'in', 'out', 'shld', 'shrd', 'lar', 'lsl'].includes(mn.mnemonics[0])) {
      return this.error(`operand size mismatch: \`${mn.written}\` with %${regs[0].reg.name} (${regs[0].reg.size}-bit) and %${regs[1].reg.name} (${regs[1].reg.size}-bit)`, loc);
    }
    if (req.size !== null) {
      const sized = candidates({ ...req, size: null, srcSize: null });
      const suffixOk = forms.some((f) => (f.operandSize || 0) === req.size || (req.size === 8 && f.operandSize === 0));
      if (!suffixOk || (sized.forms.length > 0 && !regs.length)) {
        return this.error(`invalid instruction suffix for \`${mn.written}\` in ${this.bits}-bit code`, mloc);
      }
    }
    for (const r of regs) {
      const fits = forms.some((f) => f.kinds.some((k) => registerFitsKind(r.reg, k)));
      if (!fits) return this.error(`\`${mn.written}\` cannot take the ${r.reg.size}-bit register %${r.reg.name}${this.bits === 64 && r.reg.size === 32 && mn.stack ? ' in 64-bit code (use the 64-bit register)' : ''}`, loc);
    }
    const imm = ops.find((o) => o.k === 'imm');
    if (imm && imm.k === 'imm' && imm.v.known) {
      const loose = candidates({ ...req, operands: req.operands.map((o) => (o.k === 'imm' ? { k: 'imm', value: 0n, known: true } : o)) });
      if (loose.forms.length > 0) return this.error(`immediate ${hex(imm.v.value)} is out of range for \`${mn.written}\``, loc);
    }
    if (ops.some((o) => o.k === 'mem') && this.intel && ops.some((o) => o.k === 'imm')) {
      return this.error(`ambiguous operand size for \`${mn.written}\`: write e.g. \`${mn.written} qword ptr [...], ...\``, loc);
    }
    return this.error(`invalid operands for \`${mn.written}\`${this.shapeHint(ops)}`, loc);
  }

  private shapeHint(ops: PlanOp[]): string {
    const d = ops.map((o) => (o.k === 'reg' ? `%${o.reg.name}` : o.k === 'imm' ? 'immediate' : o.k === 'mem' ? 'memory' : o.k === 'branch' ? 'address' : 'far pointer'));
    return d.length ? ` (${d.join(', ')})` : '';
  }

  // ---------------------------------------------------------------- layout

  private layout(): void {
    relaxSections(this.sections, MAX_SECTION_BYTES, {
      targetOf: (d, s) => this.layoutTarget(d, s),
      targetLabel: (d) => {
        if (d.known) return null;
        const e = d.expr.k === 'bin' && (d.expr.op === '+' || d.expr.op === '-') ? d.expr.a : d.expr;
        const sym = e.k === 'sym' ? this.symbols.get(e.name) : undefined;
        return sym && sym.kind === 'label' ? sym : null;
      },
      tooLarge: (it, s) => this.error(`this makes section ${s.name} larger than ${MAX_SECTION_BYTES} bytes`, it.loc),
    });
  }

  /** A branch or .org target as an offset in section `s`, or null if elsewhere or unknown. */
  private layoutTarget(d: Deferred, s: Section): number | null {
    if (d.known) return null;
    try {
      const v = evaluate(d.expr, this.finalContext(d.sec, d.item, d.dot));
      if (v.sec === s.index) return Number(v.off);
      return null;
    } catch (_) {
      return null;
    }
  }

  // ---------------------------------------------------------------- output

  private emit(): AssembleResult {
    const out = buildOutput({
      sections: this.sections,
      symbols: this.symbols,
      startBits: this.startBits,
      resolve: (d) => this.resolve(d),
      targetOf: (d, s) => this.layoutTarget(d, s),
      symbolValue: (sym) => this.symbolValue(sym, 0, 0, true),
      checkDataRange: (v, width, loc) => this.checkDataRange(v, width, loc),
      error: (message, loc) => this.error(message, loc),
      warn: (message, loc) => this.warn(message, loc),
    });
    this.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: !this.diagnostics.some((d) => d.severity === 'error'), ...out, diagnostics: this.diagnostics };
  }
}

/** A class, not an object literal of closures: one is made per directive statement. */
class Directive implements DirectiveCall {
  constructor(
    private readonly a: AssemblerCore,
    readonly st: Stmt,
    readonly word: string,
    readonly rest: string,
    readonly restCol: number,
    readonly loc: Loc,
    readonly include: IncludeReader | undefined,
  ) {}
  args(): Arg[] {
    return this.a.args(this.rest, this.restCol);
  }
  expr(arg: Arg): Expr {
    return this.a.exprFrom(arg.text, arg.col);
  }
}

function topLevelCommas(tokens: Token[]): Token[] {
  const out: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind !== 'op') continue;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (t.text === ',' && depth === 0) out.push(t);
  }
  return out;
}


function base(mn: MnemonicInfo): string {
  return mn.mnemonics[0];
}

const gprKindSizes: Record<number, number> = {
  [K.r8_or_mem]: 8, [K.r8_reg]: 8, [K.r8_opcode]: 8, [K.al]: 8, [K.cl]: 8,
  [K.r16_or_mem]: 16, [K.r16_reg]: 16, [K.r16_rm]: 16, [K.r16_opcode]: 16, [K.ax]: 16, [K.dx]: 16,
  [K.r32_or_mem]: 32, [K.r32_reg]: 32, [K.r32_rm]: 32, [K.r32_opcode]: 32, [K.eax]: 32,
  [K.r64_or_mem]: 64, [K.r64_reg]: 64, [K.r64_rm]: 64, [K.r64_opcode]: 64, [K.rax]: 64,
};

function registerFitsKind(r: RegInfo, kind: number): boolean {
  return gprKindSizes[kind] === r.size;
}

function allFormsFor(mnemonic: string, bits: Bits): Form[] {
  return (formsOf(mnemonic) ?? []).filter((f) => (bits === 64 ? f.mode64 : bits === 32 ? f.mode32 : f.mode16));
}

let mnemonicList: string[] | null = null;
function mnemonicCandidates(): string[] {
  mnemonicList ??= allMnemonics();
  return mnemonicList;
}

setRegisterSuggester((name) => {
  const near = closest(name, registerNames());
  return near ? `; did you mean %${near}?` : '';
});
