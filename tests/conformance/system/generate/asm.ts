/** Assembles scenario code with GNU as at generation time (cached by source). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cache = new Map<string, Uint8Array>();
let dir: string | undefined;

export function assemble(source: string, bits: 16 | 32 | 64 = 64): Uint8Array {
  const key = `${bits}\n${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  dir ??= mkdtempSync(join(tmpdir(), 'switchyard-gen-'));
  const obj = join(dir, 'snippet.o');
  const text = `.text\n.code${bits}\n${source}\n`;
  const r = spawnSync('as', ['--64', '-o', obj, '-'], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`GNU as rejected a snippet:\n${text}\n${r.stderr}`);
  const bytes = textSection(readFileSync(obj), text);
  cache.set(key, bytes);
  return bytes;
}

export function cleanupAssembler(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

/** The .text bytes of an ELF64 relocatable object; snippets must not need relocations. */
function textSection(elf: Buffer, source: string): Uint8Array {
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const strndx = elf.readUInt16LE(0x3e);
  const sh = (i: number) => {
    const o = shoff + i * shentsize;
    return { name: elf.readUInt32LE(o), offset: Number(elf.readBigUInt64LE(o + 0x18)), size: Number(elf.readBigUInt64LE(o + 0x20)) };
  };
  const strtab = sh(strndx);
  const nameOf = (n: number) => {
    let end = strtab.offset + n;
    while (elf[end] !== 0) end++;
    return elf.toString('latin1', strtab.offset + n, end);
  };
  let text: Uint8Array | undefined;
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    const name = nameOf(s.name);
    if (name.startsWith('.rela') || name.startsWith('.rel.')) throw new Error(`snippet needs relocations (${name}); use absolute constants:\n${source}`);
    if (name === '.text') text = Uint8Array.from(elf.subarray(s.offset, s.offset + s.size));
  }
  if (!text) throw new Error('assembled object has no .text');
  return text;
}
