import { Register } from 'iced-x86';

export type RegClass = 'gpr' | 'seg' | 'cr' | 'dr' | 'tr' | 'ip';

export interface RegInfo {
  name: string;
  /** iced-x86 Register value. */
  id: number;
  cls: RegClass;
  /** Width in bits (segment registers count as 16). */
  size: number;
  /** Hardware register number 0..15. */
  num: number;
  /** Exists only in 64-bit code (r8..r15 family, spl/bpl/sil/dil). */
  only64: boolean;
  /** ah, ch, dh, bh: cannot be encoded together with a REX prefix. */
  high8: boolean;
}

const registers = new Map<string, RegInfo>();

function add(name: string, iced: string, cls: RegClass, size: number, num: number, only64 = false, high8 = false): void {
  const id = (Register as unknown as Record<string, number>)[iced];
  if (id === undefined) throw new Error(`iced-x86 has no register ${iced}`);
  registers.set(name, { name, id, cls, size, num, only64, high8 });
}

const legacy8 = ['al', 'cl', 'dl', 'bl'];
const high8 = ['ah', 'ch', 'dh', 'bh'];
const rex8 = ['spl', 'bpl', 'sil', 'dil'];
const names16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
legacy8.forEach((n, i) => add(n, n.toUpperCase(), 'gpr', 8, i));
high8.forEach((n, i) => add(n, n.toUpperCase(), 'gpr', 8, i + 4, false, true));
rex8.forEach((n, i) => add(n, n.toUpperCase(), 'gpr', 8, i + 4, true));
names16.forEach((n, i) => {
  add(n, n.toUpperCase(), 'gpr', 16, i);
  add(`e${n}`, `E${n.toUpperCase()}`, 'gpr', 32, i);
  add(`r${n}`, `R${n.toUpperCase()}`, 'gpr', 64, i, true);
});
for (let i = 8; i < 16; i++) {
  add(`r${i}b`, `R${i}L`, 'gpr', 8, i, true);
  add(`r${i}l`, `R${i}L`, 'gpr', 8, i, true);
  add(`r${i}w`, `R${i}W`, 'gpr', 16, i, true);
  add(`r${i}d`, `R${i}D`, 'gpr', 32, i, true);
  add(`r${i}`, `R${i}`, 'gpr', 64, i, true);
}
['es', 'cs', 'ss', 'ds', 'fs', 'gs'].forEach((n, i) => add(n, n.toUpperCase(), 'seg', 16, i));
for (let i = 0; i < 16; i++) {
  add(`cr${i}`, `CR${i}`, 'cr', 64, i, i >= 8 && i !== 8);
  add(`db${i}`, `DR${i}`, 'dr', 64, i, i >= 8);
  add(`dr${i}`, `DR${i}`, 'dr', 64, i, i >= 8);
}
for (let i = 0; i < 8; i++) add(`tr${i}`, `TR${i}`, 'tr', 32, i);
add('rip', 'RIP', 'ip', 64, 0, true);
add('eip', 'EIP', 'ip', 32, 0, true);

export function lookupRegister(name: string): RegInfo | undefined {
  return registers.get(name.toLowerCase());
}

export function registerNames(): string[] {
  return [...registers.keys()];
}

export const noRegister = Register.None as number;
