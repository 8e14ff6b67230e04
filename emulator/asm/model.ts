/** The assembler's working data: statements become items in sections; symbols point into them. */
import type { Expr } from './expr.ts';
import type { Form } from './encode-table.ts';
import type { RegInfo } from './encode-registers.ts';
import type { Invocation, Stmt } from './source.ts';
import type { Bits } from './types.ts';

export interface Loc {
  /** Where the statement was written (the body line for expanded text), in `file` (undefined: the main file). */
  line: number;
  col: number;
  end: number;
  file?: string;
  /** The main-file line the bytes belong to (macro invocation, `#include` line). */
  mainLine: number;
  /** Columns inside the statement are valid (its text was not changed by expansion). */
  exact: boolean;
  chain?: Invocation;
}

/** `dot` is where `.` stands relative to the item's start (a later value of one `.long` sees `.` moved on). */
export type Deferred = { known: true; value: bigint } | { known: false; expr: Expr; sec: number; item: number; dot: number };

export type PlanOp =
  | { k: 'reg'; reg: RegInfo }
  | { k: 'imm'; v: Deferred; sized?: number | null }
  | { k: 'mem'; base: RegInfo | null; index: RegInfo | null; scale: number; seg: RegInfo | null; bits: number | null; disp: Deferred | null; ripTarget: boolean; col?: number; fullDisp?: boolean }
  | { k: 'branch'; target: Deferred }
  | { k: 'far'; sel: Deferred; off: Deferred };

export interface ItemBase {
  loc: Loc;
  offset: number;
  size: number;
}
export type Item = ItemBase &
  (
    | { k: 'bytes'; data: Uint8Array }
    | { k: 'data'; width: number; values: Deferred[] }
    | { k: 'insn'; form: Form; ops: PlanOp[]; bits: Bits; prefix: number[]; rep: 'rep' | 'repe' | 'repne' | undefined; stringAddrBits: number | undefined; stringSeg: RegInfo | null }
    | { k: 'branch'; target: Deferred; bits: Bits; shortForm: Form | null; nearForm: Form | null; shortLen: number; nearLen: number; near: boolean; prefix: number[] }
    | { k: 'align'; boundary: number; fill: number | null; max: number; bits: Bits }
    | { k: 'org'; target: Deferred; fill: number }
    | { k: 'label'; sym: Sym }
  );

export interface Section {
  name: string;
  index: number;
  items: Item[];
  /** Running size during the first pass (branches counted short). */
  size: number;
  code: boolean;
  base: bigint;
}

export interface Sym {
  name: string;
  kind: 'label' | 'equ' | 'supplied';
  sec: number;
  value: bigint;
  expr: Expr | null;
  /** Where a lazily evaluated `.set` stood, for `.` inside it. */
  exprSec: number;
  exprItem: number;
  known: boolean;
  global: boolean;
  line: number;
  evaluating: boolean;
}

export interface Macro {
  /** As written at `.macro` (the table's key is lower case: GNU as matches macro names in any case). */
  name: string;
  params: { name: string; def: string | null; required: boolean; vararg: boolean }[];
  body: Stmt[];
  /** Line of the `.macro` directive. */
  line: number;
}

export interface Frame {
  stmts: Stmt[];
  i: number;
  macro: boolean;
  depth: number;
  /** Conditional nesting depth when the frame started (restored on `.exitm`). */
  condDepth: number;
}

export interface Collecting {
  kind: 'macro' | 'rept';
  depth: number;
  body: Stmt[];
  start: Stmt;
  finish: (body: Stmt[]) => void;
}

export interface Cond {
  /** This branch is being assembled. */
  active: boolean;
  /** Some branch of this .if chain was already taken. */
  taken: boolean;
  /** The enclosing region is active. */
  parentActive: boolean;
  sawElse: boolean;
  loc: Loc;
}
