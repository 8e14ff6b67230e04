/** Final pass: every item's bytes at its laid-out address, the listing and the symbol table. */
import { ExprError, type Value } from './expr.ts';
import { EncodeError, encodeForm, immFits, immWidth, reorderPrefixes, type Opnd } from './encode.ts';
import { OperandKind as K } from './encode-table.ts';
import { nopFill } from './nops.ts';
import type { Deferred, Item, Loc, Section, Sym } from './model.ts';
import type { AssembleResult, AssembledSection, Bits, ListingEntry, SymbolEntry } from './types.ts';

export interface OutputContext {
  sections: Section[];
  symbols: Map<string, Sym>;
  /** The width the assembler started in (`as --64` or `as --32`): it decides the NOP fillers. */
  startBits: Bits;
  /** The final absolute value of an expression (labels become base + offset). */
  resolve(d: Deferred): bigint;
  targetOf(d: Deferred, s: Section): number | null;
  symbolValue(sym: Sym): Value;
  checkDataRange(v: bigint, width: number, loc: Loc): void;
  error(message: string, loc: Loc): void;
  warn(message: string, loc: Loc): void;
}

const hex = (v: bigint) => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

export function buildOutput(ctx: OutputContext): Pick<AssembleResult, 'sections' | 'listing' | 'symbols'> {
  const listing: ListingEntry[] = [];
  const chunks: Uint8Array[][] = [];
  const lengths: number[] = [];
  const out: AssembledSection[] = [];
  for (const s of ctx.sections) {
    const bytes = new Uint8Array(s.size);
    for (const it of s.items) {
      if (it.size === 0 && it.k !== 'insn' && it.k !== 'org') continue;
      let data: Uint8Array;
      try {
        data = itemBytes(ctx, it, s);
      } catch (err) {
        data = new Uint8Array(it.size);
        if (err instanceof ExprError) ctx.error(err.message, it.loc.exact ? { ...it.loc, col: err.col, end: err.end } : it.loc);
        else if (err instanceof EncodeError) ctx.error(err.message, it.loc);
        else throw err;
      }
      if (data.length !== it.size) {
        ctx.error(`internal error: \`${it.k}\` changed size from ${it.size} to ${data.length} bytes`, it.loc);
        data = data.slice(0, it.size);
      }
      bytes.set(data, it.offset);
      if (data.length > 0) {
        const last = listing[listing.length - 1];
        const lastChunks = chunks[chunks.length - 1];
        // Consecutive bytes from one line (a macro or .rept expansion) become one listing entry.
        if (last && last.line === it.loc.mainLine && last.section === s.name && last.offset + lengths[lengths.length - 1] === it.offset) {
          lastChunks.push(data);
          lengths[lengths.length - 1] += data.length;
        } else {
          listing.push({ line: it.loc.mainLine, section: s.name, offset: it.offset, bytes: data });
          chunks.push([data]);
          lengths.push(data.length);
        }
      }
    }
    if (s.name === '.text' || s.size > 0 || s.items.length > 0) out.push({ name: s.name, base: s.base, bytes });
  }
  listing.forEach((entry, i) => {
    if (chunks[i].length > 1) entry.bytes = s2bytes(chunks[i], lengths[i]);
  });
  const symbols: SymbolEntry[] = [];
  for (const sym of ctx.symbols.values()) {
    if (sym.name.includes('\u0002')) continue;
    if (sym.kind === 'label') {
      const sec = ctx.sections[sym.sec];
      symbols.push({ name: sym.name, section: sec.name, value: sym.value, address: sec.base + sym.value, global: sym.global, line: sym.line });
    } else if (sym.kind === 'equ') {
      if (!sym.known && !sym.expr) {
        if (sym.global) continue;
        continue;
      }
      try {
        const v = ctx.symbolValue(sym);
        if (v.sec >= 0) {
          const sec = ctx.sections[v.sec];
          symbols.push({ name: sym.name, section: sec.name, value: v.off, address: sec.base + v.off, global: sym.global, line: sym.line });
        } else symbols.push({ name: sym.name, section: null, value: v.off, address: v.off, global: sym.global, line: sym.line });
      } catch (err) {
        if (err instanceof ExprError) ctx.error(err.message, { line: sym.line, col: 0, end: 1, mainLine: sym.line, exact: false });
        else throw err;
      }
    }
  }
  return { sections: out, listing, symbols };
}

