import { describe, expect, it } from 'vitest';
import { DebugService, type Reply } from '../../../emulator/debug/worker.ts';
import { CONTEXT_SWITCH } from './programs.ts';

/** A service with a channel that records replies and their transfer lists. */
function channel() {
  const replies: { message: Reply; transfer?: ArrayBuffer[] }[] = [];
  const service = new DebugService((message, transfer) => replies.push({ message: message as Reply, ...(transfer ? { transfer } : {}) }));
  let next = 1;
  const call = async (method: string, params?: Record<string, unknown>) => {
    const id = next++;
    await service.onMessage({ id, method, params });
    const r = replies.find((x) => x.message.id === id)!;
    return r;
  };
  const ok = async (method: string, params?: Record<string, unknown>) => {
    const { message } = await call(method, params);
    if (!message.ok) throw new Error(`${method}: ${message.error.message}`);
    return message.result as Record<string, unknown>;
  };
  return { service, call, ok, replies };
}

describe('the message facade', () => {
  it('loads a program, stops at a breakpoint, steps back, with wire-safe values', async () => {
    const { ok } = channel();
    const loaded = await ok('load', { source: CONTEXT_SWITCH });
    expect(loaded.ok).toBe(true);
    const sym = (loaded.symbols as { name: string; address: string }[]).find((s) => s.name === 'switch_to')!;
    expect(sym.address).toMatch(/^0x1[0-9a-f]+$/);
    await ok('addBreakpoint', { address: sym.address });
    const stop = await ok('continue');
    expect(stop).toMatchObject({ reason: 'breakpoint', rip: sym.address });
    const back = await ok('stepBack');
    expect(back.position).toBe((stop.position as number) - 1);
    const state = await ok('state');
    expect((state.registers as Record<string, string>).rsp).toMatch(/^0x7ff/);
    expect(await ok('readMemory', { address: 0x10000, length: 4 })).toBeInstanceOf(Uint8Array);
  });

  it('reports assembler diagnostics, bad conditions with their column, and unknown methods as errors', async () => {
    const { ok, call } = channel();
    expect((await call('step')).message).toMatchObject({ ok: false, error: { message: /nothing is loaded/ } });
    const bad = await ok('load', { source: 'movq %rax' });
    expect(bad.ok).toBe(false);
    expect((bad.diagnostics as unknown[]).length).toBeGreaterThan(0);
    await ok('load', { source: 'nop\nhlt' });
    expect((await call('addBreakpoint', { address: 0x10000, condition: 'rax == = 1' })).message).toMatchObject({ ok: false, error: { column: 7 } });
    expect((await call('frobnicate')).message).toMatchObject({ ok: false, error: { message: "unknown method 'frobnicate'" } });
    expect((await call('goto', { position: 'x' })).message).toMatchObject({ ok: false, error: { message: 'goto: params.position must be a number' } });
  });

  it('hands snapshots over with their buffer in the transfer list, and restores them', async () => {
    const { ok, call } = channel();
    await ok('load', { source: CONTEXT_SWITCH });
    await ok('continue', { maxSteps: 40 });
    const { message, transfer } = await call('snapshot');
    if (!message.ok) throw new Error('snapshot failed');
    const snap = message.result as { header: { pages: number[] }; data: ArrayBuffer };
    expect(transfer).toEqual([snap.data]);
    const at = (await ok('state')).registers;
    await ok('continue');
    await ok('restore', { header: JSON.parse(JSON.stringify(snap.header)), data: snap.data });
    expect((await ok('state')).registers).toEqual(at);
    expect((await ok('continue')).reason).toBe('hlt');
  });

  it('a pause message stops a runaway loop between slices', async () => {
    const { service, ok } = channel();
    await ok('load', { source: '1: jmp 1b' });
    const running = ok('continue', { maxSteps: 1e12 });
    await new Promise((r) => setTimeout(r, 50));
    await service.onMessage({ id: 999, method: 'pause' });
    const stop = await running;
    expect(stop.reason).toBe('paused');
    expect(stop.position).toBeGreaterThan(0);
  });

  it('a breakpoint exactly at a slice boundary still stops the run', async () => {
    const { ok } = channel();
    await ok('load', { source: 'mov $300000, %rcx\n1: dec %rcx\n jnz 1b\n hlt' });
    // Position 200000 (the first of the second slice) is the `jnz` after the 100000th `dec`.
    await ok('addBreakpoint', { address: 0x10007 + 3, condition: 'rcx == 200000' });
    const stop = await ok('continue');
    expect(stop).toMatchObject({ reason: 'breakpoint', position: 200_000 });
  });
});
