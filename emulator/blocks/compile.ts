/**
 * Compiles a block to one JavaScript function: the common integer forms inline, every other
 * instruction as a call of its own handler, general registers in locals, status flags owed
 * rather than computed until something can see them (blocks/deferred-flags.ts), and a block that
 * branches back to its own start looping inside the function. Generated source is cached by its
 * text, so every machine that runs the same code shares one compiled function.
 *
 * The rules that keep events precise: before any instruction that can fault or call out,
 * cpu.steps is that instruction's step (a fault reports it; the time-travel journal tags writes
 * with it); after any store, a changed decode-cache generation (the store hit cached code) ends
 * the block after that instruction; the loop back runs only while a whole pass fits the budget;
 * and whatever leaves the block (a return, a throw, a handler call) finds the registers in
 * cpu.lo and cpu.hi and the flags in cpu.flags.
 */
import { ADD, AND, CMP, OR, SUB, TEST, XOR } from '../ops/alu.ts';
import { OP_IMM, OP_MEM, OP_REG, type Insn, type Operand } from '../cpu/insn.ts';
import { CF, OF, PF, SF, STATUS, ZF } from '../arch/rflags.ts';
import { SEG_FS } from '../arch/segments.ts';
import { BASE_RIP } from '../arch/registers.ts';
import { deliverSoftwareInterrupt64, iretq64 } from '../ops/fast-transitions.ts';
import { directTransfer, plainReturn, type Block, type BlockRun } from './block.ts';
import type { DecodeCache } from '../decode/cache.ts';
import { ADD64, ALU32, DEC64, INC64, LOGIC64, NONE, SETTLE, SUB32, SUB64, condition, owe, settle } from './deferred-flags.ts';
import { SYNC, callOut, localizeRegisters, readOut } from './register-locals.ts';
import { MEMORY_LOCALS, read32, read64, write32, write64 } from './memory-access.ts';

/** Whether `new Function` is allowed here (a page's CSP may forbid it: blocks then run threaded). */
export const canCompile: boolean = (() => {
  try {
    return new Function('return 1')() === 1;
  } catch {
    return false;
  }
})();

const HELPERS = { settle, deliverSoftwareInterrupt64, iretq64 };

type Instantiate = (block: Block, cache: DecodeCache) => BlockRun;
const compiled = new Map<string, Instantiate>();
/** Distinct sources kept (a class's worth of submissions shares most of them); the oldest go first. */
const MAX_SOURCES = 4096;

interface Plan {
  /** The code for instruction k, given whether its status flags are needed. */
  emit(needFlags: boolean): string;
  /** May fault, or calls out: cpu.steps must be exact before it. */
  faults: boolean;
  /** May write memory (or anything a handler writes): the generation check follows it. */
  stores: boolean;
  /** Status flags it reads, and those it always overwrites. */
  reads: number;
  writes: number;
  /** The flags owed after it (given whether its own are needed); undefined: what was owed before. */
  leaves(needFlags: boolean): number | undefined;
  /** Calls out on its common path (a handler, a general effective address): the registers go back to the arrays each time. */
  callsOut: boolean;
}

const ALU_OPS: Record<string, number> = { ADD, SUB, CMP, AND, OR, XOR, TEST };

const TWO32 = 4294967296;

/** Code leaving the block: registers back in the arrays, flags computed. */
const EXIT = `${SYNC} ${SETTLE}`;

/** A handler call: what it reads is in place, and nothing is owed after it. */
const handler = (k: number): string => callOut(SETTLE, `E${k}(cpu, I${k});`);

/** How a memory operand's address is worked out inline: cpu.ea's fast forms, or a call every time. */
type AddressForm = 'base' | 'indexed' | 'rip' | 'general';

function addressForm(insn: Insn): AddressForm {
  const m = insn.mem;
  if (m === null || m === undefined) return 'general';
  if (m.simple) return 'base';
  if (m.addrBits === 64 && m.seg < SEG_FS && Math.abs(m.disp) < 2 ** 31) {
    if (m.base >= 0 && m.base < 16 && m.index >= 0) return 'indexed';
    if (m.base === BASE_RIP && m.index < 0) return 'rip';
  }
  return 'general';
}

