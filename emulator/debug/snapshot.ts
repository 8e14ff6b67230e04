/**
 * Whole-machine snapshots in a compact transferable form: a JSON header (CPU state, which pages
 * are present, machine settings) and one ArrayBuffer holding the non-zero 4 KiB pages. Used for
 * "try again from here" and for reproducible bug reports; the ArrayBuffer can be transferred to
 * or from a Web Worker without a copy.
 */
import type { Machine } from '../machine.ts';
import { identityTranslate } from '../memory/linear.ts';
import { pagingTranslate } from '../memory/paging.ts';
import { PAGE_SIZE } from '../memory/physical.ts';
import { captureCpu, captureMachine, fromJson, machineStateFromJson, restoreCpu, restoreMachine, toJson, type CpuState } from './cpu-state.ts';

export const SNAPSHOT_FORMAT = 'switchyard-snapshot/1';

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  ramSize: number;
  /** The machine translated through page tables (pagingTranslate) rather than identity. */
  paging: boolean;
  deliverExceptions: boolean;
  cpu: Record<string, unknown>;
  /** The machine's state outside the CPU: pending interrupts, timers (absent in older snapshots). */
  machine?: Record<string, unknown>;
  /** Physical page numbers, in the order their bytes appear in `data`; absent pages are zero. */
  pages: number[];
}

export interface Snapshot {
  header: SnapshotHeader;
  data: ArrayBuffer;
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export function takeSnapshot(machine: Machine): Snapshot {
  const mem = machine.memory;
  const pages: number[] = [];
  for (let pn = 0; pn < mem.pageCount; pn++) {
    if (!mem.isAllocated(pn)) continue;
    const bytes = mem.page(pn);
    if (bytes.some((b) => b !== 0)) pages.push(pn);
  }
  const data = new Uint8Array(pages.length * PAGE_SIZE);
  pages.forEach((pn, i) => data.set(mem.page(pn), i * PAGE_SIZE));
  const state = captureCpu(machine.cpu);
  const cpu: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) cpu[k] = toJson(v);
  return {
    header: {
      format: SNAPSHOT_FORMAT, ramSize: mem.size, paging: machine.translate !== identityTranslate, deliverExceptions: machine.deliverExceptions, cpu,
      machine: captureMachine(machine) as unknown as Record<string, unknown>, pages,
    },
    data: data.buffer,
  };
}

/** Checks a header that may have come from a file or another thread; throws SnapshotError naming the bad field. */
export function validateHeader(json: unknown, dataBytes: number): SnapshotHeader {
  const bad = (field: string, what: string): never => {
    throw new SnapshotError(`snapshot ${field}: ${what}`);
  };
  if (typeof json !== 'object' || json === null) return bad('header', 'expected an object');
  const h = json as Record<string, unknown>;
  if (h.format !== SNAPSHOT_FORMAT) bad('format', `expected "${SNAPSHOT_FORMAT}", got ${JSON.stringify(h.format)}`);
  if (typeof h.ramSize !== 'number' || !Number.isInteger(h.ramSize) || h.ramSize <= 0 || h.ramSize % PAGE_SIZE !== 0) bad('ramSize', 'expected a positive multiple of 4096');
  if (typeof h.paging !== 'boolean') bad('paging', 'expected a boolean');
  if (typeof h.deliverExceptions !== 'boolean') bad('deliverExceptions', 'expected a boolean');
  if (typeof h.cpu !== 'object' || h.cpu === null || Array.isArray(h.cpu)) bad('cpu', 'expected an object of fields');
  if (!Array.isArray(h.pages)) return bad('pages', 'expected an array of page numbers');
  const limit = (h.ramSize as number) / PAGE_SIZE;
  h.pages.forEach((p, i) => {
    if (!Number.isInteger(p) || (p as number) < 0 || (p as number) >= limit) bad(`pages[${i}]`, `${JSON.stringify(p)} is not a page of a ${h.ramSize}-byte machine`);
  });
  if (dataBytes !== h.pages.length * PAGE_SIZE) bad('data', `expected ${h.pages.length * PAGE_SIZE} bytes for ${h.pages.length} pages, got ${dataBytes}`);
  return h as unknown as SnapshotHeader;
}

/**
 * Puts the machine in the snapshot's state: every page replaced, the CPU state loaded, the TLBs
 * and decoded instructions dropped. The machine must have the snapshot's RAM size. A snapshot
 * taken with paging gets the page walker, unless the machine already has a translation hook of
 * its own, which it keeps.
 */
export function restoreSnapshot(machine: Machine, snapshot: Snapshot): void {
  const header = validateHeader(snapshot.header, snapshot.data.byteLength);
  const mem = machine.memory;
  if (header.ramSize !== mem.size) throw new SnapshotError(`snapshot ramSize: ${header.ramSize} bytes, but the machine has ${mem.size}`);
  const state: CpuState = {};
  let extra = null;
  try {
    for (const [k, v] of Object.entries(header.cpu)) state[k] = fromJson(v, `snapshot cpu.${k}`);
    extra = header.machine === undefined ? null : machineStateFromJson(header.machine, 'snapshot machine');
  } catch (e) {
    throw new SnapshotError(e instanceof Error ? e.message : String(e));
  }
  const data = new Uint8Array(snapshot.data);
  for (let pn = 0; pn < mem.pageCount; pn++) if (mem.isAllocated(pn)) mem.page(pn).fill(0);
  header.pages.forEach((pn, i) => mem.page(pn).set(data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)));
  machine.cache.clear();
  machine.deliverExceptions = header.deliverExceptions;
  // A machine that already translates through its own hook (the exercise engine's, say) keeps it.
  if (!header.paging) machine.translate = identityTranslate;
  else if (machine.translate === identityTranslate) machine.translate = pagingTranslate(machine.cpu);
  restoreCpu(machine.cpu, state);
  if (extra !== null) restoreMachine(machine, extra);
}
