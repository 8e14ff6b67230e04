/** Segment registers in encoding order (the ModRM reg field of MOV Sreg). */
export const SEG_ES = 0;
export const SEG_CS = 1;
export const SEG_SS = 2;
export const SEG_DS = 3;
export const SEG_FS = 4;
export const SEG_GS = 5;
export const SEGMENT_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
/** The order people list them in: code and stack first, then the data segments. */
export const SEGMENT_DISPLAY_ORDER = ['cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const;

/** Access-rights bits of a segment's hidden part (the layout of descriptor bytes 5..6, as VMX keeps them). */
export const SEG_TYPE = 0xf;
export const SEG_S = 1 << 4;
export const SEG_DPL_SHIFT = 5;
export const SEG_P = 1 << 7;
export const SEG_AVL = 1 << 12;
export const SEG_L = 1 << 13;
export const SEG_DB = 1 << 14;
export const SEG_G = 1 << 15;
/** Type bits of code and data segments (S = 1; SDM Vol. 3A, Table 3-1). Bit 2 is expand-down for data, conforming for code. */
export const SEG_ACCESSED = 1 << 0;
/** Writable for data, readable for code. */
export const SEG_RW = 1 << 1;
export const SEG_EXPAND_DOWN = 1 << 2;
export const SEG_CONFORMING = 1 << 2;
export const SEG_CODE = 1 << 3;
/** System descriptor types (S = 0; SDM Vol. 3A, Table 3-2); in IA-32e mode 9 to 15 are the 64-bit forms. */
export const SYS_TSS16_AVAILABLE = 1;
export const SYS_LDT = 2;
export const SYS_CALL_GATE16 = 4;
export const SYS_TASK_GATE = 5;
export const SYS_INT_GATE16 = 6;
export const SYS_TRAP_GATE16 = 7;
export const SYS_TSS_AVAILABLE = 9;
export const SYS_TSS_BUSY = 11;
export const SYS_CALL_GATE = 12;
export const SYS_INT_GATE = 14;
export const SYS_TRAP_GATE = 15;
/** Not a descriptor bit: the register holds a null selector and may not be used. */
export const SEG_UNUSABLE = 1 << 16;

/** A segment descriptor as read from the GDT or LDT. */
export interface Descriptor {
  base: number;
  limit: number;
  attrs: number;
  /** Linear address of the descriptor (to set the accessed/busy bit). */
  at: number;
}

/** An IDT entry as read, before any check. */
export interface Gate {
  selector: number;
  offset: number;
  /** The type field (0..15). */
  type: number;
  /** The type field with the S bit above it, as the descriptor holds them. */
  rawType: number;
  dpl: number;
  ist: number;
  present: boolean;
  /** Read as a 16-byte IA-32e gate. */
  long: boolean;
}
