// StoreError: every refusal or failure of an event store throws one, naming the store and, where one is involved,
// the seq (and for an imported journal the line). Browser-safe: MemoryEventStore throws it too.

/**
 * Why a store refused or failed:
 * - `INVALID_INPUT`: a bad argument (`field` names it);
 * - `OUT_OF_ORDER`: appended events do not continue the log's seq (`seq` is the first that does not), or an imported
 *   journal is not this store's history;
 * - `INVALID_SNAPSHOT`: a snapshot past the head, or whose hash is not the log's at its seq;
 * - `CORRUPT`: a stored row (or a journal line) is not the event it should be: unparseable, another seq, a hash
 *   column that differs from the event's;
 * - `TAMPERED`: an event's hash does not follow from the previous event's through the chain's hashing;
 * - `WRONG_LOG`: the database holds another log (a book log opened as a pool log) or is not an event store;
 * - `LOCKED`: another writer, in this process or another, holds the store;
 * - `READ_ONLY`: a write on a store opened read-only;
 * - `WRITE_FAILED`: the database refused a write (disk full, I/O error): rolled back, the store is as before;
 * - `CLOSED`: the store was closed.
 */
export type StoreErrorCode =
  | "INVALID_INPUT"
  | "OUT_OF_ORDER"
  | "INVALID_SNAPSHOT"
  | "CORRUPT"
  | "TAMPERED"
  | "WRONG_LOG"
  | "LOCKED"
  | "READ_ONLY"
  | "WRITE_FAILED"
  | "CLOSED";

/** Where a store error happened. */
export interface StoreErrorPlace {
  /** The event's seq, when one is involved. */
  seq?: number;
  /** 1-based line of an imported journal. */
  line?: number;
  /** The argument or column at fault. */
  field?: string;
  cause?: unknown;
}

/**
 * Thrown by MemoryEventStore, SqliteEventStore and the journal import and export.
 * @example
 * try { store.append(events) } catch (e) { if (e instanceof StoreError && e.code === "OUT_OF_ORDER") console.log(e.seq) }
 */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** The store: its file path, or "memory". */
  readonly store: string;
  readonly seq: number | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(code: StoreErrorCode, store: string, problem: string, place: StoreErrorPlace = {}) {
    super(`${code} (${store}): ${problem}`, place.cause === undefined ? undefined : { cause: place.cause });
    this.name = "StoreError";
    this.code = code;
    this.store = store;
    this.seq = place.seq;
    this.line = place.line;
    this.field = place.field;
  }
}

/** The message of an error of unknown type. */
export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
