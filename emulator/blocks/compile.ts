/**
 * Compiles a block to one JavaScript function: the common integer forms inline, every other
 * instruction as a call of its own handler, status flags computed only where something can see
 * them (a later reader, a possible fault, or the block's end), and a block that branches back
 * to its own start looping inside the function. Generated source is cached by its text, so
 * every machine that runs the same code shares one compiled function.
 *
 * The rules that keep events precise: before any instruction that can fault or call out,
 * cpu.steps is that instruction's step (a fault reports it; the time-travel journal tags writes
 * with it); after any store, a changed decode-cache generation (the store hit cached code) ends
 * the block after that instruction; the loop back runs only while a whole pass fits the budget.
 */
import { ADD, AND, CMP, OR, SUB, TEST, XOR, add64, alu, logic64, sub64 } from '../ops/alu.ts';
import { OP_IMM, OP_MEM, OP_REG, type Insn, type Operand } from '../cpu/insn.ts';
import { CF, OF, PF, SF, STATUS, ZF } from '../arch/rflags.ts';
import { SEG_FS } from '../arch/segments.ts';
import { directTransfer, type Block, type BlockRun } from './block.ts';
import type { DecodeCache } from '../decode/cache.ts';

/** Whether `new Function` is allowed here (a page's CSP may forbid it: blocks then run threaded). */
export const canCompile: boolean = (() => {
  try {
    return new Function('return 1')() === 1;
  } catch {
    return false;
  }
})();

const HELPERS = { add64, sub64, logic64, alu };

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
}

const ALU_OPS: Record<string, number> = { ADD, SUB, CMP, AND, OR, XOR, TEST };

const TWO32 = 4294967296;

/** Sets `a` to the linear address of the instruction's memory operand. */
function effectiveAddress(insn: Insn, k: number, next: number): string {
  const m = insn.mem!;
  const size = m.size || insn.opSize;
  const b = m.base;
  if (m.simple) return `a = (lo[${b}] >>> 0) + ${m.disp}; if (hi[${b}] !== 0 || a >= ${TWO32} || a < 0) a = cpu.eaFull(M${k}, ${size});`;
  // The indexed form of cpu.ea's fast path, with the same fallback.
  if (m.addrBits === 64 && m.seg < SEG_FS && b >= 0 && b < 16 && m.index >= 0 && Math.abs(m.disp) < 2 ** 31) {
    const x = m.index;
    return `a = (lo[${b}] >>> 0) + (lo[${x}] >>> 0) * ${m.scale} + ${m.disp}; if ((hi[${b}] | hi[${x}]) !== 0 || a >= ${TWO32} || a < 0) a = cpu.eaFull(M${k}, ${size});`;
  }
  return `cpu.rip = base + ${next}; a = cpu.ea(M${k}, ${size});`;
}

/** A 64-bit source: the code that loads it, and its two halves. */
function source64(op: Operand, insn: Insn, k: number, next: number): [string, string, string] {
  if (op.kind === OP_REG) return ['', `lo[${op.reg}]`, `hi[${op.reg}]`];
  if (op.kind === OP_IMM) return ['', `${op.immLo | 0}`, `${op.immHi | 0}`];
  return [`${effectiveAddress(insn, k, next)} bl = mem.read64(a); bh = mem.hi;`, 'bl', 'bh'];
}

function source32(op: Operand, insn: Insn, k: number, next: number): [string, string] {
  if (op.kind === OP_REG) return ['', `lo[${op.reg}]`];
  if (op.kind === OP_IMM) return ['', `${op.immLo | 0}`];
  return [`${effectiveAddress(insn, k, next)} bl = mem.read32(a);`, 'bl'];
}

const CONDITIONS = [
  '(f & OF) !== 0', '(f & OF) === 0', '(f & CF) !== 0', '(f & CF) === 0', '(f & ZF) !== 0', '(f & ZF) === 0',
  '(f & (CF | ZF)) !== 0', '(f & (CF | ZF)) === 0', '(f & SF) !== 0', '(f & SF) === 0', '(f & PF) !== 0', '(f & PF) === 0',
  '((f & SF) !== 0) !== ((f & OF) !== 0)', '((f & SF) !== 0) === ((f & OF) !== 0)',
  '(f & ZF) !== 0 || ((f & SF) !== 0) !== ((f & OF) !== 0)', '(f & ZF) === 0 && ((f & SF) !== 0) === ((f & OF) !== 0)',
].map((c) => c.replace(/\b(OF|CF|ZF|SF|PF)\b/g, (name) => String({ OF, CF, ZF, SF, PF }[name])).replace(/\bf\b/g, 'cpu.flags'));

