import { z } from 'zod';

/**
 * What the backend's grader returns for one source against one exercise, as `switchyard check
 * --json` prints it. The store keeps the whole object; score, maxScore and passed are read from
 * it, never given separately.
 */
export interface GradeResult {
  readonly exercise?: string;
  readonly passed: boolean;
  readonly score: number;
  readonly maxScore: number;
  readonly cases?: { readonly total: number; readonly failed: number; readonly seed: string };
  readonly checks: readonly GradedCheck[];
  readonly diagnostics?: readonly unknown[];
}

export interface GradedCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly message?: string;
  readonly expected?: string;
  readonly actual?: string;
}

/** Validates a grader's result; fields beyond these (status, hints, failing cases…) are kept as they are. */
export const gradeResultSchema: z.ZodType<GradeResult> = z.looseObject({
  exercise: z.string().min(1).optional(),
  passed: z.boolean(),
  score: z.number().finite().nonnegative(),
  maxScore: z.number().finite().nonnegative(),
  cases: z.looseObject({
    total: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    seed: z.string(),
  }).optional(),
  checks: z.array(z.looseObject({
    name: z.string(),
    passed: z.boolean(),
    message: z.string().optional(),
    expected: z.string().optional(),
    actual: z.string().optional(),
  })),
  diagnostics: z.array(z.unknown()).optional(),
}).refine((r) => r.score <= r.maxScore, { message: 'score is larger than maxScore', path: ['score'] });


/** An exercise as the grader saw it: its id and the content hash of the version graded. */
export interface ExerciseRef {
  readonly id: string;
  readonly versionHash: string;
}
