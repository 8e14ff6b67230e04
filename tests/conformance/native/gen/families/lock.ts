/** The LOCK prefix, on RMW forms with a memory destination and where it is #UD. */
import { formsMatching } from '../iced.ts';
import { lazy, type Family } from '../family.ts';

const lockable = lazy(() =>
  formsMatching(/^(Add|Or|Adc|Sbb|And|Sub|Xor)_rm(8|16|32|64)_(r|imm)|^(Inc|Dec|Neg|Not)_rm|^(Xchg|Xadd|Cmpxchg|Bts|Btr|Btc)_rm|^Cmpxchg(8|16)b_/),
);
const notLockable = lazy(() => formsMatching(/^(Mov|Cmp|Test|Bt)_rm(8|16|32|64)_(r|imm)/));

export const lock: Family = {
  name: 'lock',
  count: 12000,
  forms: () => [...lockable(), ...notLockable()],
  mnemonics: () => [...new Set(lockable().map((f) => f.mnemonic.toLowerCase()))],
  period: () => Math.ceil((lockable().length * 8) / 7) + 16 * Math.max(notLockable().length, lockable().length),
  build(b, i) {
    // LOCK is legal only on these RMW forms with a memory destination; anything else is #UD
    // (SDM Vol. 2A LOCK). One case in eight is such an invalid use.
    const k = Math.floor(i / 8);
    if (i % 8 === 7) {
      const other = k % 2 === 0;
      const forms = other ? notLockable() : lockable();
      const f = forms[Math.floor(k / 2) % forms.length];
      const memBytes = f.name.startsWith('Cmpxchg16b') ? 16 : 8;
      const ops = f.operands[0].kind === 'mem' ? [b.mem(memBytes, { align: 16 })] : b.operands(f, { memChance: other ? 1 : 0, memBytes });
      b.emit(f, ops, { lock: true });
      return;
    }
    const f = lockable()[(k * 7 + (i % 8)) % lockable().length];
    const memBytes = f.name.startsWith('Cmpxchg16b') ? 16 : 8;
    if (memBytes === 16) {
      b.emit(f, [b.mem(16, { align: 16 })], { lock: true });
      return;
    }
    const ops = b.operands(f, { memChance: 1, memBytes });
    if (/^Bt[src]?_rm\d+_r/.test(f.name)) {
      // Keep a register bit offset inside the operand so the access stays in the data page.
      const width = f.operands[0].bits;
      b.setReg((ops[1] as { reg: string }).reg, BigInt(b.rng.int(width)));
    }
    b.emit(f, ops, { lock: true });
  },
};
