// The service's durable record in one SQLite file (`--db pool.sqlite`): the pool's log and the peer book's log (each an
// EventStore the pool and the book write through, with snapshots) and the oracle prints (parameter changes are pool
// events). Everything one request changed goes into one transaction, so a crash never keeps the pool part of an order
// without its book fills: the two logs keep their events in memory (reads see them) until the service's group commit
// writes both, with the prints, in one transaction and one fsync (WAL, synchronous=FULL, the pragmas and the writer
// lock of pool/store/sqlite-database.ts). One file, not one SqliteEventStore per log: two files would be two
// transactions, and a crash between them would keep half a record.
import type Database from "better-sqlite3";
import type { BookEvent } from "../pool/book/events.js";
import type { EventHeader } from "../pool/event-schema.js";
import type { PoolEvent } from "../pool/events.js";
import { BOOK_LOG, POOL_LOG, type EventCodec } from "../pool/store/codec.js";
import { describe, StoreError } from "../pool/store/errors.js";
import { fsyncDirectory } from "../pool/store/files.js";
import { checkNext, checkPage, checkSnapshot, copySnapshot, decodeStoredRow, EMPTY_HEAD, pages } from "../pool/store/rules.js";
import { acquireLock, openFile, sqliteCode } from "../pool/store/sqlite-database.js";
import type { Statements } from "../pool/store/sqlite-statements.js";
import type { EventStore, StoredSnapshot } from "../pool/store/types.js";
import { closeSync, existsSync, fdatasync, openSync } from "node:fs";

/** PRAGMA application_id of a service database: "p2sv" in ASCII (an event store of pool/store is "p2ps"). */
const APPLICATION_ID = 0x70327376;
/** PRAGMA user_version: the layout below. */
const FORMAT_VERSION = 1;
/** Snapshots kept per log, newest first: the one before the newest stays in case the newest cannot be read. */
const KEEP_SNAPSHOTS = 2;

const SCHEMA = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE pool_events (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, event TEXT NOT NULL);
  CREATE TABLE book_events (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, event TEXT NOT NULL);
  CREATE TABLE snapshots (log TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, state TEXT NOT NULL, mac TEXT, PRIMARY KEY (log, seq)) WITHOUT ROWID;
  CREATE TABLE prints (id INTEGER PRIMARY KEY, timestamp REAL NOT NULL, print TEXT NOT NULL);
  CREATE INDEX prints_by_time ON prints (timestamp);
