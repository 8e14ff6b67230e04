/** GNU as mnemonic spellings (AT&T suffixes and aliases) mapped onto iced-x86 mnemonics. */
import { CONDITION_NAMES } from '../arch/rflags.ts';
import { isGpMnemonic } from './encode-table.ts';

export type BranchClass = 'jmp' | 'jcc' | 'call' | 'short' | null;

export interface MnemonicInfo {
  /** What the user wrote, for messages. */
  written: string;
  /** iced-x86 mnemonics (lowercase) whose forms may encode it. */
  mnemonics: string[];
  size: number | null;
  srcSize: number | null;
  far: boolean;
  movabs: boolean;
  branch: BranchClass;
  /** Unsized memory defaults to the stack width (push, pop, call, jmp). */
  stack: boolean;
  /** String instruction (movs, stos, ...): operands are implicit. */
  string: boolean;
}

const conditions = CONDITION_NAMES;
const conditionAliases: Record<string, string> = {
  z: 'e', nz: 'ne', c: 'b', nc: 'ae', nae: 'b', nb: 'ae', na: 'be', nbe: 'a', pe: 'p', po: 'np', nge: 'l', nl: 'ge', ng: 'le', nle: 'g',
};
const suffixSizes: Record<string, number> = { b: 8, w: 16, l: 32, q: 64 };
const stringBases = ['movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs'];

interface Alias {
  mnemonics: string[];
  size?: number;
  srcSize?: number;
  far?: boolean;
  movabs?: boolean;
}

const aliases = new Map<string, Alias>();
function alias(names: string[], a: Alias): void {
  for (const n of names) aliases.set(n, a);
}

for (const [from, to] of Object.entries(conditionAliases)) {
  alias([`j${from}`], { mnemonics: [`j${to}`] });
  alias([`set${from}`], { mnemonics: [`set${to}`] });
  alias([`cmov${from}`], { mnemonics: [`cmov${to}`] });
  for (const [suf, size] of Object.entries(suffixSizes)) {
    if (suf !== 'b') alias([`cmov${from}${suf}`], { mnemonics: [`cmov${to}`], size });
  }
  alias([`set${from}b`], { mnemonics: [`set${to}`], size: 8 });
}
for (const c of conditions) {
  for (const [suf, size] of Object.entries(suffixSizes)) if (suf !== 'b') alias([`cmov${c}${suf}`], { mnemonics: [`cmov${c}`], size });
}
alias(['iret'], { mnemonics: ['iret', 'iretd', 'iretq'] });
alias(['iretw'], { mnemonics: ['iret'] });
alias(['iretl'], { mnemonics: ['iretd'] });
alias(['pushf'], { mnemonics: ['pushf', 'pushfd', 'pushfq'] });
alias(['popf'], { mnemonics: ['popf', 'popfd', 'popfq'] });
alias(['pushfw'], { mnemonics: ['pushf'] });
alias(['popfw'], { mnemonics: ['popf'] });
alias(['pushfl'], { mnemonics: ['pushfd'] });
alias(['popfl'], { mnemonics: ['popfd'] });
alias(['pusha'], { mnemonics: ['pusha', 'pushad'] });
alias(['popa'], { mnemonics: ['popa', 'popad'] });
alias(['pushaw'], { mnemonics: ['pusha'] });
alias(['popaw'], { mnemonics: ['popa'] });
alias(['pushal'], { mnemonics: ['pushad'] });
alias(['popal'], { mnemonics: ['popad'] });
alias(['lret'], { mnemonics: ['retf'] });
alias(['retf'], { mnemonics: ['retf'] });
for (const [suf, size] of Object.entries(suffixSizes)) {
  if (suf === 'b') continue;
  alias([`lret${suf}`, `retf${suf}`], { mnemonics: ['retf'], size });
  alias([`ljmp${suf}`], { mnemonics: ['jmp'], far: true, size });
  alias([`lcall${suf}`], { mnemonics: ['call'], far: true, size });
}
alias(['ljmp'], { mnemonics: ['jmp'], far: true });
alias(['lcall'], { mnemonics: ['call'], far: true });
alias(['cbtw'], { mnemonics: ['cbw'] });
alias(['cwtl'], { mnemonics: ['cwde'] });
alias(['cltq'], { mnemonics: ['cdqe'] });
alias(['cwtd'], { mnemonics: ['cwd'] });
alias(['cltd'], { mnemonics: ['cdq'] });
alias(['cqto'], { mnemonics: ['cqo'] });
alias(['movabs'], { mnemonics: ['mov'], movabs: true });
for (const [suf, size] of Object.entries(suffixSizes)) alias([`movabs${suf}`], { mnemonics: ['mov'], movabs: true, size });
for (const [ext, mn] of [['z', 'movzx'], ['s', 'movsx']] as const) {
  alias([`mov${ext}bw`], { mnemonics: [mn], srcSize: 8, size: 16 });
  alias([`mov${ext}bl`], { mnemonics: [mn], srcSize: 8, size: 32 });
  alias([`mov${ext}bq`], { mnemonics: [mn], srcSize: 8, size: 64 });
  alias([`mov${ext}wl`], { mnemonics: [mn], srcSize: 16, size: 32 });
  alias([`mov${ext}wq`], { mnemonics: [mn], srcSize: 16, size: 64 });
}
alias(['movslq'], { mnemonics: ['movsxd'], srcSize: 32, size: 64 });
alias(['sal'], { mnemonics: ['shl'] });
for (const [suf, size] of Object.entries(suffixSizes)) alias([`sal${suf}`], { mnemonics: ['shl'], size });
alias(['xlat'], { mnemonics: ['xlatb'] });
alias(['loopz'], { mnemonics: ['loope'] });
alias(['loopnz'], { mnemonics: ['loopne'] });
alias(['ud2a'], { mnemonics: ['ud2'] });
alias(['movzb'], { mnemonics: ['movzx'], srcSize: 8 });
alias(['movzw'], { mnemonics: ['movzx'], srcSize: 16 });
alias(['sysretl'], { mnemonics: ['sysret'] });
alias(['sysexitl', 'sysexitd'], { mnemonics: ['sysexit'] });
alias(['sysretd'], { mnemonics: ['sysret'] });
for (const base of stringBases) {
  alias([`${base}l`], { mnemonics: [`${base}d`] });
  // Without a suffix the size comes from the operands (`stos %al, %es:(%rdi)`, `movs byte ptr ...`).
  alias([base], { mnemonics: ['b', 'w', 'd', 'q'].map((s) => `${base}${s}`) });
}

