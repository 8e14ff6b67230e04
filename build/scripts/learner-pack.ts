/** The learner's copy of a pack, as the installer carries it: no reference solutions, graded mistakes, hidden checks or hidden cases. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { learnerCopy, loadPack } from '../../exercises/engine/index.ts';
import { readPackFiles } from '../../backend/grading/pack-dir.ts';

/** Replaces `outDir` with the learner's copy of the pack in `packDir`; returns how many files it wrote. */
export function writeLearnerPack(packDir: string, outDir: string): number {
  const files = learnerCopy(readPackFiles(packDir));
  // The lab must open what it ships: a copy that does not load is a build error, not a learner's.
  loadPack(files, outDir);
  rmSync(outDir, { recursive: true, force: true });
  for (const [path, text] of files) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  return files.size;
}
