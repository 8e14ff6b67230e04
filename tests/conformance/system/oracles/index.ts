/** Every system oracle, by name. */
import type { Oracle } from '../scenario-types.ts';
import { KvmOracle } from './kvm.ts';
import { QemuOracle } from './qemu.ts';

/** Bochs is not wired yet: see docs/oracles.md. */
export const ORACLE_NAMES = ['kvm', 'qemu'] as const;
export type OracleName = (typeof ORACLE_NAMES)[number];

export function createOracle(name: OracleName): Oracle {
  switch (name) {
    case 'kvm': return new KvmOracle();
    case 'qemu': return new QemuOracle();
  }
}