`;

/** An event kept in memory until the next write: the object appended and its text for the database. */
interface PendingRow<E> {
  seq: number;
  hash: string;
  text: string;
  event: E;
}


function logStatements(db: Database.Database, table: string, log: string): Statements {
  return {
    insert: db.prepare(`INSERT INTO ${table} (seq, hash, event) VALUES (?, ?, ?)`),
    page: db.prepare<[number, number], [number, string, string]>(`SELECT seq, hash, event FROM ${table} WHERE seq >= ? ORDER BY seq LIMIT ?`).raw(true),
    head: db.prepare<[], [number, string]>(`SELECT seq, hash FROM ${table} ORDER BY seq DESC LIMIT 1`).raw(true),
    hashAt: db.prepare<[number], string>(`SELECT hash FROM ${table} WHERE seq = ?`).pluck(true),
    saveSnapshot: db.prepare(`INSERT OR REPLACE INTO snapshots (log, seq, hash, state, mac) VALUES ('${log}', ?, ?, ?, ?)`),
    latestSnapshot: db.prepare<[], [number, string, string, string | null]>(`SELECT seq, hash, state, mac FROM snapshots WHERE log = '${log}' ORDER BY seq DESC LIMIT 1`).raw(true),
    pruneSnapshots: db.prepare(`DELETE FROM snapshots WHERE log = '${log}' AND seq < (SELECT seq FROM snapshots WHERE log = '${log}' ORDER BY seq DESC LIMIT 1 OFFSET ? - 1)`),
  };
}

/** What a log needs of the database it lives in. */
export interface LogHost {
  /** Writes every log's pending events (and `also`) in one transaction; WRITE_FAILED (rolled back, kept) otherwise. */
  writeNow(also?: () => void): void;
  /** Throws CLOSED once the database is closed. */
  checkOpen(): void;
}

/**
 * One log of the service database as an EventStore (the contract of pool/store/types.ts): append keeps the events in
 * memory (head, read and iterate see them), flush and saveSnapshot write everything pending in the database, every
 * row read from the database is checked as SqliteEventStore checks it (decodes through the codec, its seq and hash
 * are the row's). Pending events read back as the objects appended, as MemoryEventStore without a codec keeps them:
 * the service reads each operation's events right after the operation (PoolService's record), and decoding the text
 * just encoded from them was a sixth of a trade's time in the server.
 */
export class ServiceLogTable<E extends EventHeader> implements EventStore<E> {
  private durable: { seq: number; hash: string };
  private pending: PendingRow<E>[] = [];

  constructor(private readonly host: LogHost, private readonly where: string, private readonly codec: EventCodec<E>, private readonly st: Statements) {
    const row = st.head.get();
    this.durable = row === undefined ? { ...EMPTY_HEAD } : { seq: row[0], hash: row[1] };
  }

  head(): { seq: number; hash: string } {
    this.host.checkOpen();
    const last = this.pending.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : { ...this.durable };
  }

  append(events: readonly E[]): void {
    const rows: PendingRow<E>[] = [];
    let seq = this.head().seq;
    for (const [i, event] of events.entries()) {
      checkNext(this.where, seq, event, i);
      rows.push({ seq: event.seq, hash: event.hash, text: this.codec.encode(event), event });
      seq = event.seq;
    }
    for (const row of rows) this.pending.push(row);
  }

  flush(): void {
    this.host.writeNow();
  }

  read(fromSeq: number, limit: number): E[] {
    this.host.checkOpen();
    checkPage(this.where, fromSeq, limit);
    const start = Math.max(fromSeq, 1);
    const out: E[] = [];
    if (limit > 0 && start <= this.durable.seq) {
      for (const [seq, hash, text] of this.st.page.all(start, Math.min(limit, this.durable.seq - start + 1))) {
        if (seq !== start + out.length) throw new StoreError("CORRUPT", this.where, `seq ${start + out.length} is missing (the next row holds seq ${seq})`, { seq: start + out.length });
        out.push(this.decodeRow(seq, hash, text));
      }
      const next = start + out.length;
      if (out.length < limit && next <= this.durable.seq) throw new StoreError("CORRUPT", this.where, `seq ${next} is missing (the log's head is seq ${this.durable.seq})`, { seq: next });
    }
    const first = this.durable.seq + 1;
    for (let seq = Math.max(start + out.length, first); out.length < limit && seq - first < this.pending.length; seq++) {
      out.push(this.pending[seq - first]!.event);
    }
    return out;
  }

  iterate(fromSeq = 1): IterableIterator<E> {
    return pages(this.where, fromSeq, 1024, (from, limit) => this.read(from, limit));
  }

  /** Stores a snapshot together with everything pending (of both logs): one transaction. */
  saveSnapshot(snapshot: StoredSnapshot): void {
    checkSnapshot(this.where, snapshot, this.head().seq, (seq) => this.hashAt(seq));
    const s = copySnapshot(snapshot);
    this.host.writeNow(() => {
      this.st.saveSnapshot.run(s.seq, s.hash, s.state, s.mac ?? null);
      this.st.pruneSnapshots.run(KEEP_SNAPSHOTS);
    });
  }

  latestSnapshot(): StoredSnapshot | undefined {
    this.host.checkOpen();
    const row = this.st.latestSnapshot.get();
    if (row === undefined) return undefined;
    const [seq, hash, state, mac] = row;
    if (this.st.hashAt.get(seq) !== hash) throw new StoreError("CORRUPT", this.where, `the snapshot at seq ${seq} does not match the log's hash at seq ${seq}`, { seq });
    return mac === null ? { seq, hash, state } : { seq, hash, state, mac };
  }

  /** The database closes its logs (ServiceDatabase.close). */
  close(): void {}

  /** Whether events wait for the next write. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Inserts the pending rows (inside the host's transaction). */
  insertPending(): void {
    for (const row of this.pending) this.st.insert.run(row.seq, row.hash, row.text);
  }

  /** After the host's transaction committed: the pending rows are durable. */
  committed(): void {
    const last = this.pending.at(-1);
    if (last) this.durable = { seq: last.seq, hash: last.hash };
    this.pending = [];
  }

  private decodeRow(seq: number, hash: string, text: string): E {
    return decodeStoredRow(this.codec, this.where, seq, hash, text);
  }

  private hashAt(seq: number): string | undefined {
    if (seq > this.durable.seq) return this.pending[seq - this.durable.seq - 1]?.hash;
    return this.st.hashAt.get(seq);
  }
}

/** An oracle print as stored. */
export interface PrintRow {
  timestamp: number;
  /** The print as JSON text. */
  print: string;
}

/** The open service database: its two logs and the prints, written in one transaction per `writeNow`. */
export class ServiceDatabase implements LogHost {
  readonly pool: ServiceLogTable<PoolEvent>;
  readonly book: ServiceLogTable<BookEvent>;
  private prints: PrintRow[] = [];
  private closed = false;
  private walFd: number | undefined;
  private readonly insertPrint: Database.Statement<[number, string]>;