/** Sets `a` to the linear address of the instruction's memory operand. */
function effectiveAddress(insn: Insn, k: number, next: number): string {
  const m = insn.mem!;
  const size = m.size || insn.opSize;
  const b = m.base;
  const full = `{ ${readOut(`a = cpu.eaFull(M${k}, ${size});`)} }`;
  switch (addressForm(insn)) {
    case 'base':
      return `a = (lo[${b}] >>> 0) + ${m.disp}; if (hi[${b}] !== 0 || a >= ${TWO32} || a < 0) ${full}`;
    case 'indexed': {
      // The indexed form of cpu.ea's fast path, with the same fallback.
      const x = m.index;
      return `a = (lo[${b}] >>> 0) + (lo[${x}] >>> 0) * ${m.scale} + ${m.disp}; if ((hi[${b}] | hi[${x}]) !== 0 || a >= ${TWO32} || a < 0) ${full}`;
    }
    case 'rip':
      return `a = base + ${next + m.disp}; if (a >= ${TWO32} || a < 0) { cpu.rip = base + ${next}; ${full} }`;
    case 'general':
      return `cpu.rip = base + ${next}; ${readOut(`a = cpu.ea(M${k}, ${size});`)}`;
  }
}

/** Whether the address of the instruction's memory operand is worked out by a call every time. */
const generalAddress = (insn: Insn): boolean => insn.mem !== null && insn.mem !== undefined && addressForm(insn) === 'general';

/** A 64-bit source: the code that loads it, and its two halves. */
function source64(op: Operand, insn: Insn, k: number, next: number): [string, string, string] {
  if (op.kind === OP_REG) return ['', `lo[${op.reg}]`, `hi[${op.reg}]`];
  if (op.kind === OP_IMM) return ['', `${op.immLo | 0}`, `${op.immHi | 0}`];
  return [`${effectiveAddress(insn, k, next)} ${read64('a', 'bl', 'bh')}`, 'bl', 'bh'];
}

function source32(op: Operand, insn: Insn, k: number, next: number): [string, string] {
  if (op.kind === OP_REG) return ['', `lo[${op.reg}]`];
  if (op.kind === OP_IMM) return ['', `${op.immLo | 0}`];
  return [`${effectiveAddress(insn, k, next)} ${read32('a', 'bl')}`, 'bl'];
}

const CONDITIONS = [
  '(f & OF) !== 0', '(f & OF) === 0', '(f & CF) !== 0', '(f & CF) === 0', '(f & ZF) !== 0', '(f & ZF) === 0',
  '(f & (CF | ZF)) !== 0', '(f & (CF | ZF)) === 0', '(f & SF) !== 0', '(f & SF) === 0', '(f & PF) !== 0', '(f & PF) === 0',
  '((f & SF) !== 0) !== ((f & OF) !== 0)', '((f & SF) !== 0) === ((f & OF) !== 0)',
  '(f & ZF) !== 0 || ((f & SF) !== 0) !== ((f & OF) !== 0)', '(f & ZF) === 0 && ((f & SF) !== 0) === ((f & OF) !== 0)',
].map((c) => c.replace(/\b(OF|CF|ZF|SF|PF)\b/g, (name) => String({ OF, CF, ZF, SF, PF }[name])).replace(/\bf\b/g, 'cpu.flags'));

const fromFlags = (cc: number): string => `(${CONDITIONS[cc]})`;

/** The handler of instruction k, called as the interpreter would (RIP past it, the step exact). */
function callPlan(k: number, next: number): Plan {
  return {
    emit: () => `cpu.rip = base + ${next}; ${handler(k)}`,
    faults: true,
    stores: true,
    reads: STATUS,
    writes: 0,
    leaves: () => NONE,
    callsOut: true,
  };
}

const inline = (code: (needFlags: boolean) => string, faults: boolean, stores: boolean, writes: number, reads = 0, owes = NONE, callsOut = false): Plan => ({
  emit: code,
  faults,
  stores,
  reads: faults ? reads | STATUS : reads,
  writes,
  leaves: (need) => (writes !== 0 && need ? owes : undefined),
  callsOut,
});

/** Pushes a 64-bit value (cpu.push's fast path in place, else cpu.push). */
const pushCode = (valueLo: string, valueHi: string): string =>
  `a = lo[4] >>> 0; if (hi[4] === 0 && a >= 8) { a -= 8; ${write64('a', valueLo, valueHi, true)} lo[4] = a | 0; } else { ${callOut('', `cpu.push(8, ${valueLo}, ${valueHi});`)} }`;

