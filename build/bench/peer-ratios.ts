// The emulator figures over the peers' (build/bench/figures/peers.ts), computed after every figure file has run.
export interface Measured {
  value: number;
  unit: string;
}

/**
 * emulator.<loop>_vs_<peer> (and emulator.<loop>_interpreter_vs_<peer>): the emulator's figure over
 * the peer's, for every loop both measured in this run.
 */
export function ratiosToPeers(results: Record<string, Measured>): Record<string, Measured & { of: string }> {
  const ratios: Record<string, Measured & { of: string }> = {};
  for (const [name, peer] of Object.entries(results)) {
    const m = /^peer\.(\w+)\.(\w+)_mips$/.exec(name);
    if (!m) continue;
    const [, peerName, loop] = m;
    for (const variant of [loop, `${loop}_interpreter`]) {
      const ours = results[`emulator.${variant}_mips`];
      if (!ours) continue;
      const ratio = `emulator.${variant}_vs_${peerName}`;
      ratios[ratio] = { value: Number((ours.value / peer.value).toPrecision(3)), unit: 'x', of: `${ours.value} / ${peer.value}` };
    }
  }
  return ratios;
}
