// The service's durable record, behind one interface (ServiceLog). What one request (or one oracle print) changed is
// one record: the pool's new events, the book's new events, the oracle prints and a parameter change, written whole
// or not at all, so a crash never keeps a pool trade without the book fills of the same order. Records are
// group-committed: `append` queues, `flush` resolves once everything queued before it is durable (one transaction or
// write, one fsync, for every record queued meanwhile), and the server acknowledges a request only after its flush.
//
// Two formats, chosen by the --db file's name:
//   *.jsonl   one JSON line per record (jsonl-log.ts); a restart replays the whole file.
//   otherwise a SQLite database (sqlite-log.ts): the pool and the book write through its two logs, and a restart
//             starts from the latest verified snapshot and replays only the events after it.
import type { BookEvent } from "../pool/book/events.js";
import type { PoolEvent } from "../pool/events.js";
import type { OracleSnapshot } from "../pool/oracle.js";
import type { PoolParams } from "../pool/params.js";
import type { EventStore } from "../pool/store/types.js";
import { JsonLinesLog } from "./jsonl-log.js";
import { ServiceDatabase } from "./sqlite-log.js";

/** An oracle print as stored (no surface function: a surface feed will store its parameters). */
export type StoredPrint = Pick<OracleSnapshot, "spot" | "baseVol" | "timestamp" | "skew">;

/** What one operation changed. */
export interface ServiceRecord {
  pool: readonly PoolEvent[];
  book: readonly BookEvent[];
  prints: readonly StoredPrint[];
  /** Parameters from this record on: JSON-lines logs written before changes became paramsChanged pool events (read only). */
  params?: Partial<PoolParams>;
}

/** The durable record of one service. */
export interface ServiceLog {
  /** The pool's event store: the pool appends to it, and resumes from it (OptionPool.open). */
  readonly poolStore: EventStore<PoolEvent>;
  /** The peer book's event store. */
  readonly bookStore: EventStore<BookEvent>;
  /** Whether the pool's snapshots are kept across restarts (the JSON-lines format keeps none). */
  readonly keepsSnapshots: boolean;
  /** A JSON-lines log's last parameter record from before paramsChanged events, if any (read only). */
  readonly params: Partial<PoolParams> | undefined;
  /** The stored prints from `seconds` before the latest one on, oldest first. */
  recentPrints(seconds: number): StoredPrint[];
  /** Queues a record (its pool and book events are already in the stores); durable once a later `flush()` resolves. */
  append(record: ServiceRecord): void;
  /** Resolves when every record appended before the call is durable; rejects (and every later call too) if a write fails. */
  flush(): Promise<void>;
  /** Calls `hook` right after each successful write, before anything else runs: the moment a snapshot covers whole records. */
  afterWrite(hook: () => void): void;
  /** Flushes, then releases the file. */
  close(): Promise<void>;
}

/** Opens the log at `path` (created when missing): JSON lines for `*.jsonl`, else a SQLite database. */
export function openServiceLog(path: string): ServiceLog {
  return path.endsWith(".jsonl") ? JsonLinesLog.open(path) : SqliteServiceLog.open(path);
}

/**
 * A ServiceLog over a ServiceDatabase. Group commit: `flush` schedules one write for the end of this turn of the
 * event loop (setImmediate), so every request handled in the turn shares its transaction; the transaction is
 * synchronous (better-sqlite3, no fsync), the WAL's fdatasync asynchronous, and the flushes waiting on the write
 * resolve when it is done. Requests handled during the fdatasync go into the next write.
 */
export class SqliteServiceLog implements ServiceLog {
  private waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private scheduled = false;
  private syncing = false;
  private failure: Error | undefined;
  private hook: (() => void) | undefined;
  /** Parameter changes are paramsChanged events in the pool's log. */
  readonly params = undefined;
  readonly keepsSnapshots = true;

  private constructor(readonly db: ServiceDatabase) {}

  static open(path: string): SqliteServiceLog {
    return new SqliteServiceLog(ServiceDatabase.open(path));
  }

  get poolStore(): EventStore<PoolEvent> {
    return this.db.pool;
  }

  get bookStore(): EventStore<BookEvent> {
    return this.db.book;
  }

  recentPrints(seconds: number): StoredPrint[] {
    const last = this.db.lastPrintTime();
    return last === undefined ? [] : this.db.printsSince(last - seconds).map((text) => JSON.parse(text) as StoredPrint);
  }

  append(record: ServiceRecord): void {
    if (this.failure) throw this.failure;
    this.db.queue(record.prints.map((p) => ({ timestamp: p.timestamp, print: JSON.stringify(p) })));
  }

  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.db.hasPending && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.scheduled && !this.syncing) this.schedule();
    });
  }

  afterWrite(hook: () => void): void {
    this.hook = hook;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.db.close();
    }
  }

  private schedule(): void {
    this.scheduled = true;
    setImmediate(() => this.write());
  }

  /** Writes everything pending in one transaction, runs the hook, fdatasyncs, and answers the flushes that waited. */
  private write(): void {
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    const fail = (e: unknown) => {
      this.failure = new Error(`service log write failed: ${(e as Error).message}`, { cause: e });
      for (const w of [...waiting, ...this.waiting]) w.reject(this.failure);
      this.waiting = [];
    };
    try {
      this.db.writeNow();
      this.hook?.();
    } catch (e) {
      return fail(e);
    }
    this.syncing = true;
    this.db.syncWal((e) => {
      this.syncing = false;
      if (e) return fail(e);
      for (const w of waiting) w.resolve();
      if (this.waiting.length > 0 && !this.scheduled) this.schedule();
    });
  }
}
