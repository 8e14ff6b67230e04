// Generates the instruction-form corpus (tests/conformance/gas/corpus/gen-*.s): every mnemonic the
// lab uses with every operand shape, in AT&T and Intel syntax, for 32- and 64-bit code.
// Run: npx tsx tests/conformance/gas/generate-corpus.ts   (then record fixtures with build/scripts/record-gas-fixtures.ts)
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Size = 8 | 16 | 32 | 64;
interface Reg { k: 'reg'; name: string; size: Size }
interface Imm { k: 'imm'; v: bigint }
interface Mem { k: 'mem'; base?: string; index?: string; scale?: number; disp?: bigint; seg?: string; rip?: boolean }
type Op = Reg | Imm | Mem;

const here = dirname(fileURLToPath(import.meta.url));

const regs64: Record<Size, string[]> = {
  8: ['al', 'cl', 'bl', 'ah', 'sil', 'r8b', 'r15b'],
  16: ['ax', 'cx', 'si', 'r9w', 'r15w'],
  32: ['eax', 'ecx', 'ebx', 'esp', 'ebp', 'r8d', 'r13d'],
  64: ['rax', 'rcx', 'rdx', 'rsp', 'rbp', 'rsi', 'r8', 'r12', 'r13', 'r15'],
};
const regs16: Record<Size, string[]> = {
  8: ['al', 'cl', 'dh', 'bl'],
  16: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'],
  32: ['eax', 'ecx', 'esi'],
  64: [],
};
const regs32: Record<Size, string[]> = {
  8: ['al', 'cl', 'dl', 'bh'],
  16: ['ax', 'dx', 'si', 'bp'],
  32: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'],
  64: [],
};

function mems(bits: 16 | 32 | 64): Mem[] {
  const list = memShapes(bits);
  return list.map((m) => ({ k: 'mem', ...m }));
}

function memShapes(bits: 16 | 32 | 64): Omit<Mem, 'k'>[] {
  if (bits === 16) {
    return [
      { base: 'bx' }, { base: 'si' }, { base: 'di' }, { base: 'bp' }, { base: 'bx', index: 'si' }, { base: 'bp', index: 'di' }, { base: 'bx', disp: 8n },
      { base: 'bp', disp: -8n }, { base: 'si', disp: 0x1234n }, { base: 'bx', index: 'di', disp: 0x7fn }, { disp: 0x1234n }, { base: 'eax' },
      { seg: 'es', base: 'di' }, { seg: 'fs', disp: 0x10n }, { base: 'bx', index: 'si', disp: 0x80n },
    ];
  }
  if (bits === 64) {
    return [
      { base: 'rax' }, { base: 'rsp' }, { base: 'rbp' }, { base: 'r12' }, { base: 'r13' },
      { base: 'rdi', disp: 16n }, { base: 'rbp', disp: -8n }, { base: 'rax', disp: 127n }, { base: 'rax', disp: 128n }, { base: 'rsi', disp: -129n },
      { base: 'rdi', disp: 0x1000n }, { base: 'rax', index: 'rbx' }, { base: 'rax', index: 'rcx', scale: 4 }, { base: 'rsp', index: 'rbp', scale: 8, disp: 16n },
      { index: 'rax', scale: 2 }, { index: 'r9', scale: 8, disp: 0x40n }, { disp: 0x1234n }, { seg: 'fs', disp: 0x28n }, { seg: 'gs', base: 'rax', disp: 8n },
      { rip: true, disp: 0x10n }, { base: 'r13', index: 'r14', scale: 2, disp: -0x7fn }, { base: 'r8', index: 'r15', scale: 1 }, { base: 'eax' }, { base: 'r11d', disp: 4n },
      { seg: 'ds', base: 'rbp' }, { seg: 'ss', base: 'rax' }, { seg: 'es', base: 'rdi' },
    ];
  }
  return [
    { base: 'eax' }, { base: 'esp' }, { base: 'ebp' }, { base: 'edi', disp: 16n }, { base: 'ebp', disp: -8n }, { base: 'eax', disp: 127n },
    { base: 'eax', disp: 128n }, { base: 'esi', disp: 0x1000n }, { base: 'eax', index: 'ebx' }, { base: 'eax', index: 'ecx', scale: 4 },
    { base: 'esp', index: 'ebp', scale: 8, disp: 16n }, { index: 'eax', scale: 2 }, { disp: 0x1234n }, { seg: 'fs', disp: 0x28n },
    { seg: 'gs', base: 'eax', disp: 8n }, { seg: 'ds', base: 'ebp' }, { seg: 'es', base: 'edi' },
  ];
}

const reg = (name: string, size: Size): Reg => ({ k: 'reg', name, size });
const imm = (v: bigint | number): Imm => ({ k: 'imm', v: BigInt(v) });
const suffix: Record<Size, string> = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' };
const ptr: Record<number, string> = { 8: 'byte', 16: 'word', 32: 'dword', 48: 'fword', 64: 'qword', 128: 'xmmword' };

