/**
 * Lays sections out. Branches start short and only ever grow to their near form, so the loop
 * ends; alignment and `.org` padding follow the offsets of each pass.
 */
import type { Deferred, Item, Section } from './model.ts';

const MAX_PASSES = 200;

/**
 * `targetOf` gives a branch or `.org` target as an offset in the section, or null when it lies
 * elsewhere or is unknown (then the branch is near). `tooLarge` is told once about padding that
 * would grow a section past `maxBytes` (that padding is dropped).
 */
export function relaxSections(sections: Section[], targetOf: (d: Deferred, s: Section) => number | null, maxBytes: number, tooLarge: (it: Item, s: Section) => void): void {
  const reported = new Set<Item>();
  for (const s of sections) {
    for (let pass = 1; ; pass++) {
      let changed = false;
      let off = 0;
      for (const it of s.items) {
        it.offset = off;
        switch (it.k) {
          case 'label':
            it.sym.value = BigInt(off);
            break;
          case 'branch':
            if (!it.near) {
              const target = targetOf(it.target, s);
              const disp = target === null ? null : target - (off + it.shortLen);
              if ((disp === null || disp < -128 || disp > 127 || !it.shortForm) && it.nearForm) {
                it.near = true;
                changed = true;
              }
            }
            it.size = it.near ? it.nearLen : it.shortLen;
            break;
          case 'align': {
            const pad = (it.boundary - (off % it.boundary)) % it.boundary;
            it.size = pad <= it.max ? pad : 0;
            break;
          }
          case 'org': {
            const t = it.target.known ? Number(it.target.value) : targetOf(it.target, s);
            it.size = t === null ? 0 : Math.max(0, t - off);
            break;
          }
          default:
            break;
        }
        if ((it.k === 'align' || it.k === 'org') && off + it.size > maxBytes) {
          if (!reported.has(it)) tooLarge(it, s);
          reported.add(it);
          it.size = 0;
        }
        off += it.size;
      }
      s.size = off;
      // Two passes at least: the first one starts from the provisional label offsets.
      if ((!changed && pass >= 2) || pass > MAX_PASSES) break;
    }
  }
}
