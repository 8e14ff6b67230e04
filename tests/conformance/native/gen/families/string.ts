/** MOVS, STOS, LODS, CMPS, SCAS in every width, with and without REP prefixes. */
import { DATA_ADDR } from '../../types.ts';
import { encodeString, type RepKind, type StringOp } from '../iced.ts';
import { edgeWeighted, mask } from '../random.ts';
import { accumulator, type Family } from '../family.ts';

export const stringOps: StringOp[] = ['movs', 'stos', 'lods', 'cmps', 'scas'];
export const stringSizes = [1, 2, 4, 8] as const;

export const string: Family = {
  name: 'string',
  count: 16000,
  dataLength: 256,
  forms: () => [],
  mnemonics: () => stringOps.flatMap((op) => ['b', 'w', 'd', 'q'].map((s) => op + s)),
  period: () => 60,
  build(b, i) {
    const op = stringOps[i % 5];
    const size = stringSizes[Math.floor(i / 5) % 4];
    const reps: RepKind[] = op === 'cmps' || op === 'scas' ? ['none', 'repe', 'repne'] : ['none', 'rep'];
    const rep = reps[Math.floor(i / 20) % reps.length];
    const a32 = b.rng.chance(0.25);
    const down = b.rng.chance(0.5);
    b.rflags = (b.rflags & ~0x400) | (down ? 0x400 : 0);
    b.reserve(0, 1, 6, 7);
    const count = rep === 'none' ? 1 : b.rng.pick([0, 1, 2, 3, b.rng.range(0, 8), b.rng.range(4, 8)]);
    const upper = (a32 ? b.rng.u64() : 0n) & ~mask(32);
    b.regs[1] = rep === 'none' ? edgeWeighted(b.rng, 64) : upper | BigInt(count);
    const place = (regionStart: number) => {
      const span = Math.max(count, 1) * size;
      const first = down ? regionStart + span - size : regionStart;
      const last = down ? regionStart + 128 - size : regionStart + 128 - span;
      const aligned = b.rng.chance(0.7);
      let off = b.rng.range(first, last);
      if (aligned) off = Math.max(first, off - (off % size));
      return off;
    };
    const src = place(0);
    // CMPS over two copies of the same bytes (with a few bits flipped) keeps REPE going for a while.
    const twin = op === 'cmps' && b.rng.chance(0.6);
    const dst = twin ? src + 128 : place(128);
    b.regs[6] = upper | (DATA_ADDR + BigInt(src));
    b.regs[7] = ((a32 ? b.rng.u64() : 0n) & ~mask(32)) | (DATA_ADDR + BigInt(dst));
    const flipSome = () => {
      for (let k = b.rng.int(3); k > 0; k--) b.data[b.rng.int(256)] ^= 1 << b.rng.int(8);
    };
    if (twin) {
      b.data.copyWithin(128, 0, 128);
      flipSome();
    }
    const value = edgeWeighted(b.rng, size * 8);
    b.setReg(accumulator(size * 8), value);
    if (op === 'scas') {
      const roll = b.rng.int(10);
      if (roll < 5) {
        // A run of the accumulator's value, so REPE continues and REPNE stops at once, until a flipped bit.
        for (let k = 0; k < Math.max(count, 1); k++) b.poke(dst + k * size * (down ? -1 : 1), size, value);
        flipSome();
      } else if (roll < 8) {
        const at = dst + b.rng.int(Math.max(count, 1)) * size * (down ? -1 : 1);
        b.setReg(accumulator(size * 8), b.peek(at, size));
      }
    }
    b.emitEncoded(encodeString(op, size, a32 ? 32 : 64, rep, b.rip));
  },
};
