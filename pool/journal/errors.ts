// JournalError: every refusal or failure of the file journal throws one, naming the journal's path and, for a bad
// line, its line number and seq. The underlying I/O error, if any, is its `cause`.

/**
 * Why the journal refused or failed:
 * - `CORRUPT`: a complete line is not the next event (unparseable, or its `seq` does not follow);
 * - `LOCKED`: another writer (in this or another process) holds the journal;
 * - `READ_ONLY`: a write on a journal opened with `{ readOnly: true }`, or a writer open on a read-only file;
 * - `OUT_OF_ORDER`: appended events do not continue the journal's `seq`, or the synced pool's history differs;
 * - `WRITE_FAILED`: an append failed; the file is back at its last acknowledged event and nothing was acknowledged;
 * - `BROKEN`: an append failed and the file could not be put back; every write is refused until reopened;
 * - `CLOSED`: the journal was closed.
 */
export type JournalErrorCode = "CORRUPT" | "LOCKED" | "READ_ONLY" | "OUT_OF_ORDER" | "WRITE_FAILED" | "BROKEN" | "CLOSED";

/** Where a CORRUPT journal went wrong: 1-based line number and a seq (see JournalError.seq). */
export interface JournalErrorPlace {
  line?: number;
  seq?: number;
}

/**
 * Thrown by FileJournal, openJournaledPool and readJournal.
 * @example
 * try { FileJournal.open(path) } catch (e) { if (e instanceof JournalError && e.code === "CORRUPT") console.log(e.line, e.seq) }
 */
export class JournalError extends Error {
  readonly code: JournalErrorCode;
  /** The journal file. */
  readonly path: string;
  /** CORRUPT: the 1-based line number of the bad line. */
  readonly line: number | undefined;
  /** CORRUPT: the bad line's seq when it parses to an event with a numeric seq, else the last good event's (0: none). */
  readonly seq: number | undefined;

  constructor(code: JournalErrorCode, path: string, problem: string, options: JournalErrorPlace & { cause?: unknown } = {}) {
    super(`${code} (${path}): ${problem}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "JournalError";
    this.code = code;
    this.path = path;
    this.line = options.line;
    this.seq = options.seq;
  }
}

/** The message of an error of unknown type, with its errno code when it has one (e.g. "ENOSPC: no space ..."). */
export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
