/** How a run ended, in words, and where in the learner's file it happened. */
import type { PreparedExercise } from './exercise.ts';
import { hex } from './prng.ts';
import type { FaultInfo, RunOutcome } from './ports.ts';
import type { LoadedCode } from './run-case.ts';

/** Names where an address is: a line of the learner's file, the harness, or just the address. */
export function locator(px: PreparedExercise, code: LoadedCode): (addr: number) => string {
  return (addr) => {
    const text = code.asm.sections.find((s) => s.name === '.text');
    if (text && addr >= text.base && addr < text.base + text.bytes.length) {
      const entry = code.asm.listing.find((l) => l.section === '.text' && addr >= text.base + l.offset && addr < text.base + l.offset + l.bytes.length);
      return entry ? `line ${entry.line} of your file` : `${hex(addr)} in your code`;
    }
    if (px.harness.sections.some((s) => addr >= s.base && addr < s.base + s.bytes.length)) return `${hex(addr)} in the harness`;
    return hex(addr);
  };
}

export function describeStop(outcome: RunOutcome, where?: (addr: number) => string): string {
  switch (outcome.reason) {
    case 'hlt': return `hlt after ${outcome.instructions} instructions`;
    case 'limit': return `the instruction budget running out after ${outcome.instructions} instructions`;
    case 'fault': {
      const f = outcome.fault;
      if (!f) return `a fault: ${outcome.message ?? ''}`;
      const text = faultText(f);
      return where && f.rip !== undefined ? `${text}, at ${where(f.rip)}` : text;
    }
    case 'triple-fault': {
      const chain = outcome.chain;
      if (!chain) return `a triple fault${outcome.message ? `: ${outcome.message}` : ''}`;
      const first = faultText(chain.first);
      const at = where && chain.first.rip !== undefined ? `, at ${where(chain.first.rip)}` : '';
      const then = chain.nested.map((f) => faultText(f)).join(', then ');
      return `a triple fault: it began with ${first}${at}${then ? `; delivering it raised ${then}` : ''}`;
    }
    default: return `${outcome.reason}${outcome.message ? `: ${outcome.message}` : ''}`;
  }
}

const faultText = (f: FaultInfo) => (f.message.startsWith(f.name) ? f.message : `${f.name}: ${f.message}`);
