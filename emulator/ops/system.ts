/** System instructions (control registers, descriptor tables, MSRs). Filled in with the system-architecture work. */
import type { Factory } from './operands.ts';

export const systemOps: Record<string, Factory> = {};
