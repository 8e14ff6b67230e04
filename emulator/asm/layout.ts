/**
 * Lays sections out the way GNU as relaxes them (binutils write.c relax_segment / relax_frag):
 * branches start short and only ever grow to their near form, so the loop ends; alignment and
 * `.org` padding follow the offsets of each pass. A forward target not yet reached in a pass is
 * assumed to have moved by the growth so far ("stretch"), except across an alignment, where a
 * positive stretch may be absorbed: there a target that would look backwards leaves the branch
 * as it is for this pass.
 */
import type { Deferred, Item, Section, Sym } from './model.ts';

const MAX_PASSES = 200;

export interface RelaxHooks {
  /** A branch or `.org` target as an offset in the section, or null when elsewhere or unknown. */
  targetOf(d: Deferred, s: Section): number | null;
  /** The label a branch target names (`label` or `label + n`), if any. */
  targetLabel(d: Deferred): Sym | null;
  /** Told once about padding that would grow a section past `maxBytes` (that padding is dropped). */
  tooLarge(it: Item, s: Section): void;
}

export function relaxSections(sections: Section[], maxBytes: number, hooks: RelaxHooks): void {
  const reported = new Set<Item>();
  for (const s of sections) {
    const labelIndex = new Map<Sym, number>();
    s.items.forEach((it, i) => {
      if (it.k === 'label') labelIndex.set(it.sym, i);
    });
    // Region of each item: the number of alignment items before it.
    const region = new Int32Array(s.items.length);
    let r = 0;
    s.items.forEach((it, i) => {
      region[i] = r;
      if (it.k === 'align') r++;
    });
    const targetIndex = s.items.map((it) => (it.k === 'branch' ? labelIndex.get(hooks.targetLabel(it.target) as Sym) ?? -1 : -1));
    for (let pass = 1; ; pass++) {
      let changed = false;
      let off = 0;
      for (let i = 0; i < s.items.length; i++) {
        const it = s.items[i];
        const stretch = off - it.offset;
        it.offset = off;
        switch (it.k) {
          case 'label':
            it.sym.value = BigInt(off);
            break;
          case 'branch':
            if (!it.near) {
              let target = hooks.targetOf(it.target, s);
              let hold = false;
              const t = targetIndex[i];
              if (target !== null && t > i && stretch !== 0) {
                if (stretch < 0 || region[t] === region[i]) target += stretch;
                else if (target < off) hold = true;
              }
              const disp = target === null ? null : target - (off + it.shortLen);
              if (!hold && (disp === null || disp < -128 || disp > 127 || !it.shortForm) && it.nearForm) {
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
            const t = it.target.known ? Number(it.target.value) : hooks.targetOf(it.target, s);
            it.size = t === null ? 0 : Math.max(0, t - off);
            break;
          }
          default:
            break;
        }
        if ((it.k === 'align' || it.k === 'org') && off + it.size > maxBytes) {
          if (!reported.has(it)) hooks.tooLarge(it, s);
          reported.add(it);
          it.size = 0;
        }
        off += it.size;
      }
      const moved = off !== s.size;
      s.size = off;
      // Until a pass changes nothing: no branch grew and no offset moved.
      if ((!changed && !moved && pass >= 2) || pass > MAX_PASSES) break;
    }
  }
}