const hexv = (v: bigint) => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

function attOp(o: Op): string {
  if (o.k === 'reg') return `%${o.name}`;
  if (o.k === 'imm') return `$${hexv(o.v)}`;
  const seg = o.seg ? `%${o.seg}:` : '';
  const disp = o.disp !== undefined ? hexv(o.disp) : '';
  if (o.rip) return `${seg}${disp}(%rip)`;
  if (!o.base && !o.index) return `${seg}${disp}`;
  const idx = o.index ? `,%${o.index}${o.scale ? `,${o.scale}` : ''}` : '';
  return `${seg}${disp}(${o.base ? `%${o.base}` : ''}${idx})`;
}

function intelOp(o: Op, memSize: number | null): string {
  if (o.k === 'reg') return o.name;
  if (o.k === 'imm') return hexv(o.v);
  const size = memSize ? `${ptr[memSize]} ptr ` : '';
  const seg = o.seg ? `${o.seg}:` : '';
  const parts: string[] = [];
  if (o.rip) parts.push('rip');
  if (o.base) parts.push(o.base);
  if (o.index) parts.push(o.scale ? `${o.index}*${o.scale}` : o.index);
  let inner = parts.join('+');
  if (o.disp !== undefined) inner = inner ? `${inner}${o.disp < 0n ? '-' : '+'}${hexv(o.disp < 0n ? -o.disp : o.disp)}` : hexv(o.disp);
  return `${size}${seg}[${inner}]`;
}

interface Line { mn: string; ops: Op[]; size?: Size | null; memSize?: number | null; attMn?: string; intelMn?: string; indirect?: boolean }

/** Renders one instruction; operands are given in Intel order. */
function render(l: Line, intel: boolean): string {
  if (intel) {
    const mn = l.intelMn ?? l.mn;
    const hasReg = l.ops.some((o) => o.k === 'reg');
    const ms = l.memSize !== undefined ? l.memSize : hasReg ? null : (l.size ?? null);
    return l.ops.length ? `${mn} ${l.ops.map((o) => intelOp(o, ms)).join(', ')}` : mn;
  }
  const mn = l.attMn ?? `${l.mn}${l.size ? suffix[l.size] : ''}`;
  return l.ops.length ? `${mn} ${l.indirect ? '*' : ''}${[...l.ops].reverse().map(attOp).join(', ')}` : mn;
}