function planMov(insn: Insn, k: number, next: number): Plan | null {
  const [d, s] = insn.ops;
  const slow = generalAddress(insn);
  const load = (code: () => string) => inline(code, true, false, 0, 0, NONE, slow);
  const store = (code: () => string) => inline(code, true, true, 0, 0, NONE, slow);
  if (d.kind === OP_REG && d.size === 8) {
    if (s.kind === OP_REG) return inline(() => `lo[${d.reg}] = lo[${s.reg}]; hi[${d.reg}] = hi[${s.reg}];`, false, false, 0);
    if (s.kind === OP_IMM) return inline(() => `lo[${d.reg}] = ${s.immLo | 0}; hi[${d.reg}] = ${s.immHi | 0};`, false, false, 0);
    if (s.kind === OP_MEM) return load(() => `${effectiveAddress(insn, k, next)} ${read64('a', 'bl', 'bh')} lo[${d.reg}] = bl; hi[${d.reg}] = bh;`);
  }
  if (d.kind === OP_REG && d.size === 4) {
    if (s.kind === OP_REG) return inline(() => `lo[${d.reg}] = lo[${s.reg}]; hi[${d.reg}] = 0;`, false, false, 0);
    if (s.kind === OP_IMM) return inline(() => `lo[${d.reg}] = ${s.immLo | 0}; hi[${d.reg}] = 0;`, false, false, 0);
    if (s.kind === OP_MEM) return load(() => `${effectiveAddress(insn, k, next)} ${read32('a', 'bl')} lo[${d.reg}] = bl; hi[${d.reg}] = 0;`);
  }
  if (d.kind === OP_MEM && d.size === 8) {
    if (s.kind === OP_REG) return store(() => `${effectiveAddress(insn, k, next)} ${write64('a', `lo[${s.reg}]`, `hi[${s.reg}]`)}`);
    if (s.kind === OP_IMM) return store(() => `${effectiveAddress(insn, k, next)} ${write64('a', `${s.immLo | 0}`, `${s.immHi | 0}`)}`);
  }
  if (d.kind === OP_MEM && d.size === 4) {
    if (s.kind === OP_REG) return store(() => `${effectiveAddress(insn, k, next)} ${write32('a', `lo[${s.reg}]`)}`);
    if (s.kind === OP_IMM) return store(() => `${effectiveAddress(insn, k, next)} ${write32('a', `${s.immLo | 0}`)}`);
  }
  return null;
}

const LOGIC_SYMBOL: Record<number, string> = { [AND]: '&', [TEST]: '&', [OR]: '|', [XOR]: '^' };

/** The 64-bit result of ADD or SUB of a:ah and b:bh into t (low, int32) and h. */
const addSub64 = (op: number, a: string, ah: string, b: string, bh: string): string =>
  op === ADD
    ? `t = (${a} >>> 0) + (${b} >>> 0); h = (${ah} + ${bh} + (t >= ${TWO32} ? 1 : 0)) | 0; t = t | 0;`
    : `t = (${a} >>> 0) - (${b} >>> 0); h = (${ah} - ${bh} - (t < 0 ? 1 : 0)) | 0; t = t | 0;`;

/** The flags kind a 64-bit ALU operation owes. */
const kind64 = (op: number): number => (op === ADD ? ADD64 : op === SUB || op === CMP ? SUB64 : LOGIC64);
const kind32 = (op: number): number => (op === SUB || op === CMP ? SUB32 : ALU32);