const jccSet = new Set(conditions.map((c) => `j${c}`));
const shortOnly = new Set(['loop', 'loope', 'loopne', 'jcxz', 'jecxz', 'jrcxz']);
const stackOps = new Set(['push', 'pop', 'call', 'jmp']);
const stringSet = new Set(
  stringBases.flatMap((b) => ['b', 'w', 'd', 'q'].map((s) => `${b}${s}`)).concat(['xlatb']),
);

function finish(written: string, a: Alias): MnemonicInfo {
  const first = a.mnemonics[0];
  const branch: BranchClass = a.far ? null : first === 'jmp' ? 'jmp' : first === 'call' ? 'call' : jccSet.has(first) ? 'jcc' : shortOnly.has(first) ? 'short' : null;
  return {
    written,
    mnemonics: a.mnemonics,
    size: a.size ?? null,
    srcSize: a.srcSize ?? null,
    far: a.far ?? false,
    movabs: a.movabs ?? false,
    branch,
    stack: stackOps.has(first),
    string: stringSet.has(first),
  };
}

export function resolveMnemonic(word: string, intel: boolean): MnemonicInfo | null {
  const w = word.toLowerCase();
  const a = aliases.get(w);
  if (a) return finish(word, a);
  const exact = isGpMnemonic(w);
  if (!intel && w.length > 1) {
    const suf = w[w.length - 1];
    const stripped = w.slice(0, -1);
    const size = suffixSizes[suf];
    if (size !== undefined && !exact) {
      const sa = aliases.get(stripped);
      if (sa && !sa.size && !sa.far) return finish(word, { ...sa, size });
      if (sa && sa.far && !sa.size) return finish(word, { ...sa, size });
      if (isGpMnemonic(stripped) && !stringSet.has(stripped)) return finish(word, { mnemonics: [stripped], size });
    }
  }
  if (exact) return finish(word, { mnemonics: [w] });
  return null;
}
