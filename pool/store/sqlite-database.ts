// The SQLite file behind SqliteEventStore: opening it (writer or read-only), its schema and pragmas, the writer lock
// and the prepared statements. Node only (better-sqlite3).
//
// Layout: `events(seq INTEGER PRIMARY KEY, hash, event)` holds each event's JSON text (the codec's) under its seq, its
// hash in a column of its own (checked against the text on every read); `snapshots(seq PRIMARY KEY, hash, state,
// mac)`; `meta(key, value)` names the log ("pool", "book"). PRAGMA application_id marks the file as an event store
// and user_version is the format (1).
//
// Durability: WAL journal, synchronous=FULL — a commit returns after the WAL is fsynced, one fsync per transaction
// (plus one of the database file at each checkpoint). A crash at any moment leaves the last committed transaction
// and nothing of a later one: SQLite's WAL recovery ignores frames after the last commit record.
//
// One writer: the writer holds an exclusive SQLite lock on a companion file `<path>-lock` (locking_mode=EXCLUSIVE,
// taken with BEGIN EXCLUSIVE and never released until close). It is a POSIX advisory lock, so the operating system
// drops it when the process dies (a SIGKILLed writer leaves no stale lock), and SQLite also sees it between two
// connections of one process. The database itself stays in normal locking mode, so read-only connections can read
// beside a running writer. The lock file is never deleted: deleting a lock file races with a process that has just
// opened it.
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type Database from "better-sqlite3";
import type { Statements } from "./sqlite-statements.js";
import { requireOptional } from "../../bindings/optional-dependency.js";
import { describe, StoreError } from "./errors.js";
import { fsyncDirectory } from "./files.js";

/**
 * better-sqlite3, loaded on the first open: it is an optional dependency (a native module; an install without it,
 * e.g. `--omit=optional` for browsers, still runs everything but SqliteEventStore, which then names what to install).
 */
function sqlite(): typeof Database {
  return requireOptional<typeof Database>("SqliteEventStore (pool2peer/store)", "better-sqlite3");
}

/** PRAGMA application_id of a pool2peer event store: "p2ps" in ASCII. */
export const APPLICATION_ID = 0x70327073;
/** PRAGMA user_version: the layout above. */
export const FORMAT_VERSION = 1;
/** The WAL is truncated back to this size after a checkpoint (bytes): a burst of appends does not keep its disk. */
const WAL_SIZE_LIMIT_BYTES = 64 << 20;
/** Pages of WAL before an automatic checkpoint (4 KiB pages: 16 MiB); fewer checkpoints, fewer fsyncs of the database. */
const WAL_CHECKPOINT_PAGES = 4096;

const SCHEMA = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE events (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, event TEXT NOT NULL);
  CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, state TEXT NOT NULL, mac TEXT);