function planAlu(insn: Insn, op: number, k: number, next: number): Plan | null {
  const [d, s] = insn.ops;
  if (d?.kind === OP_MEM && s !== undefined && s.kind !== OP_MEM) return planAluToMemory(insn, op, k, next);
  if (d.kind !== OP_REG || s === undefined) return null;
  const writesResult = op !== CMP && op !== TEST;
  const r = d.reg;
  const faults = s.kind === OP_MEM;
  const slow = generalAddress(insn);
  if (d.size === 8) {
    const [load, bl, bh] = source64(s, insn, k, next);
    const kind = kind64(op);
    return inline((need) => {
      if (op === ADD || op === SUB || op === CMP) {
        const owed = need ? owe(kind, `lo[${r}]`, `hi[${r}]`, bl, bh) : '';
        if (op === CMP) return `${load} ${owed}`;
        return `${load} ${owed} ${addSub64(op, `lo[${r}]`, `hi[${r}]`, bl, bh)} lo[${r}] = t; hi[${r}] = h;`;
      }
      const sym = LOGIC_SYMBOL[op];
      if (op === TEST) return need ? `${load} ${owe(kind, `lo[${r}] & ${bl}`, `hi[${r}] & ${bh}`)}` : load;
      return `${load} lo[${r}] ${sym}= ${bl}; hi[${r}] ${sym}= ${bh};${need ? ` ${owe(kind, `lo[${r}]`, `hi[${r}]`)}` : ''}`;
    }, faults, false, STATUS, 0, kind, slow);
  }
  if (d.size === 4) {
    const [load, v] = source32(s, insn, k, next);
    const kind = kind32(op);
    return inline((need) => {
      const owed = !need ? '' : kind === SUB32 ? owe(kind, `lo[${r}] >>> 0`, `${v} >>> 0`) : owe(kind, `${op}`, `lo[${r}] >>> 0`, `${v} >>> 0`);
      if (!writesResult) return `${load} ${owed}`;
      const expr = op === ADD ? `(lo[${r}] + ${v}) | 0` : op === SUB ? `(lo[${r}] - ${v}) | 0` : `lo[${r}] ${LOGIC_SYMBOL[op]} ${v}`;
      return `${load} ${owed} lo[${r}] = ${expr}; hi[${r}] = 0;`;
    }, faults, false, STATUS, 0, kind, slow);
  }
  return null;
}

/**
 * ALU with a memory destination, in the handler's order: read, flags, then the write (so a write
 * that faults leaves the same flags as the interpreter does).
 */
function planAluToMemory(insn: Insn, op: number, k: number, next: number): Plan | null {
  const [d, s] = insn.ops;
  const writesResult = op !== CMP && op !== TEST;
  const ea = effectiveAddress(insn, k, next);
  const slow = generalAddress(insn);
  if (d.size === 8) {
    const sl = s.kind === OP_REG ? `lo[${s.reg}]` : `${s.immLo | 0}`;
    const sh = s.kind === OP_REG ? `hi[${s.reg}]` : `${s.immHi | 0}`;
    const kind = kind64(op);
    return inline((need) => {
      let compute: string;
      if (kind === LOGIC64) {
        const sym = LOGIC_SYMBOL[op];
        compute = `t = bl ${sym} ${sl}; h = bh ${sym} ${sh};${need ? ` ${owe(kind, 't', 'h')}` : ''}`;
      } else compute = `${need ? owe(kind, 'bl', 'bh', sl, sh) : ''} ${addSub64(op === CMP ? SUB : op, 'bl', 'bh', sl, sh)}`;
      return `${ea} ${read64('a', 'bl', 'bh')} ${compute}${writesResult ? ` ${write64('a', 't', 'h')}` : ''}`;
    }, true, writesResult, STATUS, 0, kind, slow);
  }
  if (d.size === 4) {
    const v = s.kind === OP_REG ? `lo[${s.reg}]` : `${s.immLo | 0}`;
    const kind = kind32(op);
    return inline((need) => {
      const owed = !need ? '' : kind === SUB32 ? owe(kind, 'bl >>> 0', `${v} >>> 0`) : owe(kind, `${op}`, 'bl >>> 0', `${v} >>> 0`);
      const expr = op === ADD ? `(bl + ${v}) | 0` : op === SUB ? `(bl - ${v}) | 0` : `bl ${LOGIC_SYMBOL[op]} ${v}`;
      return `${ea} ${read32('a', 'bl')} ${owed}${writesResult ? ` ${write32('a', expr)}` : ''}`;
    }, true, writesResult, STATUS, 0, kind, slow);
  }
  return null;
}

/** INC/DEC of a 64-bit register: CF passes through, so the flags owed keep it. */
function planIncDec(insn: Insn, up: boolean): Plan | null {
  const [d] = insn.ops;
  if (d.kind !== OP_REG || d.size !== 8) return null;
  const r = d.reg;
  const step = up
    ? `if (lo[${r}] === -1) hi[${r}] = (hi[${r}] + 1) | 0; lo[${r}] = (lo[${r}] + 1) | 0;`
    : `if (lo[${r}] === 0) hi[${r}] = (hi[${r}] - 1) | 0; lo[${r}] = (lo[${r}] - 1) | 0;`;
  const kind = up ? INC64 : DEC64;
  return {
    emit: (need) => (need ? `${SETTLE} ${owe(kind, `lo[${r}]`, `hi[${r}]`, `cpu.flags & ${CF}`)} ${step}` : step),
    faults: false,
    stores: false,
    reads: 0,
    writes: STATUS & ~CF,
    leaves: (need) => (need ? kind : undefined),
    callsOut: false,
  };
}

