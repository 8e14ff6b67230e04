/** Pure helpers that turn the debugger's raw state into what the panels show. */

export const GENERAL_REGISTERS = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags'] as const;
export const SEGMENT_REGISTERS = ['cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const;
export const CONTROL_REGISTERS = ['cr0', 'cr2', 'cr3', 'cr4', 'efer', 'fsbase', 'gsbase'] as const;

const FLAG_BITS: [number, string][] = [[0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF'], [14, 'NT'], [16, 'RF'], [17, 'VM'], [18, 'AC'], [21, 'ID']];

/** RFLAGS as the names of its set flags, with IOPL when it is not 0. */
export function describeFlags(value: bigint): string {
  const set = FLAG_BITS.filter(([bit]) => (value >> BigInt(bit)) & 1n).map(([, name]) => name);
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
