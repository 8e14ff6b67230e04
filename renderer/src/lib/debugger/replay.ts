import type { MethodResult } from '../../../../backend/api/contract.ts';

/** A program for the debugger: a replayed exercise case (from the backend) or the sandbox's code. */
export type Replay = MethodResult<'exercises.debugCase'>;