/** SHL/SHR/SAR of a 64-bit register by a constant whose flags nobody sees; otherwise the handler. */
function planShift(insn: Insn, kind: 'shl' | 'shr' | 'sar', k: number): Plan | null {
  const [d, c] = insn.ops;
  if (d.kind !== OP_REG || d.size !== 8 || c === undefined || c.kind !== OP_IMM) return null;
  const n = c.immLo & 63;
  const r = d.reg;
  if (n === 0) return inline(() => '', false, false, 0);
  const dead = (): string => {
    if (kind === 'shl') return n < 32 ? `h = (hi[${r}] << ${n}) | (lo[${r}] >>> ${32 - n}); lo[${r}] = lo[${r}] << ${n}; hi[${r}] = h;` : `hi[${r}] = lo[${r}] << ${n - 32}; lo[${r}] = 0;`;
    if (kind === 'shr') return n < 32 ? `lo[${r}] = (lo[${r}] >>> ${n}) | (hi[${r}] << ${32 - n}); hi[${r}] = (hi[${r}] >>> ${n}) | 0;` : `lo[${r}] = (hi[${r}] >>> ${n - 32}) | 0; hi[${r}] = 0;`;
    return n < 32 ? `lo[${r}] = (lo[${r}] >>> ${n}) | (hi[${r}] << ${32 - n}); hi[${r}] = hi[${r}] >> ${n};` : `lo[${r}] = hi[${r}] >> ${n - 32}; hi[${r}] = hi[${r}] >> 31;`;
  };
  return {
    emit: (need) => (need ? handler(k) : dead()),
    faults: false,
    stores: false,
    reads: 0,
    writes: STATUS,
    leaves: (need) => (need ? NONE : undefined),
    callsOut: true,
  };
}

function planPushPop(insn: Insn, push: boolean): Plan | null {
  const [op] = insn.ops;
  if (op.kind !== OP_REG || op.size !== 8 || insn.opSize !== 8) return null;
  const r = op.reg;
  if (push) return inline(() => pushCode(`lo[${r}]`, `hi[${r}]`), true, true, 0);
  // cpu.pop's fast path in place; RSP moves before the destination is written (POP RSP loads the popped value).
  return inline(
    () => `a = lo[4] >>> 0; if (hi[4] === 0 && a < ${TWO32 - 8}) { ${read64('a', 'bl', 'bh', true)} lo[4] = (a + 8) | 0; } else { ${callOut('', 'bl = cpu.pop(8); bh = cpu.tHi;')} } lo[${r}] = bl; hi[${r}] = bh;`,
    true,
    false,
    0,
  );
}

/**
 * A RET inside the block (blocks/block.ts foresaw its return to `back`): it goes on there when the
 * popped address is that one, and otherwise leaves the block after the RET.
 */
function planReturn(k: number, next: number, back: number): Plan {
  return inline(
    () =>
      `t = -1; r = lo[4] >>> 0; if (hi[4] === 0 && r < ${TWO32 - 8}) { ${read64('r', 'bl', 'bh', true)} t = bh * ${TWO32} + (bl >>> 0); } ` +
      `if (t === base + ${back}) lo[4] = (r + 8) | 0; ` +
      `else { cpu.rip = base + ${next}; ${handler(k)} if (cpu.rip !== base + ${back}) { ${EXIT} cpu.steps = s + ${k + 1}; return ${k}; } }`,
    true,
    false,
    0,
  );
}

function plan(insn: Insn, k: number, next: number, after: number): Plan {
  const m = insn.mnemonic;
  let p: Plan | null = null;
  if (insn.lock) return callPlan(k, next);
  if (plainReturn(insn)) return planReturn(k, next, after);
  // A direct transfer inside the block: its target is the next instruction here, in the same page.
  if (directTransfer(insn)) {
    if (m === 'JMP') return inline(() => '', false, false, 0);
    return inline(() => `r = base + ${next}; h = Math.floor(r / ${TWO32}); ${pushCode(`r - h * ${TWO32}`, 'h')}`, true, true, 0);
  }
  if (m === 'MOV') p = planMov(insn, k, next);
  else if (m in ALU_OPS) p = planAlu(insn, ALU_OPS[m], k, next);
  else if (m === 'INC' || m === 'DEC') p = planIncDec(insn, m === 'INC');
  else if (m === 'SHL' || m === 'SAL') p = planShift(insn, 'shl', k);
  else if (m === 'SHR') p = planShift(insn, 'shr', k);
  else if (m === 'SAR') p = planShift(insn, 'sar', k);
  else if (m === 'PUSH' || m === 'POP') p = planPushPop(insn, m === 'PUSH');
  return p ?? callPlan(k, next);
}

