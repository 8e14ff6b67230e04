/** Pure helpers that turn the debugger's raw state into what the panels show. */
import { GPR_DISPLAY_ORDER } from '../../../../emulator/arch/registers.ts';
import { FLAG_NAMES } from '../../../../emulator/arch/rflags.ts';
import { SEGMENT_DISPLAY_ORDER } from '../../../../emulator/arch/segments.ts';

export const GENERAL_REGISTERS = [...GPR_DISPLAY_ORDER, 'rip', 'rflags'] as const;
export const SEGMENT_REGISTERS = SEGMENT_DISPLAY_ORDER;
export const CONTROL_REGISTERS = ['cr0', 'cr2', 'cr3', 'cr4', 'efer', 'fsbase', 'gsbase'] as const;

/** RFLAGS as the names of its set flags, with IOPL when it is not 0. */
export function describeFlags(value: bigint): string {
  const set = FLAG_NAMES.filter(([bit]) => (value >> BigInt(bit)) & 1n).map(([, name]) => name);
  const iopl = Number((value >> 12n) & 3n);
  if (iopl) set.push(`IOPL=${iopl}`);
  return set.join(' ') || '(none)';
}

/** A selector as index, table and RPL (Intel SDM Vol. 3A, 3.4.2). */
export function describeSelector(value: bigint): string {
  const v = Number(value & 0xffffn);
  return `index ${v >> 3}, ${v & 4 ? 'LDT' : 'GDT'}, RPL ${v & 3}`;
}

export function hex64(value: bigint): string {
  return `0x${BigInt.asUintN(64, value).toString(16)}`;
}

export function signedDecimal(value: bigint): string {
  const unsigned = BigInt.asUintN(64, value);
  const signed = BigInt.asIntN(64, value);
  return signed < 0n ? `${unsigned} (${signed})` : `${unsigned}`;
}

export function readQwords(bytes: Uint8Array, count: number): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: bigint[] = [];
  for (let i = 0; i < count && (i + 1) * 8 <= bytes.byteLength; i++) out.push(view.getBigUint64(i * 8, true));
  return out;
}

export function readField(bytes: Uint8Array, offset: number, size: number): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}

export interface StackSlot {
  address: bigint;
  value: bigint;
  note: string;
}

/**
 * The stack from RSP upward, each slot annotated: RSP itself, return addresses (values inside the
 * code), and the frame the CPU pushed for the last exception delivered, by name (with its error
 * code and vector), as IRETQ will pop it.
 */
export function annotateStack(rsp: bigint, values: bigint[], code: { start: number; end: number }, frame?: { at: bigint; names: string[] }): StackSlot[] {
  return values.map((value, i) => {
    const address = rsp + BigInt(i * 8);
    const notes: string[] = [];
    if (i === 0) notes.push('← rsp');
    if (frame && address >= frame.at && address < frame.at + BigInt(frame.names.length * 8)) notes.push(frame.names[Number((address - frame.at) / 8n)]);
    else if (value >= BigInt(code.start) && value < BigInt(code.end)) notes.push('return address?');
    return { address, value, note: notes.join(' · ') };
  });
}

/** Which stack the CPU is on: the user's at CPL 3, otherwise the kernel's (or the IST/RSPn the last exception switched to). */
export function stackName(cpl: number, lastSwitch?: string): string {
  if (cpl === 3) return 'user stack';
  if (lastSwitch?.startsWith('ist')) return `kernel stack (IST ${lastSwitch.slice(3)})`;
  if (lastSwitch?.startsWith('rsp')) return `kernel stack (TSS ${lastSwitch.toUpperCase()})`;
  return 'kernel stack';
}

export function modeName(cr0: bigint, efer: bigint, codeBits: number): string {
  if ((cr0 & 1n) === 0n) return 'real mode';
  if (efer & 0x400n) return codeBits === 64 ? '64-bit mode' : 'compatibility mode';
  return (cr0 >> 31n) & 1n ? 'protected mode, paging' : 'protected mode';
}

export interface DescriptorRow {
  index: number;
  selector: string;
  text: string;
}

const SYSTEM_TYPES: Record<number, string> = { 2: 'LDT', 9: 'TSS (available)', 11: 'TSS (busy)', 12: 'call gate', 14: 'interrupt gate', 15: 'trap gate' };

