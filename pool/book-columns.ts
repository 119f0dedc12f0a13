// The pool's open series as columns, one row per series in no particular order: what valuation and risk price
// without walking maps or building a batch per call. An index of the ledger (PoolState.columns), kept by applyEvent
// through the undo log: a row is added when a series opens, updated by its trades, and swapped out when it closes.
import type { SeriesState } from "./ledger.js";
import type { UndoLog } from "./undo.js";

export class BookColumns {
  /** Series key of each row. */
  keys: string[] = [];
  /** +1 call, −1 put. */
  type: number[] = [];
  strike: number[] = [];
  /** Unix seconds. */
  expiry: number[] = [];
  /** Open size in size units, as a float. */
  size: number[] = [];
  /** Locked collateral in base units, as a float. */
  locked: number[] = [];
  /** Changes with every mutation and every rollback of one: what a cached valuation is keyed on. */
  version = 0;
  private rowOf = new Map<string, number>();

  private bump(undo: UndoLog): void {
    this.version++;
    undo.record(() => void this.version++);
  }

  get length(): number {
    return this.keys.length;
  }

  /** Adds a row for a newly opened series. */
  open(undo: UndoLog, key: string, s: SeriesState): void {
    this.bump(undo);
    const row = this.keys.length;
    undo.push(this.keys, key);
    undo.push(this.type, s.type === "call" ? 1 : -1);
    undo.push(this.strike, s.strike);
    undo.push(this.expiry, s.expiry);
    undo.push(this.size, Number(s.openSize));
    undo.push(this.locked, Number(s.locked));
    undo.mapSet(this.rowOf, key, row);
  }

  /** Sets a series' open size and locked collateral. */
  update(undo: UndoLog, key: string, s: SeriesState): void {
    this.bump(undo);
    const row = this.rowOf.get(key)!;
    undo.set(this.size, row, Number(s.openSize));
    undo.set(this.locked, row, Number(s.locked));
  }

  /** Removes a closed series' row (the last row moves into its place). */
  close(undo: UndoLog, key: string): void {
    this.bump(undo);
    const row = this.rowOf.get(key)!;
    const last = this.keys.length - 1;
    if (row !== last) {
      const moved = this.keys[last]!;
      for (const column of [this.keys, this.type, this.strike, this.expiry, this.size, this.locked] as unknown[][]) undo.set(column, row, column[last]);
      undo.mapSet(this.rowOf, moved, row);
    }
    for (const column of [this.keys, this.type, this.strike, this.expiry, this.size, this.locked] as unknown[][]) undo.splice(column, last, 1);
    undo.mapDelete(this.rowOf, key);
  }

  /** The columns of `series`, rebuilt (after a restore). */
  static of(series: Map<string, SeriesState>, undo: UndoLog): BookColumns {
    const c = new BookColumns();
    for (const [key, s] of series) c.open(undo, key, s);
    return c;
  }
}
