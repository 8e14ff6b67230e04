/**
 * Exception and interrupt delivery. `deliverException` is the single entry point the run loop
 * calls for every architectural fault or trap; it returns true when the event was delivered
 * (execution continues at the handler) and false when the run must stop and report it.
 */
import type { CpuFault } from './faults.ts';
import type { Cpu } from './state.ts';

export interface DeliveryPolicy {
  /** When false, faults stop the run instead of going through the IDT. */
  deliverThroughIdt: boolean;
}

/** Outcome of a delivery attempt: delivered, not delivered (stop with the fault), or a shutdown. */
export type Delivery = 'delivered' | 'stop' | 'triple-fault';

export function deliverException(_cpu: Cpu, _fault: CpuFault, policy: DeliveryPolicy): Delivery {
  if (!policy.deliverThroughIdt) return 'stop';
  return 'stop';
}
