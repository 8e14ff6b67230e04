/** What INT n and IRETQ's fast path remember of their checks (ops/fast-transitions.ts). */
import type { Descriptor } from '../arch/segments.ts';

/** One vector's checked delivery: valid for this table generation, IDT entry address, GDT and CPL. */
export class CheckedGate {
  generation = -1;
  at = NaN;
  gdtrBase = NaN;
  gdtrLimit = -1;
  cpl = -1;
  /** The handler's RIP, its CS selector (RPL = CPL), and the RFLAGS bits its gate kind leaves as they were. */
  offset = 0;
  selector = 0;
  keeps = 0;
  code: Descriptor | null = null;
}

/** The last IRETQ's checked return CS and SS (null SS: a null selector). */
export class CheckedReturn {
  generation = -1;
  gdtrBase = NaN;
  gdtrLimit = -1;
  cpl = -1;
  cs = -1;
  ss = -1;
  code: Descriptor | null = null;
  stack: Descriptor | null = null;
}

/** What a CPU's transitions remember (not machine state: every entry is void once the table generation moves). */
export class TransitionMemo {
  readonly gates: CheckedGate[] = Array.from({ length: 256 }, () => new CheckedGate());
  readonly ret = new CheckedReturn();
  /** Whether INT n may take the fast path at all this run: the machine delivers through the IDT and nothing observes the event. */
  softwareInterrupts = false;
}
