/** The progress store the lab uses (SWITCHYARD_DATA_DIR or the default data directory), opened for one command. */
import { LabState } from '../api/handlers/lab-state.ts';
import { ApiFailure } from '../api/dispatch.ts';
import { InputError } from '../store/index.ts';
import { EXIT_FAILED, EXIT_USAGE, type CliIO } from './io.ts';

export async function withLab(io: CliIO, name: string, body: (lab: LabState) => number | Promise<number>,
  refusal: (error: Error) => number = () => EXIT_USAGE): Promise<number> {
  const lab = new LabState();
  try {
    return await body(lab);
  } catch (error) {
    if (error instanceof InputError || error instanceof ApiFailure) {
      io.stderr(`switchyard ${name}: ${error.message}\n`);
      return refusal(error);
    }
    throw error;
  } finally {
    lab.close();
  }
}

export { EXIT_FAILED };
