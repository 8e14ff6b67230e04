/** Stage 5 of grading: each check kind evaluated on the code (static checks) or on one case's final state. */
import type { PreparedCheck, PreparedExercise } from './exercise.ts';
import { explainExpect, matchingInputs, regName, setByCase, shown } from './explain.ts';
import { UnknownNameError, type Scope } from './expr.ts';
import type { Failure } from './failure.ts';
import { hex } from './prng.ts';
import type { EnginePorts, RunOutcome } from './ports.ts';
import { regionOf, type CaseState, type LoadedCode } from './run-case.ts';
import { describeStop, locator } from './stop.ts';

export const isStatic = (c: PreparedCheck) => c.kind === 'max_code_bytes' || c.kind === 'requires' || c.kind === 'forbids';

export function evaluateStatic(c: PreparedCheck, codeBytes: number, code: LoadedCode, source: string, px: PreparedExercise, ports: EnginePorts): Failure | undefined {
  if (c.kind === 'max_code_bytes') {
    return codeBytes <= c.limit ? undefined : { message: `your code is ${codeBytes} bytes; this exercise allows at most ${c.limit}`, expected: `<= ${c.limit} bytes`, actual: `${codeBytes} bytes` };
  }
  if (c.kind !== 'requires' && c.kind !== 'forbids') return undefined;
  const used = usedMnemonics(code, source, px, ports);
  const matches = (m: string) => used.some((u) => u === m || (u.length === m.length + 1 && u.startsWith(m) && 'bwlq'.includes(u[m.length])));
  if (c.kind === 'requires') {
    const missing = c.mnemonics.filter((m) => !matches(m));
    return missing.length ? { message: `your code must use ${missing.map((m) => `\`${m}\``).join(', ')}, and does not`, expected: c.mnemonics.join(', '), actual: 'not used' } : undefined;
  }
  const present = c.mnemonics.filter(matches);
  return present.length ? { message: `your code may not use ${present.map((m) => `\`${m}\``).join(', ')}`, expected: `no ${present.join(', ')}`, actual: present.join(', ') } : undefined;
}

function usedMnemonics(code: LoadedCode, source: string, px: PreparedExercise, ports: EnginePorts): string[] {
  if (ports.disassembler) {
    return code.asm.sections.filter((s) => s.name === '.text').flatMap((s) => ports.disassembler!.mnemonics(s.bytes, px.bits));
  }
  const lines = source.split('\n');
  const out = new Set<string>();
  for (const l of code.asm.listing) {
    if (l.section !== '.text' || l.bytes.length === 0) continue;
    const text = (lines[l.line - 1] ?? '').replace(/^\s*([A-Za-z_.$][\w.$]*:\s*)*/, '').trim();
    const word = /^(?:(?:lock|rep|repe|repz|repne|repnz)\s+)?([A-Za-z][A-Za-z0-9]*)/.exec(text);
    if (word) out.add(word[1].toLowerCase());
  }
  return [...out];
}

export function evaluateCase(c: PreparedCheck, state: CaseState, scope: Scope, px: PreparedExercise, code: LoadedCode): Failure | undefined {
  const outcome = state.outcome;
  switch (c.kind) {
    case 'expect':
      for (const part of c.parts) {
        let value: bigint;
        try { value = part.expr.eval(scope); } catch (e) {
          if (e instanceof UnknownNameError) return { message: `${shown(px, part.label)}: ${e.message}` };
          throw e;
        }
        if (value === 0n) return withStop(explainExpect(part, scope, state, px), outcome, px, code);
      }
      return undefined;
    case 'stop': {
      const ok = (c.stop === 'hlt' ? outcome.reason === 'hlt'
        : c.stop === 'no-fault' ? outcome.reason !== 'fault' && outcome.reason !== 'triple-fault'
          : c.stop === 'triple-fault' ? outcome.reason === 'triple-fault'
            : outcome.reason === 'fault' && (c.vector === undefined || outcome.fault?.vector === c.vector))
        && (c.cpl === undefined || state.cpl === c.cpl);
      const kind = c.stop === 'fault' ? `a fault${c.vector !== undefined ? ` (vector ${c.vector})` : ''}` : c.stop === 'no-fault' ? 'no fault' : c.stop;
      const want = c.cpl === undefined ? kind : `${kind} in ring ${c.cpl}`;
      const ended = describeStop(outcome, locator(px, code));
      const ring = c.cpl !== undefined && outcome.reason !== 'triple-fault' ? ` in ring ${state.cpl}` : '';
      return ok ? undefined : { message: `the run should end with ${want}, but it ended with ${ended}${ring}`, expected: want, actual: `${ended}${ring}` };
    }
    case 'preserved':
      for (const reg of c.registers) {
        const before = state.initialRegs[reg], after = state.finalRegs[reg];
        if (before !== after) {
          const name = regName(px, reg);
          const candidates = matchingInputs(state, after, setByCase(px)).filter((n) => n !== reg).map((n) => shown(px, n));
          return withStop({
            message: `${name} was ${hex(before)} when your code was called and ${hex(after)} afterwards: it must be preserved (save it and restore it before returning)`,
            expected: hex(before), actual: hex(after), origin: { part: `preserved ${reg}`, target: name, candidates },
          }, outcome, px, code);
        }
      }
      return undefined;
    case 'writes_only': {
      const allowed = c.regions;
      const inLearnerData = (addr: number) => allowed.includes('data') && addr >= px.learnerBases['.data'] && addr < px.learnerBases['.bss'] + 0x8000;
      const writes = state.writes ?? [];
      for (let i = 0; i < writes.length; i += 2) {
        const addr = writes[i], len = writes[i + 1];
        const region = regionOf(px, addr);
        if (region && allowed.includes(region.name) && addr + len <= region.at + region.size) continue;
        if (inLearnerData(addr)) continue;
        return { message: `your code wrote ${len} byte${len > 1 ? 's' : ''} at ${hex(addr)}${region ? ` (in ${region.name})` : codeLabel(px, code, addr)}, outside what it may write: ${allowed.join(', ')}`, expected: `writes only to ${allowed.join(', ')}`, actual: `write at ${hex(addr)}` };
      }
      return undefined;
    }
    case 'max_instructions':
      return outcome.instructions <= c.limit ? undefined : { message: `the case took ${outcome.instructions} instructions (harness included); at most ${c.limit} are allowed`, expected: `<= ${c.limit}`, actual: String(outcome.instructions) };
    default:
      return undefined;
  }
}

function codeLabel(px: PreparedExercise, code: LoadedCode, addr: number): string {
  for (const s of [...code.asm.sections, ...px.harness.sections]) if (addr >= s.base && addr < s.base + s.bytes.length) return ` (inside ${code.asm.sections.includes(s) ? 'your' : "the harness's"} ${s.name})`;
  return '';
}

function withStop(f: Failure, outcome: RunOutcome, px: PreparedExercise, code: LoadedCode): Failure {
  return outcome.reason === 'hlt' ? f : { ...f, stopNote: describeStop(outcome, locator(px, code)) };
}
