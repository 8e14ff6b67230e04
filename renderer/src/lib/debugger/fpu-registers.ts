/** The FPU/SSE/AVX register file as the debugger's state reply carries it, parsed, and what changed between two stops. */

export interface FpuRegisters {
  fcw: number;
  fsw: number;
  ftag: number;
  fop: number;
  fip: bigint;
  fdp: bigint;
  mxcsr: number;
  xcr0: number;
  xinuse: number;
  /** st(0)..st(7), 80 bits each. */
  st: bigint[];
  xmm: bigint[];
  ymmHi: bigint[];
  inUse: boolean;
}

export function parseFpu(raw: unknown): FpuRegisters | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const big = (v: unknown) => BigInt(v as string);
  const list = (v: unknown) => (v as string[]).map(big);
  return {
    fcw: r.fcw as number,
    fsw: r.fsw as number,
    ftag: r.ftag as number,
    fop: r.fop as number,
    fip: big(r.fip),
    fdp: big(r.fdp),
    mxcsr: r.mxcsr as number,
    xcr0: r.xcr0 as number,
    xinuse: r.xinuse as number,
    st: list(r.st),
    xmm: list(r.xmm),
    ymmHi: list(r.ymmHi),
    inUse: r.inUse === true,
  };
}

const SCALARS = ['fcw', 'fsw', 'ftag', 'fop', 'fip', 'fdp', 'mxcsr', 'xcr0', 'xinuse'] as const;

/**
 * Names of what differs: the scalar fields by name, `st0`-`st7` (by stack slot), `xmm0`-`xmm15`
 * (low halves) and `ymm0`-`ymm15` (either half). Nothing before there is a previous stop.
 */
export function fpuChanges(before: FpuRegisters | undefined, after: FpuRegisters | undefined): Set<string> {
  const out = new Set<string>();
  if (!before || !after) return out;
  for (const name of SCALARS) if (before[name] !== after[name]) out.add(name);
  after.st.forEach((v, i) => {
    if (before.st[i] !== v) out.add(`st${i}`);
  });
  after.xmm.forEach((v, i) => {
    if (before.xmm[i] !== v) out.add(`xmm${i}`);
    if (before.xmm[i] !== v || before.ymmHi[i] !== after.ymmHi[i]) out.add(`ymm${i}`);
  });
  return out;
}
