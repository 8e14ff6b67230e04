/**
 * Builds the block that starts at a hot instruction. A block first runs threaded (its handlers
 * called in turn with the interpreter's bookkeeping once per block); one that keeps running is
 * compiled. Both keep the same rules, so a machine behaves the same in every execution mode.
 */
import type { Cpu } from '../cpu/state.ts';
import type { Insn } from '../cpu/insn.ts';
import type { DecodeCache } from '../decode/cache.ts';
import { Block, type BlockRun, NO_BLOCK, collectBlock, endsBlock } from './block.ts';
import { canCompile, compileBlock } from './compile.ts';

/**
 * How the machine executes 64-bit code: `compiled` (hot blocks become JavaScript functions; where
 * a page forbids generating code, they stay threaded), `blocks` (threaded blocks only), or
 * `interpreter` (one instruction at a time, for comparison).
 */
export type Execution = 'compiled' | 'blocks' | 'interpreter';

export const EXECUTIONS: readonly Execution[] = ['compiled', 'blocks', 'interpreter'];

/** Arrivals at an instruction before a block is built there. */
export const HOT = 16;
/** Runs of a threaded block before it is compiled. */
export const COMPILE_AT = 200;

/** The block starting at `head` (at linear RIP `start`), or NO_BLOCK when none can start there. */
export function buildBlock(cpu: Cpu, cache: DecodeCache, head: Insn, start: number, execution: Execution): Block {
  if (head.bits !== 64 || execution === 'interpreter') return NO_BLOCK;
  const { insns, offsets } = collectBlock(head, start, (rip) => cache.fetch(cpu, rip));
  const block = new Block(start, insns, offsets, NO_BLOCK.run);
  // A lone transition is worth a block: the run loop chains into it and out of it.
  if (insns.length < (block.transition ? 1 : 2)) return NO_BLOCK;
  const terminated = endsBlock(insns[insns.length - 1]);
  block.run = threaded(block, cache, terminated, execution === 'compiled' && canCompile);
  return block;
}

function threaded(block: Block, cache: DecodeCache, terminated: boolean, compileLater: boolean): BlockRun {
  const insns = block.insns;
  const n = insns.length;
  const nexts = insns.map((insn, k) => block.offsets[k] + insn.length);
  // Where each instruction goes on in the block (a CALL's target, a foreseen RET's return).
  const after = insns.map((insn, k) => (k + 1 < n ? block.offsets[k + 1] : nexts[k]));
  let runs = 0;
  return (cpu, limit) => {
    if (compileLater && ++runs >= COMPILE_AT) {
      block.run = compileBlock(block, cache, terminated);
      block.compiled = true;
      return block.run(cpu, limit);
    }
    const base = cpu.rip;
    const g = cache.gen;
    let s = cpu.steps;
    for (;;) {
      for (let k = 0; k < n; k++) {
        cpu.steps = s + k;
        cpu.rip = base + nexts[k];
        const insn = insns[k];
        try {
          insn.exec(cpu, insn);
        } catch (e) {
          block.fault = k;
          throw e;
        }
        if ((cache.gen !== g || cpu.rip !== base + after[k]) && k < n - 1) {
          cpu.steps = s + k + 1;
          return k;
        }
      }
      s += n;
      cpu.steps = s;
      if (cpu.rip !== base || limit - s < n || cache.gen !== g || block.transition) return n - 1;
      if (compileLater && ++runs >= COMPILE_AT) {
        // A loop that stays in this block: the next entry runs it compiled.
        block.run = compileBlock(block, cache, terminated);
        block.compiled = true;
        return n - 1;
      }
    }
  };
}
