/**
 * The recorder's checkpoints: the same fields `captureCpu` takes, packed into one array of numbers
 * (MSR values, which are bigints, beside it). A recording keeps thousands of these, and a few
 * kilobytes of small objects each cost memory and collector time.
 */
import type { Cpu } from '../cpu/state.ts';
import { planOf, type Plan, type SegmentValue } from './cpu-state.ts';
import { Slab } from './slab.ts';

export interface CpuCheckpoint {
  readonly plan: Plan;
  readonly values: Float64Array;
  readonly maps: [number, bigint][][];
}

const slab = new Slab();
let scratch = new Float64Array(1024);

function put(at: number, v: number): number {
  if (at === scratch.length) {
    const bigger = new Float64Array(scratch.length * 2);
    bigger.set(scratch);
    scratch = bigger;
  }
  scratch[at] = v;
  return at + 1;
}

function putSegment(at: number, s: SegmentValue): number {
  return put(put(put(put(at, s.selector), s.base), s.limit), s.attrs);
}

export function checkpointCpu(cpu: Cpu): CpuCheckpoint {
  const source = cpu as unknown as Record<string, unknown>;
  const plan = planOf(cpu);
  const maps: [number, bigint][][] = [];
  let n = 0;
  for (const [key, kind] of plan.fields) {
    const v = source[key];
    switch (kind) {
      case 'number': n = put(n, v as number); break;
      case 'boolean': n = put(n, v ? 1 : 0); break;
      case 'int32s':
      case 'numbers': {
        const a = v as ArrayLike<number>;
        n = put(n, a.length);
        for (let i = 0; i < a.length; i++) n = put(n, a[i]);
        break;
      }
      case 'segment': n = putSegment(n, v as SegmentValue); break;
      case 'segments': {
        const a = v as SegmentValue[];
        n = put(n, a.length);
        for (const s of a) n = putSegment(n, s);
        break;
      }
      case 'map': maps.push([...(v as Map<number, bigint>).entries()]); break;
    }
  }
  return { plan, values: slab.copyFloats(scratch, n), maps };
}

/** Writes a checkpoint back into `cpu` (which has the fields it was taken from), then refreshes what depends on it. */
export function restoreCheckpoint(cpu: Cpu, c: CpuCheckpoint): void {
  const target = cpu as unknown as Record<string, unknown>;
  const v = c.values;
  let n = 0;
  let m = 0;
  const segment = (s: SegmentValue): void => {
    s.selector = v[n];
    s.base = v[n + 1];
    s.limit = v[n + 2];
    s.attrs = v[n + 3];
    n += 4;
  };
  for (const [key, kind] of c.plan.fields) {
    const current = target[key];
    switch (kind) {
      case 'number':
        if (typeof current === 'number') target[key] = v[n];
        n++;
        break;
      case 'boolean':
        if (typeof current === 'boolean') target[key] = v[n] !== 0;
        n++;
        break;
      case 'int32s': {
        const length = v[n++];
        (current as Int32Array).set(v.subarray(n, n + length));
        n += length;
        break;
      }
      case 'numbers': {
        const length = v[n++];
        (current as number[]).splice(0, (current as number[]).length, ...v.subarray(n, n + length));
        n += length;
        break;
      }
      case 'segment':
        segment(current as SegmentValue);
        break;
      case 'segments': {
        const length = v[n++];
        for (let i = 0; i < length; i++) segment((current as SegmentValue[])[i]);
        break;
      }
      case 'map': {
        const map = current as Map<number, bigint>;
        map.clear();
        for (const [k, value] of c.maps[m++]) map.set(k, value);
        break;
      }
    }
  }
  cpu.updateMode();
  cpu.mem.flush();
}
