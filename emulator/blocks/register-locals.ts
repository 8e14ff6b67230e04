/**
 * General registers held in a compiled block's locals (lN, hN for register N's halves) instead
 * of cpu.lo and cpu.hi: the block's code is written against the arrays, then rewritten. The
 * locals go back to the arrays before anything outside the block can look at them (SYNC), and
 * come back from them after anything that may have changed them (RELOAD).
 */

/** Where the locals are written back: before a call out, at every exit, in the catch. */
export const SYNC = '/*sync*/';
/** Where they are read again: after a call that may have changed registers. */
export const RELOAD = '/*reload*/';

/**
 * A call that may read and change registers (a handler, cpu.push or cpu.pop): the arrays hold the
 * registers while it runs (o = 0 tells the catch the locals are stale), and the locals follow after.
 */
export const callOut = (settle: string, call: string): string => `${settle} ${SYNC} o = 0; ${call} ${RELOAD} o = 1;`;

/** A call that reads registers but changes none (an effective address). */
export const readOut = (call: string): string => `${SYNC} ${call}`;

const REGISTER = /\b(lo|hi)\[(\d+)\]/g;
/** A local as the target of an assignment (=, op=), not a comparison. */
const ASSIGNED = /\b[lh](\d+) *[-+|&^]?=(?!=)/g;

/**
 * Rewrites `body` to use locals for the registers it names; returns the rewritten lines and the
 * declarations that load the locals. With `keep` false the arrays are used directly.
 */
export function localizeRegisters(body: string[], keep: boolean): { lines: string[]; declare: string } {
  const used = new Set<number>();
  if (keep) for (const line of body) for (const [, , n] of line.matchAll(REGISTER)) used.add(Number(n));
  const regs = [...used].sort((x, y) => x - y);
  const localized = keep ? body.map((line) => line.replace(REGISTER, (_, half: string, n: string) => `${half === 'lo' ? 'l' : 'h'}${n}`)) : body;
  // Only registers the block's own code assigns can differ from the arrays.
  const written = new Set<number>();
  for (const line of localized) for (const [, n] of line.matchAll(ASSIGNED)) written.add(Number(n));
  const sync = regs.filter((r) => written.has(r)).map((r) => `lo[${r}] = l${r}; hi[${r}] = h${r};`).join(' ');
  const reload = regs.map((r) => `l${r} = lo[${r}]; h${r} = hi[${r}];`).join(' ');
  const lines = localized.map((line) => line.replaceAll(SYNC, sync).replaceAll(RELOAD, reload));
  const declare = regs.length === 0 ? '' : `let ${regs.map((r) => `l${r} = lo[${r}], h${r} = hi[${r}]`).join(', ')};`;
  return { lines, declare };
}