/** A direct JMP or Jcc in 64-bit code (LOOPcc has a condition too, and is left to its handler). */
const directJump = (insn: Insn): boolean =>
  insn.opSize === 8 && insn.ops.length === 1 && insn.ops[0].kind === OP_IMM && (insn.mnemonic === 'JMP' || (insn.cond >= 0 && insn.mnemonic.startsWith('J')));

/** A direct jump whose target is the block's own start: the loop stays in the function. */
const loopsBack = (insn: Insn, end: number): boolean => directJump(insn) && insn.rel === -end;

const CANONICAL = 2 ** 47;
/** Sets `t` to a 64-bit target; a non-canonical one goes to the handler, which raises its #GP. */
const toTarget = (target: string, k: number, end: number, then: string): string =>
  `t = ${target}; if (t < ${CANONICAL} && t >= ${-CANONICAL}) { ${then} } else { cpu.rip = base + ${end}; ${handler(k)} }`;

/** The block's ending near branch: direct CALL, RET, Jcc and JMP inline, the rest through the handler. */
function branchCode(insn: Insn, k: number, end: number, owed: number): string {
  const m = insn.mnemonic;
  if (directTransfer(insn) && m === 'CALL') {
    return `r = base + ${end}; ${toTarget(`r + ${insn.rel}`, k, end, `h = Math.floor(r / ${TWO32}); ${pushCode(`r - h * ${TWO32}`, 'h')} cpu.rip = t;`)}`;
  }
  if (directJump(insn)) {
    const jump = toTarget(`base + ${end + insn.rel}`, k, end, 'cpu.rip = t;');
    if (m === 'JMP') return jump;
    const [first, taken] = condition(insn.cond, owed, fromFlags);
    return `${first} if (${taken}) { ${jump} } else cpu.rip = base + ${end};`;
  }
  if (m === 'RET' && insn.ops.length === 0 && insn.opSize === 8) {
    // The handler's own fast path (a 64-bit stack below 4 GiB, a canonical return address), else the handler.
    return `r = lo[4] >>> 0; if (hi[4] === 0 && r < ${TWO32 - 8}) { ${read64('r', 'bl', 'bh', true)} ${toTarget(`bh * ${TWO32} + (bl >>> 0)`, k, end, `lo[4] = (r + 8) | 0; cpu.rip = t;`)} } else { cpu.rip = base + ${end}; ${handler(k)} }`;
  }
  if (m === 'INT') {
    // INT n delivered in place when the fast path takes it (the run loop counts the delivery); otherwise its handler leaves it to the run loop.
    const deliver = `if (cpu.transitions.softwareInterrupts && H.deliverSoftwareInterrupt64(cpu, ${insn.ops[0].immLo & 0xff})) cpu.stiShadowAt = cpu.ssShadowAt = -1; else E${k}(cpu, I${k});`;
    return `cpu.rip = base + ${end}; ${callOut(SETTLE, deliver)}`;
  }
  // IRETQ's handler tries the same fast path first: called here, the call inlines.
  if (m === 'IRETQ') return `cpu.rip = base + ${end}; ${callOut(SETTLE, `if (!H.iretq64(cpu)) E${k}(cpu, I${k});`)}`;
  return `cpu.rip = base + ${end}; ${handler(k)}`;
}