  private constructor(readonly path: string, private readonly db: Database.Database, private readonly lock: Database.Database) {
    this.pool = new ServiceLogTable(this, `${path} (pool log)`, POOL_LOG, logStatements(db, "pool_events", "pool"));
    this.book = new ServiceLogTable(this, `${path} (book log)`, BOOK_LOG, logStatements(db, "book_events", "book"));
    this.insertPrint = db.prepare("INSERT INTO prints (timestamp, print) VALUES (?, ?)");
  }

  /** Opens (creates when missing) the database at `path`, taking its writer lock (LOCKED when another process has it). */
  static open(path: string): ServiceDatabase {
    const lock = acquireLock(path);
    let db: Database.Database | undefined;
    try {
      const created = !existsSync(path);
      db = openFile(path, false);
      setUpSchema(db, path);
      // Commits write the WAL without an fsync; the service log fsyncs it asynchronously (syncWal) before it
      // acknowledges, so the event loop keeps serving during the fsync. Checkpoints still fsync inside SQLite.
      db.pragma("synchronous = NORMAL");
      if (created) fsyncDirectory(path);
      return new ServiceDatabase(path, db, lock);
    } catch (e) {
      db?.close();
      lock.close();
      if (sqliteCode(e) === "SQLITE_NOTADB") throw new StoreError("WRONG_LOG", path, "not a SQLite database", { cause: e });
      throw e;
    }
  }

  /** The stored prints with a timestamp ≥ `since` (unix seconds), oldest first. */
  printsSince(since: number): string[] {
    return this.db.prepare<[number], string>("SELECT print FROM prints WHERE timestamp >= ? ORDER BY id").pluck(true).all(since);
  }

  /** The timestamp of the last stored print, if any. */
  lastPrintTime(): number | undefined {
    return this.db.prepare<[], number>("SELECT timestamp FROM prints ORDER BY id DESC LIMIT 1").pluck(true).get();
  }

  /** Queues prints for the next write. */
  queue(prints: readonly PrintRow[]): void {
    this.checkOpen();
    for (const p of prints) this.prints.push(p);
  }

  /** Whether anything waits for the next write. */
  get hasPending(): boolean {
    return this.pool.hasPending || this.book.hasPending || this.prints.length > 0;
  }

  writeNow(also?: () => void): void {
    this.checkOpen();
    if (!this.hasPending && also === undefined) return;
    const prints = this.prints;
    try {
      this.db.transaction(() => {
        this.pool.insertPending();
        this.book.insertPending();
        for (const p of prints) this.insertPrint.run(p.timestamp, p.print);
        also?.();
      }).immediate();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError("WRITE_FAILED", this.path, `the write was rolled back: ${describe(e)}`, { cause: e });
    }
    this.pool.committed();
    this.book.committed();
    this.prints = [];
  }

  checkOpen(): void {
    if (this.closed) throw new StoreError("CLOSED", this.path, "the database is closed");
  }

  /**
   * fdatasyncs the write-ahead log (what synchronous=FULL does inside each commit), off the event loop: every
   * transaction committed before the call is durable when `done` is called without an error.
   */
  syncWal(done: (error: Error | null) => void): void {
    if (this.walFd === undefined) {
      try {
        this.walFd = openSync(`${this.path}-wal`, "r");
        fsyncDirectory(this.path); // the WAL file's name, made on the first write
      } catch (e) {
        return done(e as Error);
      }
    }
    fdatasync(this.walFd, done);
  }

  /** Writes what is pending, then closes the database and releases the writer lock. Idempotent. */
  close(): void {
    if (this.closed) return;
    try {
      if (this.hasPending) this.writeNow();
    } finally {
      this.closed = true;
      if (this.walFd !== undefined) closeSync(this.walFd);
      this.db.close();
      this.lock.close();
    }
  }
}

/** Creates the schema in an empty database, or checks that it is a service database of this format. */
function setUpSchema(db: Database.Database, path: string): void {
  const id = db.pragma("application_id", { simple: true }) as number;
  const tables = db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number;
  if (id === 0 && tables === 0) {
    db.transaction(() => {
      db.exec(SCHEMA);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${FORMAT_VERSION}`);
    }).immediate();
    return;
  }
  if (id !== APPLICATION_ID) throw new StoreError("WRONG_LOG", path, `not a pool2peer service database (application_id ${id})`);
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version !== FORMAT_VERSION) throw new StoreError("WRONG_LOG", path, `service database format ${version}; this version reads format ${FORMAT_VERSION}`);
}