/** The handler of instruction k, called as the interpreter would (RIP past it, the step exact). */
function callPlan(k: number, next: number): Plan {
  return {
    emit: () => `cpu.rip = base + ${next}; E${k}(cpu, I${k});`,
    faults: true,
    stores: true,
    reads: STATUS,
    writes: 0,
  };
}

const inline = (code: (needFlags: boolean) => string, faults: boolean, stores: boolean, writes: number, reads = 0): Plan => ({
  emit: code,
  faults,
  stores,
  reads: faults ? reads | STATUS : reads,
  writes,
});

function planMov(insn: Insn, k: number, next: number): Plan | null {
  const [d, s] = insn.ops;
  if (d.kind === OP_REG && d.size === 8) {
    if (s.kind === OP_REG) return inline(() => `lo[${d.reg}] = lo[${s.reg}]; hi[${d.reg}] = hi[${s.reg}];`, false, false, 0);
    if (s.kind === OP_IMM) return inline(() => `lo[${d.reg}] = ${s.immLo | 0}; hi[${d.reg}] = ${s.immHi | 0};`, false, false, 0);
    if (s.kind === OP_MEM) return inline(() => `${effectiveAddress(insn, k, next)} bl = mem.read64(a); lo[${d.reg}] = bl; hi[${d.reg}] = mem.hi;`, true, false, 0);
  }
  if (d.kind === OP_REG && d.size === 4) {
    if (s.kind === OP_REG) return inline(() => `lo[${d.reg}] = lo[${s.reg}]; hi[${d.reg}] = 0;`, false, false, 0);
    if (s.kind === OP_IMM) return inline(() => `lo[${d.reg}] = ${s.immLo | 0}; hi[${d.reg}] = 0;`, false, false, 0);
    if (s.kind === OP_MEM) return inline(() => `${effectiveAddress(insn, k, next)} bl = mem.read32(a); lo[${d.reg}] = bl; hi[${d.reg}] = 0;`, true, false, 0);
  }
  if (d.kind === OP_MEM && d.size === 8) {
    if (s.kind === OP_REG) return inline(() => `${effectiveAddress(insn, k, next)} mem.write64(a, lo[${s.reg}], hi[${s.reg}]);`, true, true, 0);
    if (s.kind === OP_IMM) return inline(() => `${effectiveAddress(insn, k, next)} mem.write64(a, ${s.immLo | 0}, ${s.immHi | 0});`, true, true, 0);
  }
  if (d.kind === OP_MEM && d.size === 4) {
    if (s.kind === OP_REG) return inline(() => `${effectiveAddress(insn, k, next)} mem.write32(a, lo[${s.reg}]);`, true, true, 0);
    if (s.kind === OP_IMM) return inline(() => `${effectiveAddress(insn, k, next)} mem.write32(a, ${s.immLo | 0});`, true, true, 0);
  }
  return null;
}

