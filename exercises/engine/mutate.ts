/**
 * Wrong solutions derived mechanically from a reference solution, for the grader audit: each
 * mutant changes one instruction (or swaps two) the way a learner's slip would, and says which
 * register or struct field it puts wrong when that can be known from its operands.
 */
import { GPR_DISPLAY_ORDER } from '../../emulator/arch/registers.ts';
import type { PreparedExercise } from './exercise.ts';

export interface Mutant {
  /** `operator: before => after`, stable across edits elsewhere in the file (what `equivalent_mutants` lists). */
  id: string;
  operator: string;
  /** 1-based lines of the solution it changes. */
  lines: number[];
  source: string;
  /** A diff against the reference, one `-`/`+` pair per changed line. */
  diff: string;
  /** Registers (64-bit names) or struct fields (`region.field`) this mutant leaves wrong, when its operands name them. */
  wrong?: string[];
}

interface Instruction {
  line: number;
  /** Text before the instruction (labels and indentation), kept when the instruction changes. */
  prefix: string;
  mnemonic: string;
  operands: string[];
  /** The comment after it, dropped from mutated lines. */
  intel: boolean;
  bits: 16 | 32 | 64;
}

const REG64: readonly string[] = GPR_DISPLAY_ORDER;
const REG32: Record<string, string> = { eax: 'rax', ebx: 'rbx', ecx: 'rcx', edx: 'rdx', esi: 'rsi', edi: 'rdi', ebp: 'rbp', esp: 'rsp' };
const SELECTORS = new Set([0x08, 0x10, 0x18, 0x1b, 0x20, 0x23, 0x28, 0x2b, 0x30, 0x33, 0x38, 0x3b]);
const IRETS = new Set(['iretq', 'iretd', 'iret', 'iretl', 'iretw', 'sysretq', 'sysretl', 'sysret', 'sysexit', 'lretq', 'lret', 'lretl']);
const CONTROL = /^(j|call|ret|loop|hlt|int|syscall|sysenter)/;

/** The register an operand is (64-bit name), or undefined. */
export function registerOperand(op: string, intel: boolean): string | undefined {
  const name = intel ? op.trim().toLowerCase() : /^%([a-z0-9]+)$/i.exec(op.trim())?.[1]?.toLowerCase();
  if (!name) return undefined;
  if (REG64.includes(name)) return name;
  if (REG32[name]) return REG32[name];
  if (/^r(8|9|1[0-5])d$/.test(name)) return name.slice(0, -1);
  return undefined;
}

const isMemory = (op: string, intel: boolean) => (intel ? /\[.*\]/.test(op) : !op.trim().startsWith('$') && !op.trim().startsWith('%') && (op.includes('(') || /^[A-Za-z_]/.test(op.trim())));

function splitOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) { out.push(text.slice(start, i).trim()); start = i + 1; }
  }
  const last = text.slice(start).trim();
  if (last) out.push(last);
  return out;
}

function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    if (!quoted && (line[i] === '#' || (line[i] === '/' && line[i + 1] === '/'))) return line.slice(0, i);
  }
  return line;
}

/** The instructions of a source, with the syntax and width in force at each (`.intel_syntax`, `.code32`). */
export function instructions(source: string, bits: 32 | 64): Instruction[] {
  const out: Instruction[] = [];
  let intel = false;
  let width: 16 | 32 | 64 = bits;
  source.split('\n').forEach((raw, i) => {
    const text = stripComment(raw);
    const label = /^\s*(?:[A-Za-z_.$][\w.$\\]*:\s*|\d+:\s*)*/.exec(text)![0];
    const rest = text.slice(label.length).trim();
    if (!rest) return;
    if (rest.startsWith('.')) {
      if (/^\.intel_syntax\b/.test(rest)) intel = true;
      else if (/^\.att_syntax\b/.test(rest)) intel = false;
      else if (/^\.code(16|32|64)\b/.test(rest)) width = Number(rest.slice(5, 7)) as 16 | 32 | 64;
      return;
    }
    if (rest.includes('=') && !rest.includes('(') && !rest.includes('[')) return; // a symbol assignment
    const m = /^([A-Za-z][\w.]*)(?:\s+(.*))?$/.exec(rest);
    if (!m) return;
    let mnemonic = m[1].toLowerCase();
    let operandText = m[2] ?? '';
    if (/^(lock|rep|repe|repz|repne|repnz)$/.test(mnemonic) && operandText) {
      const inner = /^([A-Za-z][\w.]*)(?:\s+(.*))?$/.exec(operandText);
      if (inner) { mnemonic = `${mnemonic} ${inner[1].toLowerCase()}`; operandText = inner[2] ?? ''; }
    }
    out.push({ line: i + 1, prefix: raw.slice(0, raw.indexOf(rest)) || label, mnemonic, operands: splitOperands(operandText), intel, bits: width });
  });
  return out;
}

