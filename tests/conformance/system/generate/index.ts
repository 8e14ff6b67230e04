/** Every generated system scenario, in a fixed order. */
import type { Scenario } from '../scenario-types.ts';
import { int64 } from './int64.ts';
import { ioPermission } from './io.ts';
import { iret64 } from './iret64.ts';
import { pf64 } from './pf64.ts';
import { segmentChecks } from './segcheck.ts';
import { callGates } from './callgate.ts';
import { smepSmap, umip } from './smep.ts';
import { sysenters } from './sysenter.ts';
import { taskSwitches } from './task32.ts';
import { prot32 } from './prot32.ts';
import { addressSpaces, doubleFaults, swapgs, syscalls, tableLoads } from './sys64.ts';

export function generateAll(): Scenario[] {
  const all = [...iret64(), ...int64(), ...pf64(), ...doubleFaults(), ...syscalls(), ...swapgs(), ...tableLoads(), ...addressSpaces(), ...prot32(), ...ioPermission(), ...segmentChecks(), ...sysenters(), ...smepSmap(), ...umip(), ...callGates(), ...taskSwitches()];
  const names = new Set<string>();
  for (const s of all) {
    if (names.has(s.name)) throw new Error(`duplicate scenario name ${s.name}`);
    names.add(s.name);
  }
  return all;
}