function planAlu(insn: Insn, op: number, k: number, next: number): Plan | null {
  const [d, s] = insn.ops;
  if (d?.kind === OP_MEM && s !== undefined && s.kind !== OP_MEM) return planAluToMemory(insn, op, k, next);
  if (d.kind !== OP_REG || s === undefined) return null;
  const writesResult = op !== CMP && op !== TEST;
  const r = d.reg;
  const faults = s.kind === OP_MEM;
  if (d.size === 8) {
    const [load, bl, bh] = source64(s, insn, k, next);
    return inline((need) => {
      if (need) {
        switch (op) {
          case ADD: return `${load} lo[${r}] = H.add64(cpu, lo[${r}], hi[${r}], ${bl}, ${bh}); hi[${r}] = cpu.tHi;`;
          case SUB: return `${load} lo[${r}] = H.sub64(cpu, lo[${r}], hi[${r}], ${bl}, ${bh}); hi[${r}] = cpu.tHi;`;
          case CMP: return `${load} H.sub64(cpu, lo[${r}], hi[${r}], ${bl}, ${bh});`;
          case TEST: return `${load} H.logic64(cpu, lo[${r}] & ${bl}, hi[${r}] & ${bh});`;
          default: {
            const sym = op === AND ? '&' : op === OR ? '|' : '^';
            return `${load} lo[${r}] ${sym}= ${bl}; hi[${r}] ${sym}= ${bh}; H.logic64(cpu, lo[${r}], hi[${r}]);`;
          }
        }
      }
      switch (op) {
        case ADD: return `${load} t = (lo[${r}] >>> 0) + (${bl} >>> 0); h = (hi[${r}] + ${bh} + (t >= ${TWO32} ? 1 : 0)) | 0; lo[${r}] = t | 0; hi[${r}] = h;`;
        case SUB: return `${load} t = (lo[${r}] >>> 0) - (${bl} >>> 0); h = (hi[${r}] - ${bh} - (t < 0 ? 1 : 0)) | 0; lo[${r}] = t | 0; hi[${r}] = h;`;
        case CMP:
        case TEST: return load;
        default: {
          const sym = op === AND ? '&' : op === OR ? '|' : '^';
          return `${load} lo[${r}] ${sym}= ${bl}; hi[${r}] ${sym}= ${bh};`;
        }
      }
    }, faults, false, STATUS);
  }
  if (d.size === 4) {
    const [load, v] = source32(s, insn, k, next);
    return inline((need) => {
      if (need) {
        const call = `H.alu(cpu, ${op}, lo[${r}] >>> 0, ${v} >>> 0, 4)`;
        return writesResult ? `${load} lo[${r}] = ${call}; hi[${r}] = 0;` : `${load} ${call};`;
      }
      if (!writesResult) return load;
      const expr = op === ADD ? `(lo[${r}] + ${v}) | 0` : op === SUB ? `(lo[${r}] - ${v}) | 0` : `lo[${r}] ${op === AND ? '&' : op === OR ? '|' : '^'} ${v}`;
      return `${load} lo[${r}] = ${expr}; hi[${r}] = 0;`;
    }, faults, false, STATUS);
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
  if (d.size === 8) {
    const sl = s.kind === OP_REG ? `lo[${s.reg}]` : `${s.immLo | 0}`;
    const sh = s.kind === OP_REG ? `hi[${s.reg}]` : `${s.immHi | 0}`;
    const call = op === ADD ? 'H.add64' : op === SUB || op === CMP ? 'H.sub64' : null;
    const sym = op === AND || op === TEST ? '&' : op === OR ? '|' : '^';
    const compute = call !== null ? `t = ${call}(cpu, bl, bh, ${sl}, ${sh}); h = cpu.tHi;` : `t = bl ${sym} ${sl}; h = bh ${sym} ${sh}; H.logic64(cpu, t, h);`;
    return inline(() => `${ea} bl = mem.read64(a); bh = mem.hi; ${compute}${writesResult ? ' mem.write64(a, t, h);' : ''}`, true, writesResult, STATUS);
  }
  if (d.size === 4) {
    const v = s.kind === OP_REG ? `lo[${s.reg}]` : `${s.immLo | 0}`;
    return inline(() => `${ea} bl = mem.read32(a); t = H.alu(cpu, ${op}, bl >>> 0, ${v} >>> 0, 4);${writesResult ? ' mem.write32(a, t);' : ''}`, true, writesResult, STATUS);
  }
  return null;
}

/** INC/DEC of a 64-bit register. */
function planIncDec(insn: Insn, up: boolean): Plan | null {
  const [d] = insn.ops;
  if (d.kind !== OP_REG || d.size !== 8) return null;
  const r = d.reg;
  return {
    emit: (need) => {
      // CF passes through: the handler's ADD or SUB of 1, with CF put back.
      if (need) return `bl = cpu.flags & ${CF}; lo[${r}] = H.${up ? 'add64' : 'sub64'}(cpu, lo[${r}], hi[${r}], 1, 0); hi[${r}] = cpu.tHi; cpu.flags = (cpu.flags & ${~CF}) | bl;`;
      return up
        ? `if (lo[${r}] === -1) hi[${r}] = (hi[${r}] + 1) | 0; lo[${r}] = (lo[${r}] + 1) | 0;`
        : `if (lo[${r}] === 0) hi[${r}] = (hi[${r}] - 1) | 0; lo[${r}] = (lo[${r}] - 1) | 0;`;
    },
    faults: false,
    stores: false,
    reads: 0,
    writes: STATUS & ~CF,
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
    if (kind === 'shr') return n < 32 ? `lo[${r}] = (lo[${r}] >>> ${n}) | (hi[${r}] << ${32 - n}); hi[${r}] = hi[${r}] >>> ${n};` : `lo[${r}] = hi[${r}] >>> ${n - 32}; hi[${r}] = 0;`;
    return n < 32 ? `lo[${r}] = (lo[${r}] >>> ${n}) | (hi[${r}] << ${32 - n}); hi[${r}] = hi[${r}] >> ${n};` : `lo[${r}] = hi[${r}] >> ${n - 32}; hi[${r}] = hi[${r}] >> 31;`;
  };
  return { emit: (need) => (need ? `E${k}(cpu, I${k});` : dead()), faults: false, stores: false, reads: 0, writes: STATUS };
}

function planPushPop(insn: Insn, push: boolean): Plan | null {
  const [op] = insn.ops;
  if (op.kind !== OP_REG || op.size !== 8 || insn.opSize !== 8) return null;
  const r = op.reg;
  if (push) {
    return inline(() => `t = lo[4] >>> 0; if (hi[4] === 0 && t >= 8) { mem.write64(t - 8, lo[${r}], hi[${r}]); lo[4] = t - 8; } else cpu.push(8, lo[${r}], hi[${r}]);`, true, true, 0);
  }
  return inline(() => `bl = cpu.pop(8); lo[${r}] = bl; hi[${r}] = cpu.tHi;`, true, false, 0);
}

function plan(insn: Insn, k: number, next: number): Plan {
  const m = insn.mnemonic;
  let p: Plan | null = null;
  if (insn.lock) return callPlan(k, next);
  // A direct transfer inside the block: its target is the next instruction here, in the same page.
  if (directTransfer(insn)) {
    if (m === 'JMP') return inline(() => '', false, false, 0);
    return inline(() => `r = base + ${next}; h = Math.floor(r / ${TWO32}); cpu.push(8, r - h * ${TWO32}, h);`, true, true, 0);
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
  `t = ${target}; if (t < ${CANONICAL} && t >= ${-CANONICAL}) { ${then} } else { cpu.rip = base + ${end}; E${k}(cpu, I${k}); }`;

/** The block's ending near branch: direct CALL, RET, Jcc and JMP inline, the rest through the handler. */
function branchCode(insn: Insn, k: number, end: number): string {
  const m = insn.mnemonic;
  if (directTransfer(insn) && m === 'CALL') {
    return `r = base + ${end}; ${toTarget(`r + ${insn.rel}`, k, end, `h = Math.floor(r / ${TWO32}); cpu.push(8, r - h * ${TWO32}, h); cpu.rip = t;`)}`;
  }
  if (directJump(insn)) {
    const jump = toTarget(`base + ${end + insn.rel}`, k, end, 'cpu.rip = t;');
    return m === 'JMP' ? jump : `if (${CONDITIONS[insn.cond]}) { ${jump} } else cpu.rip = base + ${end};`;
  }
  if (m === 'RET' && insn.ops.length === 0 && insn.opSize === 8) {
    // The handler's own fast path (a 64-bit stack below 4 GiB, a canonical return address), else the handler.
    return `r = lo[4] >>> 0; if (hi[4] === 0 && r < ${TWO32 - 8}) { bl = mem.read64(r); ${toTarget(`mem.hi * ${TWO32} + (bl >>> 0)`, k, end, 'lo[4] = r + 8; cpu.rip = t;')} } else { cpu.rip = base + ${end}; E${k}(cpu, I${k}); }`;
  }
  return `cpu.rip = base + ${end}; E${k}(cpu, I${k});`;
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
  const plans = insns.map((insn, k) => (terminated && k === n - 1 ? null : plan(insn, k, nexts[k])));
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
  for (let k = 0; k < n; k++) {
    const p = plans[k];
    if (p === null) continue;
    const code = (p.faults ? `cpu.steps = s + ${k}; ` : '') + p.emit(need[k]);
    body.push(code);
    for (const name of code.match(/\b[EIM]\d+\b/g) ?? []) bound.add(name);
    if (p.stores) body.push(`if (C.gen !== g) { cpu.steps = s + ${k + 1}; cpu.rip = base + ${after[k]}; return ${k}; }`);
  }
  const t = n - 1;
  if (selfLoop) {
    const cond = last.mnemonic === 'JMP' ? 'true' : CONDITIONS[last.cond];
    body.push(`if (${cond}) { s += ${n}; if (limit - s >= ${n}) continue; cpu.steps = s; cpu.rip = base; return ${t}; }`);
    body.push(`cpu.steps = s + ${n}; cpu.rip = base + ${end}; return ${t};`);
  } else if (terminated) {
    body.push(`cpu.steps = s + ${t}; ${branchCode(last, t, end)}`);
    bound.add(`E${t}`).add(`I${t}`);
    body.push(`s += ${n}; if (cpu.rip === base && limit - s >= ${n} && C.gen === g) continue; cpu.steps = s; return ${t};`);
  } else {
    body.push(`cpu.steps = s + ${n}; cpu.rip = base + ${end}; return ${t};`);
  }
  const bindings = [...bound].sort().map((name) => {
    const k = name.slice(1);
    return name[0] === 'I' ? `const ${name} = B.insns[${k}];` : name[0] === 'E' ? `const ${name} = B.insns[${k}].exec;` : `const ${name} = B.insns[${k}].mem;`;
  });
  return [
    'return function instantiate(B, C) {',
    ...bindings,
    'return function block(cpu, limit) {',
    'const lo = cpu.lo, hi = cpu.hi, mem = cpu.mem, base = cpu.rip, g = C.gen;',
    'let s = cpu.steps, a = 0, bl = 0, bh = 0, t = 0, h = 0, r = 0;',
    'try {',
    'for (;;) {',
    ...body,
    '}',
    '} catch (e) { B.fault = cpu.steps - s; throw e; }',
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