const render = (x: Instruction, mnemonic = x.mnemonic, operands = x.operands) => `${x.prefix}${mnemonic}${operands.length ? ` ${operands.join(', ')}` : ''}`;
const body = (x: Instruction) => render({ ...x, prefix: '' });
/** AT&T writes the destination last, Intel first. */
const dstIndex = (x: Instruction) => (x.intel ? 0 : x.operands.length - 1);
const srcIndex = (x: Instruction) => (x.intel ? 1 : 0);

/** Every mutant of `source`, each a whole file. */
export function mutants(source: string, px: PreparedExercise): Mutant[] {
  const lines = source.split('\n');
  const insns = instructions(source, px.bits);
  const out: Mutant[] = [];
  const seen = new Set<string>();
  const add = (operator: string, changes: { insn: Instruction; text: string }[], wrong?: string[]) => {
    const copy = [...lines];
    for (const c of changes) copy[c.insn.line - 1] = c.text;
    const before = changes.map((c) => body(c.insn)).join(' / ');
    const after = changes.map((c) => c.text.slice(c.insn.prefix.length).trim() || '(nothing)').join(' / ');
    const id = `${operator}: ${before} => ${after}`;
    if (seen.has(id)) return;
    seen.add(id);
    const diff = changes.map((c) => `- ${c.insn.line}: ${lines[c.insn.line - 1]}\n+ ${c.insn.line}: ${c.text}`).join('\n');
    out.push({ id, operator, lines: changes.map((c) => c.insn.line), source: copy.join('\n'), diff, ...(wrong?.length ? { wrong } : {}) });
  };

  insns.forEach((x, k) => {
    // A learner forgets one instruction: a store, a load, a push, a popf.
    // Without a pop, a later return reads the wrong slot: where the run goes then, not the register, is what is wrong.
    const shifts = /^pop/.test(x.mnemonic) && insns.slice(k + 1).some((y) => IRETS.has(y.mnemonic) || /^ret/.test(y.mnemonic));
    add('drop', [{ insn: x, text: x.prefix.trimEnd() }], shifts ? undefined : destinationOf(x, px));
    if (IRETS.has(x.mnemonic)) add('ret-for-iret', [{ insn: x, text: render(x, 'ret', []) }]);
    x.operands.forEach((op, i) => {
      const slot = x.bits === 32 ? 4 : 8;
      if (isMemory(op, x.intel) && !op.includes(':')) {
        // A frame slot or struct field off by one slot.
        const moved = x.intel ? op.replace(/\]\s*$/, ` + ${slot}]`) : /\(.*\)$/.test(op) ? op.replace(/^(.*?)\(/, (_, disp: string) => `${disp ? `${disp}+` : ''}${slot}(`) : `${op}+${slot}`;
        add('slot+1', [{ insn: x, text: render(x, x.mnemonic, x.operands.map((o, j) => (j === i ? moved : o))) }], i === dstIndex(x) ? fieldsOf(op, px) : destinationOf(x, px));
      }
      const imm = immediate(op, x.intel);
      if (imm !== undefined) {
        const text = (v: number) => (x.intel ? `0x${v.toString(16)}` : `$0x${v.toString(16)}`);
        if (SELECTORS.has(imm)) add('rpl', [{ insn: x, text: render(x, x.mnemonic, x.operands.map((o, j) => (j === i ? text(imm ^ 3) : o))) }]);
        else add('imm+1', [{ insn: x, text: render(x, x.mnemonic, x.operands.map((o, j) => (j === i ? text(imm + 1) : o))) }]);
      }
    });
  });

  // Two loads (or two stores) of the same kind with their sources exchanged: the classic swap.
  const moves = insns.filter((x) => x.operands.length === 2 && /^mov/.test(x.mnemonic));
  for (let k = 0; k + 1 < moves.length; k++) {
    const a = moves[k], b = moves[k + 1];
    if (a.mnemonic !== b.mnemonic || a.intel !== b.intel) continue;
    const loads = registerOperand(a.operands[dstIndex(a)], a.intel) && registerOperand(b.operands[dstIndex(b)], b.intel);
    const stores = isMemory(a.operands[dstIndex(a)], a.intel) && isMemory(b.operands[dstIndex(b)], b.intel);
    if (!loads && !stores) continue;
    const s = srcIndex(a);
    if (a.operands[s] === b.operands[s]) continue;
    const swapped = (x: Instruction, src: string) => render(x, x.mnemonic, x.operands.map((o, j) => (j === s ? src : o)));
    add('swap-sources', [{ insn: a, text: swapped(a, b.operands[s]) }, { insn: b, text: swapped(b, a.operands[s]) }], [...(destinationOf(a, px) ?? []), ...(destinationOf(b, px) ?? [])]);
  }

  // Two neighbouring instructions in the other order (a stack switched one step too early, flags saved too late).
  for (let k = 0; k + 1 < insns.length; k++) {
    const a = insns[k], b = insns[k + 1];
    if (CONTROL.test(a.mnemonic) || CONTROL.test(b.mnemonic) || IRETS.has(a.mnemonic) || IRETS.has(b.mnemonic) || body(a) === body(b)) continue;
    if (b.prefix.trim() !== '' || a.prefix.trim() !== '') continue; // a label stays with its instruction
    add('swap-adjacent', [{ insn: a, text: `${a.prefix}${body(b)}` }, { insn: b, text: `${b.prefix}${body(a)}` }]);
  }
  return out;
}

