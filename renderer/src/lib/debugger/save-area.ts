/**
 * An FXSAVE or XSAVE area read as a struct: the legacy region (Intel SDM Vol. 1, Tables 10-2 and
 * 10-3), the XSAVE header (13.4.2) and the AVX component (YMM_Hi128 at offset 576 in the standard
 * form, and in the compacted form too when AVX is the only extended component, as here).
 */
import { readField } from './machine-view.ts';

export type SaveAreaKind = 'fxsave' | 'xsave';
/** Where FIP and FDP are 64 bits (FXSAVE64, XSAVE64) or 32 bits with FCS and FDS beside them. */
export type SaveAreaForm = 32 | 64;

export type SaveFieldType = 'fcw' | 'fsw' | 'ftw' | 'int' | 'mxcsr' | 'st' | 'vector' | 'components';

export interface SaveAreaField {
  name: string;
  offset: number;
  size: number;
  type: SaveFieldType;
}

export const LEGACY_SIZE = 512;
const HEADER_OFFSET = 512;
export const AVX_OFFSET = 576;
const XSAVE_AREA_SIZE = AVX_OFFSET + 16 * 16;

export const saveAreaSize = (kind: SaveAreaKind): number => (kind === 'fxsave' ? LEGACY_SIZE : XSAVE_AREA_SIZE);
/** FXSAVE needs 16-byte alignment, XSAVE 64-byte (#GP otherwise). */
export const saveAreaAlignment = (kind: SaveAreaKind): number => (kind === 'fxsave' ? 16 : 64);

const f = (name: string, offset: number, size: number, type: SaveFieldType): SaveAreaField => ({ name, offset, size, type });
const range = (n: number) => [...Array(n).keys()];

export function saveAreaLayout(kind: SaveAreaKind, form: SaveAreaForm): SaveAreaField[] {
  const pointers = form === 64
    ? [f('FIP', 8, 8, 'int'), f('FDP', 16, 8, 'int')]
    : [f('FIP', 8, 4, 'int'), f('FCS', 12, 2, 'int'), f('FDP', 16, 4, 'int'), f('FDS', 20, 2, 'int')];
  const legacy = [
    f('FCW', 0, 2, 'fcw'),
    f('FSW', 2, 2, 'fsw'),
    f('FTW', 4, 1, 'ftw'),
    f('FOP', 6, 2, 'int'),
    ...pointers,
    f('MXCSR', 24, 4, 'mxcsr'),
    f('MXCSR_MASK', 28, 4, 'int'),
    ...range(8).map((i) => f(`ST${i}`, 32 + i * 16, 10, 'st')),
    ...range(16).map((i) => f(`XMM${i}`, 160 + i * 16, 16, 'vector')),
  ];
  if (kind === 'fxsave') return legacy;
  return [
    ...legacy,
    f('XSTATE_BV', HEADER_OFFSET, 8, 'components'),
    f('XCOMP_BV', HEADER_OFFSET + 8, 8, 'components'),
    ...range(16).map((i) => f(`YMM${i}_Hi128`, AVX_OFFSET + i * 16, 16, 'vector')),
  ];
}

export interface SaveAreaRow extends SaveAreaField {
  value: bigint;
  /** Its bytes differ from the previous read. */
  changed: boolean;
}

/** The area's fields with their values; `previous` (the bytes at the last stop) marks what changed. */
export function decodeSaveArea(bytes: Uint8Array, kind: SaveAreaKind, form: SaveAreaForm, previous?: Uint8Array): SaveAreaRow[] {
  return saveAreaLayout(kind, form).map((field) => ({
    ...field,
    value: readField(bytes, field.offset, field.size),
    changed: previous !== undefined && readField(previous, field.offset, field.size) !== readField(bytes, field.offset, field.size),
  }));
}

/** Struct fields whose name says they hold a save area (the thread's `fpu`, an `xsave_area`, ...). */
export const looksLikeSaveArea = (fieldName: string): boolean => /fpu|fxsave|xsave|xstate|fpstate|fxstate|fx_area|save_area/i.test(fieldName);
