/** Every system oracle, by name. */
import type { Oracle } from '../scenario-types.ts';
import { BochsOracle } from './bochs.ts';
import { KvmOracle } from './kvm.ts';
import { QemuOracle } from './qemu.ts';

export const ORACLE_NAMES = ['kvm', 'qemu', 'bochs'] as const;
export type OracleName = (typeof ORACLE_NAMES)[number];

export function createOracle(name: OracleName): Oracle {
  switch (name) {
    case 'kvm': return new KvmOracle();
    case 'qemu': return new QemuOracle();
    case 'bochs': return new BochsOracle();
  }
}