/** The generated source of a block; exported for tests that read what the compiler made. */
export function blockSource(block: Block, terminated: boolean): string {
  const insns = block.insns;
  const n = insns.length;
  const nexts = insns.map((insn, k) => block.offsets[k] + insn.length);
  // Where execution goes on after instruction k: the next one's place (a direct CALL or JMP inside the block jumps there).
  const after = insns.map((_, k) => (k + 1 < n ? block.offsets[k + 1] : nexts[k]));
  const end = nexts[n - 1];
  const last = insns[n - 1];
  const selfLoop = terminated && loopsBack(last, end);
  const plans = insns.map((insn, k) => (terminated && k === n - 1 ? null : plan(insn, k, nexts[k], after[k])));
  // Liveness of the status flags, from the block's end (where all of them are visible) backwards.
  const need: boolean[] = new Array<boolean>(n).fill(true);
  let live = STATUS;
  for (let k = n - 1; k >= 0; k--) {
    const p = plans[k];
    if (p === null) {
      live = STATUS;
      continue;
    }
    need[k] = (live & p.writes) !== 0;
    live = (live & ~p.writes) | p.reads;
  }
  const body: string[] = [];
  const bound = new Set<string>();
  // The flags owed where the ending branch runs: the last writer's, whichever pass of a loop this is.
  let owed = NONE;
  let callsOut = 0;
  for (let k = 0; k < n; k++) {
    const p = plans[k];
    if (p === null) continue;
    const code = (p.faults ? `cpu.steps = s + ${k}; ` : '') + p.emit(need[k]);
    body.push(code);
    owed = p.leaves(need[k]) ?? owed;
    if (p.callsOut) callsOut++;
    for (const name of code.match(/\b[EIM]\d+\b/g) ?? []) bound.add(name);
    if (p.stores) body.push(`if (C.gen !== g) { ${EXIT} cpu.steps = s + ${k + 1}; cpu.rip = base + ${after[k]}; return ${k}; }`);
  }
  const t = n - 1;
  if (selfLoop) {
    const [first, taken] = last.mnemonic === 'JMP' ? ['', 'true'] : condition(last.cond, owed, fromFlags);
    body.push(`${first} if (${taken}) { s += ${n}; if (limit - s >= ${n}) continue; ${EXIT} cpu.steps = s; cpu.rip = base; return ${t}; }`);
    body.push(`${EXIT} cpu.steps = s + ${n}; cpu.rip = base + ${end}; return ${t};`);
  } else if (terminated) {
    body.push(`cpu.steps = s + ${t}; ${branchCode(last, t, end, owed)}`);
    bound.add(`E${t}`).add(`I${t}`);
    // After a transition the run loop has work to do (deliver the INT, check TF and what is pending) before anything runs again.
    const again = block.transition ? '' : `if (cpu.rip === base && limit - s >= ${n} && C.gen === g) continue; `;
    body.push(`s += ${n}; ${again}${EXIT} cpu.steps = s; return ${t};`);
  } else {
    body.push(`${EXIT} cpu.steps = s + ${n}; cpu.rip = base + ${end}; return ${t};`);
  }
  body.push(`} catch (e) { if (o === 1) { ${SYNC} } ${SETTLE} B.fault = cpu.steps - s; throw e; }`);
  // Each handler call puts every local back and reads it again: worth it only where inline code dominates.
  const { lines, declare } = localizeRegisters(body, callsOut * 2 <= n);
  const bindings = [...bound].sort().map((name) => {
    const k = name.slice(1);
    return name[0] === 'I' ? `const ${name} = B.insns[${k}];` : name[0] === 'E' ? `const ${name} = B.insns[${k}].exec;` : `const ${name} = B.insns[${k}].mem;`;
  });
  const caught = lines.pop()!;
  return [
    'return function instantiate(B, C) {',
    ...bindings,
    'return function block(cpu, limit) {',
    'const lo = cpu.lo, hi = cpu.hi, mem = cpu.mem, base = cpu.rip, g = C.gen;',
    MEMORY_LOCALS,
    'let s = cpu.steps, a = 0, bl = 0, bh = 0, t = 0, h = 0, r = 0, o = 1, fo = 0, fa = 0, fb = 0, fc = 0, fd = 0;',
    declare,
    'try {',
    'for (;;) {',
    ...lines,
    '}',
    caught,
    '};',
    '};',
  ].join('\n');
}

/** The compiled run function of `block` (its last instruction a near branch when `terminated`). */
export function compileBlock(block: Block, cache: DecodeCache, terminated: boolean): BlockRun {
  const source = blockSource(block, terminated);
  let instantiate = compiled.get(source);
  if (instantiate === undefined) {
    instantiate = new Function('H', source)(HELPERS) as Instantiate;
    if (compiled.size >= MAX_SOURCES) compiled.delete(compiled.keys().next().value!);
    compiled.set(source, instantiate);
  }
  return instantiate(block, cache);
}
