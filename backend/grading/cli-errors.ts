/** Turns the errors a pack or an input file can raise into a message on stderr and the contract's exit code. */
import { ExerciseError, PackError } from '../../exercises/engine/index.ts';
import { EXIT_USAGE, type CliIO } from '../cli/io.ts';
import { InputError } from '../store/validation.ts';

export async function reportingInputErrors(name: string, io: CliIO, body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof InputError || error instanceof PackError || error instanceof ExerciseError) {
      io.stderr(`switchyard ${name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
