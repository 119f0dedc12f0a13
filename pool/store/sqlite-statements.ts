// The prepared statements of one SQLite event log, typed without naming better-sqlite3: the package's declarations
// that mention them (the service's log tables) must compile in an install without that optional dependency.

/** A prepared statement as the stores use it (better-sqlite3's Statement is one). */
export interface PreparedStatement<P extends unknown[], R = unknown> {
  run(...params: P): unknown;
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

/** The prepared statements of a log. Rows of `page` are [seq, hash, event] arrays (raw mode). */
export interface Statements {
  insert: PreparedStatement<[number, string, string]>;
  page: PreparedStatement<[number, number], [number, string, string]>;
  head: PreparedStatement<[], [number, string]>;
  hashAt: PreparedStatement<[number], string>;
  saveSnapshot: PreparedStatement<[number, string, string, string | null]>;
  latestSnapshot: PreparedStatement<[], [number, string, string, string | null]>;
  pruneSnapshots: PreparedStatement<[number]>;
}
