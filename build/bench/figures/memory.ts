// emulator.run_100m_peak_mb / debugger.record_100m_peak_mb: the peak resident memory of a process
// that runs 100 million instructions of the shared ALU loop, plainly / recorded for time travel.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Figure } from '../figure.ts';
import { bundleForBench } from '../shipped-emulator.ts';

async function peak(mode: 'plain' | 'recorded'): Promise<number> {
  const bundle = await bundleForBench('peak-run.ts');
  try {
    const run = spawnSync(process.execPath, [bundle, mode], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    if (run.status !== 0) throw new Error(`peak-run ${mode} exited with ${run.status}: ${run.stderr.trim()}`);
    return (JSON.parse(run.stdout) as { peakMb: number }).peakMb;
  } finally {
    rmSync(bundle, { force: true });
  }
}

export const figures: Figure[] = [
  { name: 'emulator.run_100m_peak_mb', unit: 'MB', runs: 3, measure: () => peak('plain') },
  { name: 'debugger.record_100m_peak_mb', unit: 'MB', runs: 3, measure: () => peak('recorded') },
];