function generate(bits: 16 | 32 | 64): Line[] {
  const R = bits === 64 ? regs64 : bits === 32 ? regs32 : regs16;
  const M = mems(bits);
  const sizes: Size[] = bits === 64 ? [8, 16, 32, 64] : [8, 16, 32];
  const out: Line[] = [];
  const pick = <T,>(xs: T[], i: number) => xs[i % xs.length];
  const immsFor = (s: Size) =>
    s === 8 ? [1n, 0x7fn, 0xffn, -1n, -128n] : s === 16 ? [1n, 0x7fn, 0x80n, -1n, -128n, -129n, 0x1234n, 0xffffn] : [1n, 0x7fn, 0x80n, -1n, -128n, -129n, 0x1234n, 0x12345678n, -0x80000000n];

  // Two-operand ALU and mov.
  for (const mn of ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'mov', 'test']) {
    for (const s of sizes) {
      const rs = R[s];
      for (let i = 0; i < rs.length; i++) out.push({ mn, ops: [reg(rs[i], s), reg(pick(rs, i + 1), s)] });
      for (const v of immsFor(s)) out.push({ mn, ops: [reg(rs[0], s), imm(v)] }, { mn, ops: [reg(pick(rs, 2), s), imm(v)] });
      M.forEach((m, i) => {
        out.push({ mn, ops: [reg(pick(rs, i), s), m] });
        if (mn !== 'test') out.push({ mn, ops: [m, reg(pick(rs, i + 1), s)] });
        if (i % 3 === 0) out.push({ mn, ops: [m, imm(pick(immsFor(s), i))], size: s });
      });
    }
  }
  // mov with 64-bit immediates, moffs forms and movabs.
  if (bits === 64) {
    for (const v of [0x100000000n, 0x123456789abcdefn, -0x80000001n, 0xffffffffn]) out.push({ mn: 'mov', ops: [reg('rax', 64), imm(v)] }, { mn: 'mov', ops: [reg('r11', 64), imm(v)] });
    out.push({ mn: 'movabs', ops: [reg('rax', 64), imm(0x1122334455667788n)], attMn: 'movabs', intelMn: 'movabs' });
    for (const [r, s] of [['al', 8], ['ax', 16], ['eax', 32], ['rax', 64]] as const) {
      out.push({ mn: 'movabs', ops: [reg(r, s), { k: 'mem', disp: 0x1122334455667788n }], attMn: 'movabs', intelMn: 'movabs', memSize: s });
      out.push({ mn: 'movabs', ops: [{ k: 'mem', disp: 0x1122334455667788n }, reg(r, s)], attMn: 'movabs', intelMn: 'movabs', memSize: s });
    }
  } else {
    for (const [r, s] of [['al', 8], ['ax', 16], ['eax', 32]] as const) out.push({ mn: 'mov', ops: [reg(r, s), { k: 'mem', disp: 0x1000n }] }, { mn: 'mov', ops: [{ k: 'mem', disp: 0x1000n }, reg(r, s)] });
  }
  // One-operand arithmetic.
  for (const mn of ['inc', 'dec', 'neg', 'not', 'mul', 'imul', 'div', 'idiv']) {
    for (const s of sizes) {
      for (const r of R[s].slice(0, 4)) out.push({ mn, ops: [reg(r, s)] });
      M.filter((_, i) => i % 2 === 0).forEach((m) => out.push({ mn, ops: [m], size: s }));
    }
  }
  // imul two and three operands.
  for (const s of sizes.filter((x) => x !== 8)) {
    const rs = R[s];
    out.push({ mn: 'imul', ops: [reg(rs[0], s), reg(rs[1], s)] }, { mn: 'imul', ops: [reg(rs[1], s), M[5]] });
    for (const v of [3n, 0x7fn, 0x80n, -2n, 0x1234n]) out.push({ mn: 'imul', ops: [reg(rs[0], s), reg(rs[2], s), imm(v)] }, { mn: 'imul', ops: [reg(rs[1], s), M[6], imm(v)] });
  }
  // Shifts and rotates.
  for (const mn of ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'sal']) {
    for (const s of sizes) {
      const r = R[s][1];
      out.push({ mn, ops: [reg(r, s), imm(1)] }, { mn, ops: [reg(r, s), imm(5)] }, { mn, ops: [reg(r, s), reg('cl', 8)] });
      out.push({ mn, ops: [M[1], imm(1)], size: s }, { mn, ops: [M[5], imm(3)], size: s }, { mn, ops: [M[8], reg('cl', 8)], size: s });
    }
  }
  for (const mn of ['shld', 'shrd']) {
    for (const s of sizes.filter((x) => x !== 8)) {
      out.push({ mn, ops: [reg(R[s][0], s), reg(R[s][1], s), imm(4)] }, { mn, ops: [reg(R[s][2], s), reg(R[s][3], s), reg('cl', 8)] });
      out.push({ mn, ops: [M[5], reg(R[s][1], s), imm(7)] }, { mn, ops: [M[9], reg(R[s][0], s), reg('cl', 8)] });
    }
  }
  // Zero and sign extension.
  const ext: [string, string, Size, Size][] = [['movzx', 'movzb', 16, 8], ['movzx', 'movzb', 32, 8], ['movzx', 'movzw', 32, 16], ['movsx', 'movsb', 16, 8], ['movsx', 'movsb', 32, 8], ['movsx', 'movsw', 32, 16]];
  if (bits === 64) ext.push(['movzx', 'movzb', 64, 8], ['movzx', 'movzw', 64, 16], ['movsx', 'movsb', 64, 8], ['movsx', 'movsw', 64, 16]);
  for (const [intelMn, att, d, s] of ext) {
    for (let i = 0; i < 3; i++) {
      out.push({ mn: intelMn, ops: [reg(R[d][i], d), reg(R[s][i + 1] ?? R[s][0], s)], attMn: `${att}${suffix[d]}` });
      out.push({ mn: intelMn, ops: [reg(R[d][i], d), M[i * 4]], attMn: `${att}${suffix[d]}`, memSize: s });
    }
  }
  if (bits === 64) {
    out.push({ mn: 'movsxd', ops: [reg('rax', 64), reg('ecx', 32)], attMn: 'movslq' }, { mn: 'movsxd', ops: [reg('r9', 64), M[5]], attMn: 'movslq', memSize: 32 });
  }
  // lea.
  for (const s of sizes.filter((x) => x !== 8)) M.filter((m) => !m.seg).forEach((m, i) => out.push({ mn: 'lea', ops: [reg(pick(R[s], i), s), m] }));
  // cmovcc / setcc.
  const ccs = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g', 'z', 'nz', 'c', 'nc', 'nae', 'nb', 'na', 'nbe', 'pe', 'po', 'nge', 'nl', 'ng', 'nle'];
  ccs.forEach((cc, i) => {
    out.push({ mn: `cmov${cc}`, ops: [reg(pick(R[32], i), 32), reg(pick(R[32], i + 1), 32)] });
    out.push({ mn: `cmov${cc}`, ops: [reg(pick(R[16], i), 16), pick(M, i)] });
    if (bits === 64) out.push({ mn: `cmov${cc}`, ops: [reg(pick(R[64], i), 64), pick(M, i + 3)] });
    out.push({ mn: `set${cc}`, ops: [reg(pick(R[8], i), 8)] }, { mn: `set${cc}`, ops: [pick(M, i + 1)], memSize: 8, attMn: `set${cc}` });
  });
  // Bit operations.
  for (const mn of ['bt', 'bts', 'btr', 'btc']) {
    for (const s of sizes.filter((x) => x !== 8)) {
      out.push({ mn, ops: [reg(R[s][0], s), reg(R[s][1], s)] }, { mn, ops: [reg(R[s][2], s), imm(5)] }, { mn, ops: [M[5], reg(R[s][1], s)] }, { mn, ops: [M[4], imm(31)], size: s });
    }
  }
  for (const mn of ['bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt']) {
    for (const s of sizes.filter((x) => x !== 8)) out.push({ mn, ops: [reg(R[s][0], s), reg(R[s][1], s)] }, { mn, ops: [reg(R[s][2], s), M[5]] });
  }
  // Exchange and atomics.
  for (const s of sizes) {
    const rs = R[s];
    out.push({ mn: 'xchg', ops: [reg(rs[0], s), reg(rs[1], s)] }, { mn: 'xchg', ops: [reg(rs[1], s), reg(rs[0], s)] }, { mn: 'xchg', ops: [reg(rs[2], s), reg(rs[1], s)] });
    out.push({ mn: 'xchg', ops: [M[5], reg(rs[1], s)] }, { mn: 'xadd', ops: [reg(rs[0], s), reg(rs[1], s)] }, { mn: 'xadd', ops: [M[1], reg(rs[2], s)] });
    out.push({ mn: 'cmpxchg', ops: [reg(rs[0], s), reg(rs[1], s)] }, { mn: 'cmpxchg', ops: [M[6], reg(rs[2], s)] });
    out.push({ mn: 'lock add', attMn: `lock add${suffix[s]}`, ops: [M[0], imm(1)], size: s }, { mn: 'lock xadd', attMn: 'lock xadd', ops: [M[5], reg(rs[1], s)] });
    out.push({ mn: 'lock cmpxchg', attMn: 'lock cmpxchg', ops: [M[1], reg(rs[1], s)] }, { mn: 'lock inc', attMn: `lock inc${suffix[s]}`, ops: [M[3]], size: s });
  }
  out.push({ mn: 'cmpxchg8b', ops: [M[0]], memSize: 64, attMn: 'cmpxchg8b' }, { mn: 'lock cmpxchg8b', ops: [M[5]], memSize: 64, attMn: 'lock cmpxchg8b' });
  if (bits === 64) out.push({ mn: 'cmpxchg16b', ops: [M[0]], memSize: 128, attMn: 'cmpxchg16b' }, { mn: 'lock cmpxchg16b', ops: [M[5]], memSize: 128, attMn: 'lock cmpxchg16b' });
  for (const r of R[32]) out.push({ mn: 'bswap', ops: [reg(r, 32)] });
  if (bits === 64) for (const r of ['rax', 'r9', 'r15']) out.push({ mn: 'bswap', ops: [reg(r, 64)] });
  // Stack.
  const stackSize: Size = bits === 64 ? 64 : bits === 32 ? 32 : 16;
  for (const r of R[stackSize]) out.push({ mn: 'push', ops: [reg(r, stackSize)] }, { mn: 'pop', ops: [reg(r, stackSize)] });
  for (const r of R[16].slice(0, 3)) out.push({ mn: 'push', ops: [reg(r, 16)] }, { mn: 'pop', ops: [reg(r, 16)] });
  for (const v of [1n, 0x7fn, 0x80n, -1n, 0x1234n, 0x12345678n]) out.push({ mn: 'push', ops: [imm(v)] });
  out.push({ mn: 'push', ops: [imm(0x10n)], size: 16, attMn: 'pushw' });
  M.forEach((m, i) => {
    if (i % 2) return;
    out.push({ mn: 'push', ops: [m] }, { mn: 'pop', ops: [m] }, { mn: 'push', ops: [m], size: stackSize, memSize: stackSize }, { mn: 'push', ops: [m], size: 16, memSize: 16 });
  });
  for (const sr of bits === 64 ? ['fs', 'gs'] : ['es', 'cs', 'ss', 'ds', 'fs', 'gs']) {
    out.push({ mn: 'push', ops: [{ k: 'reg', name: sr, size: 16 }] });
    if (sr !== 'cs') out.push({ mn: 'pop', ops: [{ k: 'reg', name: sr, size: 16 }] });
  }
  // No-operand instructions.
  const plain = ['clc', 'stc', 'cmc', 'cld', 'std', 'lahf', 'sahf', 'cbw', 'cwde', 'cwd', 'cdq', 'nop', 'pause', 'ud2', 'int3', 'hlt', 'cpuid', 'rdtsc', 'rdmsr', 'wrmsr', 'syscall', 'sysenter', 'cli', 'sti', 'clts', 'wbinvd', 'leave', 'ret'];
  for (const mn of plain) out.push({ mn, ops: [] });
  const attPlain: [string, string][] = [['cbtw', 'cbw'], ['cwtl', 'cwde'], ['cwtd', 'cwd'], ['cltd', 'cdq'], ['pushf', 'pushf'], ['popf', 'popf'], ['iret', 'iret'], ['lret', 'retf'], ['sysexit', 'sysexit']];
  for (const [att, intel] of attPlain) out.push({ mn: intel, attMn: att, intelMn: intel, ops: [] });
  if (bits === 64) {
    for (const [att, intel] of [['cltq', 'cdqe'], ['cqto', 'cqo'], ['iretq', 'iretq'], ['pushfq', 'pushfq'], ['popfq', 'popfq'], ['sysretq', 'sysretq'], ['sysret', 'sysret'], ['swapgs', 'swapgs'], ['lretq', 'retfq'], ['retq', 'ret'], ['leaveq', 'leave']]) out.push({ mn: intel, attMn: att, intelMn: intel, ops: [] });
  } else {
    for (const [att, intel] of [['pusha', 'pusha'], ['popa', 'popa'], ['pushal', 'pushad'], ['popal', 'popad'], ['pushfl', 'pushfd'], ['popfl', 'popfd'], ['iretl', 'iretd'], ['into', 'into'], ['pushaw', 'pushaw'], ['retl', 'ret']]) out.push({ mn: intel, attMn: att, intelMn: intel, ops: [] });
  }
  out.push({ mn: 'int', ops: [imm(0x80)] }, { mn: 'int', ops: [imm(3)] }, { mn: 'ret', ops: [imm(8)] }, { mn: 'ret', ops: [imm(0x100)] });
  out.push({ mn: 'enter', ops: [imm(16), imm(0)], attMn: 'enter' }, { mn: 'enter', ops: [imm(0x100), imm(1)], attMn: 'enter' });
  // Strings with prefixes.
  for (const b of ['movs', 'stos', 'lods', 'cmps', 'scas']) {
    for (const [att, intel] of [['b', 'b'], ['w', 'w'], ['l', 'd'], ...(bits === 64 ? [['q', 'q']] : [])]) {
      out.push({ mn: `${b}${intel}`, attMn: `${b}${att}`, ops: [] });
      const pre = b === 'cmps' || b === 'scas' ? 'repe' : 'rep';
      out.push({ mn: `${pre} ${b}${intel}`, attMn: `${pre} ${b}${att}`, ops: [] });
      if (b === 'cmps' || b === 'scas') out.push({ mn: `repne ${b}${intel}`, attMn: `repne ${b}${att}`, ops: [] });
    }
  }
  // String instructions that name their operands.
  const p = bits === 64 ? 'r' : bits === 32 ? 'e' : '';
  const acc = bits === 64 ? 'rax' : 'eax';
  const written: [string, string][] = [
    [`movsb (%${p}si), (%${p}di)`, `movs byte ptr [${p}di], byte ptr [${p}si]`],
    [`movsl %fs:(%${p}si), %es:(%${p}di)`, `movs dword ptr es:[${p}di], dword ptr fs:[${p}si]`],
    [`stos %al, %es:(%${p}di)`, `stos byte ptr [${p}di], al`],
    [`rep stos %${acc}, (%${p}di)`, `rep stos ${bits === 64 ? 'qword' : 'dword'} ptr [${p}di], ${acc}`],
    [`lods (%${p}si), %ax`, `lods ax, word ptr [${p}si]`],
    [`lodsb %gs:(%${p}si)`, `lods byte ptr gs:[${p}si]`],
    [`cmpsb (%${p}di), (%${p}si)`, `cmps byte ptr [${p}si], byte ptr [${p}di]`],
    [`repe cmpsw (%${p}di), (%${p}si)`, `repe cmps word ptr [${p}si], word ptr [${p}di]`],
    [`scas (%${p}di), %al`, `scas al, byte ptr [${p}di]`],
    [`outsl (%${p}si), %dx`, `outs dx, dword ptr [${p}si]`],
    [`insb %dx, (%${p}di)`, `ins byte ptr [${p}di], dx`],
  ];
  if (bits !== 16) written.push([`movsb (%${bits === 64 ? 'e' : ''}si), (%${bits === 64 ? 'e' : ''}di)`, `movs byte ptr [${bits === 64 ? 'e' : ''}di], byte ptr [${bits === 64 ? 'e' : ''}si]`]);
  for (const [att, intel] of written) out.push({ mn: '', ops: [], attMn: att, intelMn: intel });
  for (const b of ['ins', 'outs']) for (const [att, intel] of [['b', 'b'], ['w', 'w'], ['l', 'd']]) out.push({ mn: `${b}${intel}`, attMn: `${b}${att}`, ops: [] }, { mn: `rep ${b}${intel}`, attMn: `rep ${b}${att}`, ops: [] });
  // Port I/O.
  for (const [r, s] of [['al', 8], ['ax', 16], ['eax', 32]] as const) {
    out.push({ mn: 'in', ops: [reg(r, s), imm(0x60)] }, { mn: 'in', ops: [reg(r, s), reg('dx', 16)] });
    out.push({ mn: 'out', ops: [imm(0x80), reg(r, s)] }, { mn: 'out', ops: [reg('dx', 16), reg(r, s)] });
  }
  // Control registers, debug registers, segment registers.
  const gp = bits === 64 ? 'rax' : 'eax';
  const gp2 = bits === 64 ? 'r10' : 'edi';
  for (const cr of ['cr0', 'cr2', 'cr3', 'cr4', ...(bits === 64 ? ['cr8'] : [])]) {
    out.push({ mn: 'mov', ops: [reg(gp, stackSize), { k: 'reg', name: cr, size: stackSize }] }, { mn: 'mov', ops: [{ k: 'reg', name: cr, size: stackSize }, reg(gp2, stackSize)] });
  }
  for (const dr of ['dr0', 'dr3', 'dr6', 'dr7']) out.push({ mn: 'mov', ops: [reg(gp, stackSize), { k: 'reg', name: dr, size: stackSize }] }, { mn: 'mov', ops: [{ k: 'reg', name: dr, size: stackSize }, reg(gp2, stackSize)] });
  for (const sr of ['es', 'ss', 'ds', 'fs', 'gs']) {
    out.push({ mn: 'mov', ops: [{ k: 'reg', name: sr, size: 16 }, reg('ax', 16)] }, { mn: 'mov', ops: [{ k: 'reg', name: sr, size: 16 }, reg('ecx', 32)] });
    out.push({ mn: 'mov', ops: [reg('dx', 16), { k: 'reg', name: sr, size: 16 }] }, { mn: 'mov', ops: [reg('esi', 32), { k: 'reg', name: sr, size: 16 }] });
    out.push({ mn: 'mov', ops: [{ k: 'reg', name: sr, size: 16 }, M[0]], memSize: 16 }, { mn: 'mov', ops: [M[5], { k: 'reg', name: sr, size: 16 }], memSize: 16 });
  }
  out.push({ mn: 'mov', ops: [reg(gp, stackSize), { k: 'reg', name: 'cs', size: 16 }] });
  // Descriptor tables and task register.
  const tableSize = bits === 64 ? 80 : 48;
  for (const mn of ['lgdt', 'lidt', 'sgdt', 'sidt']) for (const m of [M[0], M[5], M[12]]) out.push({ mn, ops: [m], memSize: tableSize === 80 ? null : null });
  for (const mn of ['lldt', 'ltr', 'verr', 'verw']) out.push({ mn, ops: [reg('ax', 16)] }, { mn, ops: [M[5]], memSize: 16 });
  for (const mn of ['sldt', 'str']) out.push({ mn, ops: [reg('ax', 16)] }, { mn, ops: [reg('eax', 32)] }, { mn, ops: [M[5]], memSize: 16 });
  for (const mn of ['lar', 'lsl']) out.push({ mn, ops: [reg('eax', 32), reg('ecx', 32)] }, { mn, ops: [reg('ax', 16), reg('cx', 16)] }, { mn, ops: [reg('edx', 32), M[5]], memSize: 16 });
  for (const mn of ['lfs', 'lgs', 'lss', ...(bits === 32 ? ['lds', 'les'] : [])]) out.push({ mn, ops: [reg(R[32][1], 32), M[5]], memSize: 48 }, { mn, ops: [reg('ax', 16), M[0]], memSize: 32 });
  if (bits === 32) out.push({ mn: 'arpl', ops: [reg('ax', 16), reg('cx', 16)] }, { mn: 'arpl', ops: [M[0], reg('dx', 16)] });
  for (const m of [M[0], M[5], M[10]]) out.push({ mn: 'invlpg', ops: [m], memSize: 8 });
  if (bits === 64) for (const mn of ['rdfsbase', 'wrfsbase', 'rdgsbase', 'wrgsbase']) out.push({ mn, ops: [reg('rax', 64)] }, { mn, ops: [reg('r12', 64)] }, { mn, ops: [reg('ecx', 32)] });
  // Indirect and far control transfer.
  for (const mn of ['jmp', 'call']) {
    out.push({ mn, ops: [reg(gp, stackSize)], attMn: `${mn}`, indirect: true });
    for (const m of [M[0], M[5], M[10], M[12]]) out.push({ mn, ops: [m], attMn: mn, memSize: stackSize, indirect: true }, { mn, ops: [m], attMn: `l${mn}`, intelMn: mn, memSize: 48, indirect: true });
  }
  if (bits === 32) {
    out.push({ mn: 'ljmp', ops: [], attMn: 'ljmp $0x10, $0x1000', intelMn: 'jmp 0x10:0x1000' }, { mn: 'lcall', ops: [], attMn: 'lcall $0x8, $0x12345678', intelMn: 'call 0x8:0x12345678' });
  }
  // Relative branches written with `.`.
  for (const mn of ['jmp', ...ccs.map((c) => `j${c}`)]) out.push({ mn, ops: [] , attMn: `${mn} .`, intelMn: `${mn} .` }, { mn, ops: [], attMn: `${mn} .+0x100`, intelMn: `${mn} .+0x100` });
  out.push({ mn: 'call', ops: [], attMn: 'call .+0x20', intelMn: 'call .+0x20' });
  for (const mn of ['loop', 'loope', 'loopne', 'loopz', 'loopnz', bits === 64 ? 'jrcxz' : 'jecxz']) out.push({ mn, ops: [], attMn: `${mn} .`, intelMn: `${mn} .` });
  return out;
}

