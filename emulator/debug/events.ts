/** The event log: what the CPU did at the system level, each event tagged with its position so the UI can jump there. */

export type StackSource = 'current' | 'rsp0' | 'rsp1' | 'rsp2' | `ist${1 | 2 | 3 | 4 | 5 | 6 | 7}` | 'unknown';

export interface ExceptionEvent {
  kind: 'exception';
  position: number;
  rip: bigint;
  vector: number;
  name: string;
  errorCode?: number;
  message: string;
  /** What raised it: `exception` (a fault), `software` (INT n, INT3, INTO), `interrupt` (external), `nmi`, `debug-trap`. */
  origin: string;
  /** delivered: execution went on at the handler; stop: the run stopped with it; triple-fault; error (an emulator bug). */
  outcome: 'delivered' | 'stop' | 'triple-fault' | 'error';
  cplBefore: number;
  cplAfter?: number;
  /** The stack pointer after delivery, and where it came from. */
  stackPointer?: bigint;
  stack?: StackSource;
  /** The frame the CPU pushed, from the stack pointer up (error code first when there is one). */
  frame?: bigint[];
  /** Faults raised while delivering this one (and the #DF replacing them), in order; the last is what was delivered. */
  nested?: ChainEntry[];
}

export interface ChainEntry {
  vector: number;
  name: string;
  errorCode?: number;
  /** The instruction the cascade started from. */
  rip: bigint;
  message: string;
}

export interface TripleFaultEvent {
  kind: 'triple-fault';
  position: number;
  rip: bigint;
  /** Each fault of the cascade, in order, with its explanation. */
  chain: ChainEntry[];
}

export interface PrivilegeEvent {
  kind: 'privilege';
  position: number;
  rip: bigint;
  from: number;
  to: number;
  /** The instruction (IRETQ, SYSRET, ...) or 'exception'. */
  cause: string;
}

export interface ReturnEvent {
  kind: 'return';
  position: number;
  rip: bigint;
  /** IRETQ, IRETD, SYSRET, SYSEXIT, ... */
  mnemonic: string;
  fromCpl: number;
  toCpl: number;
  target: bigint;
}

export interface RegisterLoadEvent {
  kind: 'cr3-load' | 'gdtr-load' | 'idtr-load' | 'ldtr-load' | 'tr-load';
  position: number;
  rip: bigint;
  mnemonic: string;
  before: { base: bigint; limit: number; selector?: number };
  after: { base: bigint; limit: number; selector?: number };
}

export interface SwapgsEvent {
  kind: 'swapgs';
  position: number;
  rip: bigint;
  gsBase: bigint;
}

export interface TableWriteEvent {
  kind: 'table-write';
  position: number;
  rip: bigint;
  table: 'gdt' | 'idt' | 'tss';
  /** Physical address and size of the write. */
  address: number;
  size: number;
  /** The offset inside the table. */
  offset: number;
  mnemonic: string;
}

export type DebugEvent = ExceptionEvent | TripleFaultEvent | PrivilegeEvent | ReturnEvent | RegisterLoadEvent | SwapgsEvent | TableWriteEvent;
