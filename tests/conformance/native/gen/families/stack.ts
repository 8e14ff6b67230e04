/** PUSH, POP, PUSHF, POPF, ENTER, LEAVE with RSP in the data page. */
import { DATA_ADDR } from '../../types.ts';
import { formsMatching } from '../iced.ts';
import { byForms, imm, lazy, reg, stackInData, type Family } from '../family.ts';

export const stack: Family = {
  name: 'stack',
  ...byForms,
  count: 14000,
  dataLength: 512,
  forms: lazy(() =>
    formsMatching(/^(Push|Pop)_(r16|r64|rm16|rm64)$|^Push_imm16$|^Pushq_imm32$|^Push[wq]_imm8$|^Push(fw|fq)$|^Pop(fw|fq)$|^Enter[wq]_|^Leave[wq]$/),
  ),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const rspOffset = stackInData(b, 264, 496);
    const size = /r16|rm16|imm16|^Pushw|fw$|^Enterw|^Leavew/.test(f.name) ? 2 : 8;
    if (/^Pop(fw|fq)$/.test(f.name)) {
      // User-mode POPF cannot change IF or IOPL (SDM Vol. 2B POPF); TF and NT are kept clear so the
      // host's own code after the case is not single-stepped or given a nested task.
      const image = b.rng.u64() & ~0x4100n;
      b.poke(rspOffset, size, image);
      if (f.name === 'Popfq' && b.rng.chance(0.15)) {
        // With AC set, an unaligned load at CPL 3 raises #AC: Linux runs user mode with CR0.AM=1
        // (SDM Vol. 3A §6.15, interrupt 17).
        b.poke(rspOffset, size, image | 0x40000n);
        b.emit(f);
        const odd = 1 + 2 * b.rng.int(100);
        b.emit('Mov_r32_rm32', [reg(b.pickReg(32)), b.mem(4, { offset: odd, keepData: true })]);
        return;
      }
    } else if (/^Enter/.test(f.name)) {
      b.regs[5] = DATA_ADDR + BigInt(256 + 8 * b.rng.int(31));
      const level = BigInt(b.rng.pick([0, 1, 2, 3, b.rng.int(32), b.rng.int(32), 32, 33, 255]));
      const frame = BigInt(b.rng.pick([0, 8, 16, 0x20, b.rng.int(0x100), b.rng.int(0x10000)]));
      b.emit(f, [imm(frame), imm(level)]);
      return;
    } else if (/^Leave/.test(f.name)) {
      b.regs[5] = DATA_ADDR + BigInt(b.rng.chance(0.85) ? 8 * b.rng.int(63) : b.rng.int(504));
    }
    if (/^(Push|Pop)_r(16|64)$/.test(f.name) && b.rng.chance(0.12)) {
      b.emit(f, [reg(size === 2 ? 'SP' : 'RSP')]);
      return;
    }
    if (/^(Push|Pop)_rm/.test(f.name) && b.rng.chance(0.2)) {
      // With RSP as the base, POP computes the address after incrementing RSP (SDM Vol. 2B POP).
      const after = f.name.startsWith('Pop') ? size : 0;
      const target = b.rng.range(0, 504 - size);
      const disp = BigInt(target - rspOffset - after);
      if (disp >= -128n && disp <= 127n) {
        b.emit(f, [{ kind: 'mem', base: 'RSP', index: null, scale: 1, disp, displSize: 1 }]);
        return;
      }
    }
    b.emit(f, b.operands(f));
  },
};
