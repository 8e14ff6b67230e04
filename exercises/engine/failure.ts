/** A check's failure on one case, and the message a learner finally reads. */
export interface Failure {
  message: string;
  expected?: string;
  actual?: string;
  /** For a failed `a == b`: where the wrong value could have come from, narrowed over failing cases. */
  origin?: { part: string; target: string; candidates: string[] };
  /** How the run ended, when that was not HLT. */
  stopNote?: string;
}

export const UNCHANGED = '(unchanged)';
/** A register that still holds what it held when the learner's code was entered. */
export const NOT_LOADED = '(not loaded)';
const ORIGIN_CASES = 32;

/** Narrows where a wrong value came from by intersecting the candidates of later failing cases. */
export function narrowOrigin(first: Failure, next: Failure, seen: number): void {
  if (!first.origin || !next.origin || seen > ORIGIN_CASES || first.origin.part !== next.origin.part) return;
  first.origin.candidates = first.origin.candidates.filter((c) => next.origin!.candidates.includes(c));
}

/** The message a learner reads: what was wrong, where the value came from, how the run ended. */
export function finish(f: Failure): Omit<Failure, 'origin' | 'stopNote'> {
  const { origin, stopNote, ...rest } = f;
  let message = rest.message;
  const candidates = origin?.candidates ?? [];
  // A register that still holds its value from before the call was not loaded at all, whatever else that value equals.
  const [only, ...more] = candidates.includes(NOT_LOADED) ? [NOT_LOADED] : candidates;
  if (origin && only !== undefined && !more.length) {
    message += only === UNCHANGED
      ? ': it still holds what was there before your code ran, so nothing was stored there'
      : only === NOT_LOADED
        ? `: ${origin.target} still holds what it held when your code was called, so your code never loaded ${origin.target}`
        : `: that is the value ${only} had at the start, so ${only} went where ${origin.target} belongs`;
  }
  if (stopNote) message += ` (the run ended with ${stopNote})`;
  return { ...rest, message };
}