const header = (syntax: 'att' | 'intel', bits: 16 | 32 | 64) =>
  `# Generated by tests/conformance/gas/generate-corpus.ts: ${syntax === 'att' ? 'AT&T' : 'Intel'} syntax, ${bits}-bit code. Do not edit.\n# corpus: flat bits=${bits}\n${syntax === 'intel' ? '.intel_syntax noprefix\n' : ''}${bits !== 64 ? `.code${bits}\n` : ''}`;

/** Deterministic PRNG (LCG) so the corpus is reproducible. */
function lcg(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) & 0x7fffffff;
    return a / 0x80000000;
  };
}

// Boundary values for immediates and displacements: where sign extension, truncation and the
// choice between 8- and 32-bit fields happen.
const edgeValues = ['0', '1', '-1', '127', '128', '-128', '-129', '255', '256', '0x7fff', '0x8000', '0xffff', '0x10000', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000', '-0x80000000', '-0x80000001', '0x7f', '0x80', '-0x7f'];

/** The same instruction shapes with their numbers replaced by boundary values. */
function withEdgeValues(lines: string[], count: number, seed: number): string[] {
  const next = lcg(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const l = lines[Math.floor(next() * lines.length)];
    out.push(l.replace(/(?<![\w.%])(-?0x[0-9a-f]+|-?\d+)(?!\w)/g, (m) => (/^[1248]$/.test(m) && next() < 0.5 ? m : edgeValues[Math.floor(next() * edgeValues.length)])));
  }
  return out;
}

/** A random program of labels, branches at all distances, fills and alignment: relaxation as GNU as does it. */
function relaxationProgram(bits: 16 | 32 | 64, seed: number): string {
  const next = lcg(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const targets = 12;
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const r = next();
    if (r < 0.45) lines.push(`\t${pick(['jmp', 'je', 'jne', 'jg', 'jle', 'jb', 'jae', 'js', 'call'])} T${Math.floor(next() * targets)}`);
    else if (r < 0.7) lines.push(`\t.fill ${pick([1, 2, 5, 30, 60, 100, 120, 125, 126, 127, 128, 129, 130, 200])}, 1, 0x90`);
    else if (r < 0.8) lines.push(`\t${pick(['.p2align 4', '.p2align 3', '.balign 32', '.align 8', '.p2align 4,,7', '.p2align 5,,10'])}`);
    else lines.push(`\t${pick(['nop', 'ret', 'push %rax', 'mov $1, %eax', 'xor %eax, %eax'])}`.replace('%rax', bits === 64 ? '%rax' : '%eax'));
  }
  for (let t = 0; t < targets; t++) lines.splice(Math.floor(next() * lines.length), 0, `T${t}:`);
  return `# Generated by tests/conformance/gas/generate-corpus.ts: branch relaxation, ${bits}-bit code. Do not edit.\n# corpus: file bits=${bits} text=0x1000 data=0x9000\n${bits !== 64 ? `.code${bits}\n` : ''}${lines.join('\n')}\n`;
}

/** Random constant expressions over every operator, evaluated by `.quad`: precedence, signedness, division by zero. */
function expressionProgram(seed: number): string {
  const next = lcg(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const ops = ['+', '-', '*', '/', '%', '<<', '>>', '|', '&', '^', '!', '==', '!=', '<>', '<', '>', '<=', '>=', '&&', '||'];
  const nums = ['0', '1', '2', '3', '7', '-5', '0x10', '255', '0x7fffffff', '0xffffffff', '-1', '63', '64', '100', "'a'", '010', '0b101'];
  const expr = (depth: number): string => {
    if (depth <= 0 || next() < 0.3) return pick(nums);
    const r = next();
    if (r < 0.15) return `${pick(['-', '~', '!'])}${expr(depth - 1)}`;
    if (r < 0.3) return `(${expr(depth - 1)})`;
    return `${expr(depth - 1)} ${pick(ops)} ${expr(depth - 1)}`;
  };
  const lines = Array.from({ length: 400 }, () => `\t.quad ${expr(3)}`);
  return `# Generated by tests/conformance/gas/generate-corpus.ts: constant expressions. Do not edit.\n# corpus: file bits=64 text=0x0 data=0x10000\n${lines.join('\n')}\n`;
}

/** Intel memory operands written every way GNU as reads them: term order, `disp[base]`, `[a][b]`, scale first. */
function intelMemoryProgram(seed: number): string {
  const next = lcg(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const bases = ['rax', 'rbx', 'rsp', 'rbp', 'r12', 'r13', 'r9'];
  const indexes = ['rcx', 'rsi', 'r8', 'r15', 'rbp'];
  const disps = ['8', '-8', '0x80', '-0x81', '0x1000', '0', '4*4', '(2+3)', 'K', 'K*2', '-K'];
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) {
    const parts: string[] = [];
    if (next() < 0.85) parts.push(pick(bases));
    if (next() < 0.6) parts.push(next() < 0.5 ? `${pick(indexes)}*${pick(['1', '2', '4', '8'])}` : `${pick(['1', '2', '4', '8'])}*${pick(indexes)}`);
    if (next() < 0.7 || parts.length === 0) parts.push(pick(disps));
    for (let k = parts.length - 1; k > 0; k--) {
      const j = Math.floor(next() * (k + 1));
      [parts[k], parts[j]] = [parts[j], parts[k]];
    }
    let mem = `[${parts.join(' + ').replace('+ -', '- ')}]`;
    const r = next();
    const last = parts[parts.length - 1];
    if (r < 0.15 && parts.length > 1 && !/[a-z]/.test(last.replace(/^-?K/, ''))) mem = `${last}[${parts.slice(0, -1).join('+')}]`;
    else if (r < 0.25 && parts.length === 2) mem = `[${parts[0]}][${parts[1]}]`;
    lines.push(pick([`mov eax, dword ptr ${mem}`, `lea rax, ${mem}`, `mov qword ptr ${mem}, rdx`, `add byte ptr ${mem}, 1`, `push qword ptr ${mem}`, `mov eax, ${pick(['fs', 'gs', 'es'])}:${mem}`]));
  }
  return `# Generated by tests/conformance/gas/generate-corpus.ts: Intel memory operand spellings. Do not edit.\n# corpus: flat bits=64\n.intel_syntax noprefix\n.set K, 0x20\n${lines.join('\n')}\n`;
}

/** AT&T memory operands: displacement expressions (also parenthesised), 32/64-bit address registers, segments. */
function attMemoryProgram(seed: number): string {
  const next = lcg(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const bases = ['%rax', '%rbx', '%rsp', '%rbp', '%r12', '%r13', '%r9', '%eax', '%esp', '%ebp', '%r13d', ''];
  const indexes64 = ['%rcx', '%rsi', '%r8', '%r15', '%rbp'];
  const indexes32 = ['%ecx', '%esi', '%r8d', '%ebp'];
  const disps = ['8', '-8', '0x80', '-0x81', '0x1000', '0', '4*4', '(2+3)', 'K', 'K*2', '-K', '(K)', '-(8)', 'K+1', ''];
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) {
    const base = pick(bases);
    const narrow = base.startsWith('%e') || base.endsWith('d');
    const withIndex = next() < 0.5;
    const group = base || withIndex ? `(${base}${withIndex ? `,${pick(narrow ? indexes32 : indexes64)}${next() < 0.7 ? `,${pick(['1', '2', '4', '8'])}` : ''}` : ''})` : '';
    const disp = pick(disps) || (group ? '' : '0x40');
    const seg = next() < 0.15 ? `%${pick(['fs', 'gs', 'es', 'ds', 'ss'])}:` : '';
    const mem = `${seg}${disp}${group}`;
    lines.push(pick([`movl ${mem}, %eax`, `leaq ${mem}, %rax`, `movq %rdx, ${mem}`, `addb $1, ${mem}`, `pushq ${mem}`, `cmpl $0x80, ${mem}`, `jmp *${mem}`]));
  }
  return `# Generated by tests/conformance/gas/generate-corpus.ts: AT&T memory operand spellings. Do not edit.\n# corpus: flat bits=64\n.set K, 0x20\n${lines.join('\n')}\n`;
}

mkdirSync(join(here, 'corpus'), { recursive: true });
writeFileSync(join(here, 'corpus', 'gen-expressions-64.s'), expressionProgram(77));
writeFileSync(join(here, 'corpus', 'gen-att-memory-64.s'), attMemoryProgram(6));
writeFileSync(join(here, 'corpus', 'gen-intel-memory-64.s'), intelMemoryProgram(5));
let total = 0;
for (const bits of [64, 32, 16] as const) writeFileSync(join(here, 'corpus', `gen-relax-${bits}.s`), relaxationProgram(bits, 1000 + bits));
for (const bits of [64, 32, 16] as const) {
  const lines = generate(bits);
  for (const syntax of ['att', 'intel'] as const) {
    const rendered = lines.map((l) => render(l, syntax === 'intel'));
    writeFileSync(join(here, 'corpus', `gen-${syntax}-${bits}.s`), `${header(syntax, bits)}${rendered.join('\n')}\n`);
    const edges = withEdgeValues(rendered.filter((l) => /\d/.test(l)), 600, bits * 7 + (syntax === 'att' ? 1 : 2));
    writeFileSync(join(here, 'corpus', `gen-values-${syntax}-${bits}.s`), `${header(syntax, bits)}${edges.join('\n')}\n`);
    total += lines.length + edges.length;
  }
}
process.stderr.write(`wrote ${total} instruction lines\n`);