`;


/** An open store file. */
export interface OpenedDatabase {
  db: Database.Database;
  statements: Statements;
  /** The writer lock (undefined for a read-only open). */
  lock: Database.Database | undefined;
}

/** The path with its symbolic links resolved (every name of one file shares one lock). */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return join(realpathSync(dirname(path)), basename(path));
  }
}

/** A SQLite error code ("SQLITE_BUSY") of an unknown error, if it has one. */
export function sqliteCode(e: unknown): string {
  return typeof (e as { code?: unknown })?.code === "string" ? (e as { code: string }).code : "";
}

/** Takes the writer lock of the store at `path`; LOCKED if another writer holds it. (server/ keeps its own database under the same lock.) */
export function acquireLock(path: string): Database.Database {
  const lockPath = `${canonical(path)}-lock`;
  let lock: Database.Database | undefined;
  try {
    lock = new (sqlite())(lockPath, { timeout: 0 });
    lock.pragma("journal_mode = OFF");
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE; COMMIT");
    return lock;
  } catch (e) {
    lock?.close();
    if (sqliteCode(e) === "SQLITE_BUSY") {
      throw new StoreError("LOCKED", path, `another writer holds the store (lock ${lockPath}); close it first, or open with { readOnly: true }`, { cause: e });
    }
    throw new StoreError("READ_ONLY", path, `cannot take the writer lock ${lockPath}: ${describe(e)}`, { cause: e });
  }
}

function prepare(db: Database.Database): Statements {
  return {
    insert: db.prepare("INSERT INTO events (seq, hash, event) VALUES (?, ?, ?)"),
    page: db.prepare<[number, number], [number, string, string]>("SELECT seq, hash, event FROM events WHERE seq >= ? ORDER BY seq LIMIT ?").raw(true),
    head: db.prepare<[], [number, string]>("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").raw(true),
    hashAt: db.prepare<[number], string>("SELECT hash FROM events WHERE seq = ?").pluck(true),
    saveSnapshot: db.prepare("INSERT OR REPLACE INTO snapshots (seq, hash, state, mac) VALUES (?, ?, ?, ?)"),
    latestSnapshot: db.prepare<[], [number, string, string, string | null]>("SELECT seq, hash, state, mac FROM snapshots ORDER BY seq DESC LIMIT 1").raw(true),
    // Keeps the newest `?` snapshots (at least one): older ones are never read.
    pruneSnapshots: db.prepare("DELETE FROM snapshots WHERE seq < (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 1 OFFSET ? - 1)"),
  };
}

/** Creates the schema in an empty database, or checks that it is an event store of log `name`. */
function setUpSchema(db: Database.Database, path: string, name: string, readOnly: boolean): void {
  const id = db.pragma("application_id", { simple: true }) as number;
  const tables = db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number;
  if (id === 0 && tables === 0) {
    if (readOnly) throw new StoreError("WRONG_LOG", path, "the database is empty: not an event store");
    db.transaction(() => {
      db.exec(SCHEMA);
      db.prepare("INSERT INTO meta (key, value) VALUES ('log', ?)").run(name);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${FORMAT_VERSION}`);
    }).immediate();
    return;
  }
  if (id !== APPLICATION_ID) throw new StoreError("WRONG_LOG", path, `not a pool2peer event store (application_id ${id})`);
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version !== FORMAT_VERSION) throw new StoreError("WRONG_LOG", path, `store format ${version}; this version reads format ${FORMAT_VERSION}`);
  const log = db.prepare("SELECT value FROM meta WHERE key = 'log'").pluck().get() as string | undefined;
  if (log !== name) throw new StoreError("WRONG_LOG", path, `the store holds the "${String(log)}" log, not the "${name}" log`);
}

/** Opens the database read-write or read-only and sets its pragmas; a file that is not SQLite is WRONG_LOG. */
export function openFile(path: string, readOnly: boolean): Database.Database {
  if (readOnly && !existsSync(path)) throw new StoreError("INVALID_INPUT", path, "no store at this path", { field: "path" });
  let db: Database.Database | undefined;
  try {
    db = new (sqlite())(path, { readonly: readOnly, fileMustExist: readOnly });
    if (!readOnly) {
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal") throw new Error(`journal_mode is ${String(mode)}, not wal`);
      db.pragma("synchronous = FULL");
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    }
    return db;
  } catch (e) {
    db?.close();
    if (sqliteCode(e) === "SQLITE_NOTADB") throw new StoreError("WRONG_LOG", path, "not a SQLite database", { cause: e });
    throw new StoreError(readOnly ? "INVALID_INPUT" : "WRITE_FAILED", path, `cannot open the store: ${describe(e)}`, { cause: e, field: "path" });
  }
}

/**
 * Opens (a writer creates) the store file at `path` for log `name`: the writer lock first, then the database.
 * Everything opened is closed again when a step fails.
 */
export function openDatabase(path: string, name: string, readOnly: boolean): OpenedDatabase {
  sqlite(); // a missing better-sqlite3 is a MissingDependencyError here, not a LOCKED or WRITE_FAILED below
  const lock = readOnly ? undefined : acquireLock(path);
  let db: Database.Database | undefined;
  try {
    const created = !existsSync(path);
    db = openFile(path, readOnly);
    try {
      setUpSchema(db, path, name, readOnly);
    } catch (e) {
      if (sqliteCode(e) === "SQLITE_NOTADB") throw new StoreError("WRONG_LOG", path, "not a SQLite database", { cause: e });
      throw e;
    }
    if (created) fsyncDirectory(path);
    return { db, statements: prepare(db), lock };
  } catch (e) {
    db?.close();
    lock?.close();
    throw e;
  }
}