/**
 * GDT entries decoded (Intel SDM Vol. 3A, 3.4.5): code and data segments with base, limit, DPL and
 * their L/D bits; system descriptors by type. A 64-bit TSS or LDT descriptor takes two slots.
 */
export function decodeGdt(bytes: Uint8Array, longMode: boolean): DescriptorRow[] {
  const rows: DescriptorRow[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; (i + 1) * 8 <= bytes.byteLength; i++) {
    const low = view.getUint32(i * 8, true);
    const high = view.getUint32(i * 8 + 4, true);
    const selector = `0x${(i * 8).toString(16)}`;
    if (low === 0 && high === 0) {
      rows.push({ index: i, selector, text: 'null' });
      continue;
    }
    const base = ((high & 0xff000000) | ((high & 0xff) << 16) | (low >>> 16)) >>> 0;
    const limitRaw = ((high & 0xf0000) | (low & 0xffff)) >>> 0;
    const granular = (high >> 23) & 1;
    const limit = granular ? limitRaw * 4096 + 4095 : limitRaw;
    const type = (high >> 8) & 0xf;
    const system = ((high >> 12) & 1) === 0;
    const dpl = (high >> 13) & 3;
    const present = (high >> 15) & 1 ? '' : ', not present';
    if (system) {
      const wide = longMode && (type === 2 || type === 9 || type === 11);
      const upper = wide && (i + 2) * 8 <= bytes.byteLength ? view.getUint32(i * 8 + 8, true) : 0;
      const fullBase = (BigInt(upper) << 32n) | BigInt(base);
      rows.push({ index: i, selector, text: `${SYSTEM_TYPES[type] ?? `system type ${type}`}, base ${hex64(fullBase)}, limit 0x${limit.toString(16)}, DPL ${dpl}${present}` });
      if (wide) i++;
      continue;
    }
    const code = (type & 8) !== 0;
    const bits = code && (high >> 21) & 1 ? '64-bit' : (high >> 22) & 1 ? '32-bit' : '16-bit';
    const access = code ? `code${type & 4 ? ' conforming' : ''}${type & 2 ? ', readable' : ''}` : `data${type & 2 ? ', writable' : ', read-only'}${type & 4 ? ', expand-down' : ''}`;
    rows.push({ index: i, selector, text: `${bits} ${access}, base 0x${base.toString(16)}, limit 0x${limit.toString(16)}, DPL ${dpl}${present}` });
  }
  return rows;
}

/** IDT gates (Intel SDM Vol. 3A, 6.14.1 for 16-byte long-mode gates, 6.11 for 8-byte ones); absent gates are left out. */
export function decodeIdt(bytes: Uint8Array, longMode: boolean): DescriptorRow[] {
  const size = longMode ? 16 : 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows: DescriptorRow[] = [];
  for (let v = 0; (v + 1) * size <= bytes.byteLength; v++) {
    const low = view.getUint32(v * size, true);
    const high = view.getUint32(v * size + 4, true);
    if (((high >> 15) & 1) === 0) continue;
    const offsetLow = (high & 0xffff0000) | (low & 0xffff);
    const offset = longMode ? (BigInt(view.getUint32(v * size + 8, true)) << 32n) | BigInt(offsetLow >>> 0) : BigInt(offsetLow >>> 0);
    const type = (high >> 8) & 0xf;
    const dpl = (high >> 13) & 3;
    const ist = longMode ? high & 7 : 0;
    rows.push({ index: v, selector: `vector ${v}`, text: `${SYSTEM_TYPES[type] ?? `type ${type}`} → 0x${(low >>> 16).toString(16)}:${hex64(offset)}, DPL ${dpl}${ist ? `, IST ${ist}` : ''}` });
  }
  return rows;
}

/** The stack pointers of a 64-bit TSS (Intel SDM Vol. 3A, 8.7): RSP0-2 and IST1-7, the ones that are set. */
export function decodeTss64(bytes: Uint8Array): DescriptorRow[] {
  if (bytes.byteLength < 0x64) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names = [...[0, 1, 2].map((n) => [`RSP${n}`, 4 + n * 8] as const), ...[1, 2, 3, 4, 5, 6, 7].map((n) => [`IST${n}`, 0x24 + (n - 1) * 8] as const)];
  return names
    .map(([name, at], index) => ({ index, selector: name, value: view.getBigUint64(at, true) }))
    .filter((row) => row.value !== 0n)
    .map(({ index, selector, value }) => ({ index, selector, text: hex64(value) }));
}