function immediate(op: string, intel: boolean): number | undefined {
  const m = (intel ? /^(0x[0-9a-f]+|\d+)$/i : /^\$(0x[0-9a-f]+|\d+)$/i).exec(op.trim());
  if (!m) return undefined;
  const v = Number(m[1]);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** What an instruction writes, as a register or a struct field: a load's register, a store's field, a pop's register. */
function destinationOf(x: Instruction, px: PreparedExercise): string[] | undefined {
  if (/^pop/.test(x.mnemonic) && x.operands.length === 1) {
    const reg = registerOperand(x.operands[0], x.intel);
    return reg ? [reg] : undefined;
  }
  if (!/^mov/.test(x.mnemonic) || x.operands.length !== 2) return undefined;
  const dst = x.operands[dstIndex(x)], src = x.operands[srcIndex(x)];
  const reg = registerOperand(dst, x.intel);
  if (reg) return isMemory(src, x.intel) && reg !== 'rsp' ? [reg] : undefined;
  return isMemory(dst, x.intel) ? fieldsOf(dst, px) : undefined;
}

/** The struct fields a memory operand names through `PREFIX_FIELD` symbols, as `region.field`. */
function fieldsOf(op: string, px: PreparedExercise): string[] | undefined {
  const out: string[] = [];
  for (const m of op.matchAll(/\b([A-Z][A-Z0-9]*)_([A-Z0-9_]+)\b/g)) {
    for (const layout of px.types.values()) {
      if (layout.prefix !== m[1]) continue;
      const field = layout.fields.find((f) => f.name.toUpperCase() === m[2]);
      if (!field) continue;
      for (const r of px.regions.values()) if (r.layout?.name === layout.name) out.push(`${r.name}.${field.name}`);
    }
  }
  return out.length ? out : undefined;
}