function itemBytes(ctx: OutputContext, it: Item, s: Section): Uint8Array {
  const addr = s.base + BigInt(it.offset);
  switch (it.k) {
    case 'bytes':
      return it.data;
    case 'data': {
      const out = new Uint8Array(it.size);
      it.values.forEach((d, i) => {
        const v = ctx.resolve(d);
        if (!d.known) ctx.checkDataRange(v, it.width, it.loc);
        const u = BigInt.asUintN(it.width * 8, v);
        for (let b = 0; b < it.width; b++) out[i * it.width + b] = Number((u >> BigInt(8 * b)) & 0xffn);
      });
      return out;
    }
    case 'align':
      // In code, GNU as pads with NOP instructions, also when the requested fill byte is 0x90.
      if ((it.fill !== null && it.fill !== 0x90) || !s.code) return new Uint8Array(it.size).fill(it.fill ?? 0);
      return nopFill(it.size, ctx.startBits, it.bits);
    case 'org': {
      const t = it.target.known ? Number(it.target.value) : ctx.targetOf(it.target, s);
      if (t === null) throw new ExprError('`.org` needs an address in the same section', it.loc.col, it.loc.end);
      if (t < it.offset) throw new ExprError(`\`.org\` cannot move the location backwards (from ${hex(BigInt(it.offset))} to ${hex(BigInt(t))})`, it.loc.col, it.loc.end);
      return new Uint8Array(it.size).fill(it.fill);
    }
    case 'label':
      return new Uint8Array(0);
    case 'branch': {
      const target = ctx.resolve(it.target);
      const form = it.near ? it.nearForm! : it.shortForm!;
      const body = encodeForm(form, [{ k: 'branch', target }], addr + BigInt(it.prefix.length), it.bits, []);
      return withPrefix(it.prefix, body);
    }
    case 'insn': {
      const ops = finalOperands(ctx, it, addr);
      const body = encodeForm(it.form, ops, addr + BigInt(it.prefix.length), it.bits, { rep: it.rep, stringAddrBits: it.stringAddrBits, stringSeg: it.stringSeg }, it.size - it.prefix.length);
      return withPrefix(it.prefix, body);
    }
  }
}

function withPrefix(prefix: number[], body: Uint8Array): Uint8Array {
  if (prefix.length === 0) return body;
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  // A written prefix joins the encoder's prefixes in GNU as's order.
  reorderPrefixes(out);
  return out;
}

function finalOperands(ctx: OutputContext, it: Item & { k: 'insn' }, addr: bigint): Opnd[] {
  const kinds = it.form.kinds.filter((k) => k < K.seg_rSI || k > K.seg_rBX_al);
  return it.ops.map((o, i): Opnd => {
    switch (o.k) {
      case 'reg':
        return { k: 'reg', reg: o.reg };
      case 'imm': {
        const v = ctx.resolve(o.v);
        const kind = kinds[i];
        if (o.v.known && o.sized) {
          const width = BigInt(immWidth(kind));
          const upper = BigInt.asUintN(64, v) >> width;
          if (upper !== 0n && upper !== (1n << (64n - width)) - 1n) ctx.warn(`${hex(BigInt.asUintN(64, v))} shortened to ${hex(BigInt.asUintN(Number(width), v))}`, it.loc);
        } else if (!immFits(kind, v)) {
          throw new EncodeError(`value ${hex(v)} does not fit in the ${immWidth(kind)}-bit immediate of this instruction`);
        }
        return { k: 'imm', value: v, known: o.v.known, sized: o.sized ?? null };
      }
      case 'mem': {
        const disp = o.disp ? ctx.resolve(o.disp) : 0n;
        const addrBits = o.base?.size ?? o.index?.size ?? it.bits;
        if (!o.disp?.known && o.disp && o.base?.cls !== 'ip' && kinds[i] !== K.mem_offs) {
          const fits = addrBits === 64 ? disp >= -(1n << 31n) && disp < 1n << 31n : addrBits === 32 ? disp >= -(1n << 31n) && disp < 1n << 32n : disp >= -(1n << 15n) && disp < 1n << 16n;
          if (!fits) throw new EncodeError(`address ${hex(disp)} does not fit in a ${addrBits === 16 ? 16 : 32}-bit displacement${addrBits === 64 ? ' (use %rip-relative addressing or movabs)' : ''}`);
        }
        return {
          k: 'mem',
          m: { base: o.base, index: o.index, scale: o.scale, seg: o.seg, bits: o.bits, disp, dispKnown: (!o.disp || o.disp.known) && !o.fullDisp, ripTarget: o.ripTarget },
        };
      }
      case 'branch': {
        const target = ctx.resolve(o.target);
        if (kinds[i] === K.br16_1 || kinds[i] === K.br32_1 || kinds[i] === K.br64_1) {
          const distance = target - (addr + BigInt(it.size));
          if (distance < -128n || distance > 127n) {
            throw new EncodeError(`branch target is ${distance} bytes away, out of reach of this instruction's 8-bit displacement (-128..127)`);
          }
        }
        return { k: 'branch', target };
      }
      case 'far':
        return { k: 'far', sel: ctx.resolve(o.sel), off: ctx.resolve(o.off) };
    }
  });
}

function s2bytes(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
