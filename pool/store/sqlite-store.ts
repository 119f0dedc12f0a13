// The durable event store for Node: one SQLite file per log (sqlite-database.ts has the layout, the pragmas and the
// writer lock). Two commit modes:
//   "each"  (default) every append is one transaction, fsynced before it returns: acknowledged = durable.
//   "group" append checks and encodes the events and keeps them in memory (reads and head() see them); flush()
//           writes everything kept in one transaction and one fsync. Acknowledged = flushed. A failed flush keeps
//           the events for the next flush; a crash before a flush loses them (they were never acknowledged).
// Reads go a page at a time (one prepared SELECT ... LIMIT per page), each row checked: its text decodes through the
// codec to an event with the row's seq and the hash of the row's hash column, else CORRUPT naming the seq.
import { asyncDispose } from "../../bindings/global-types.js";
import type { EventHeader } from "../event-schema.js";
import type { PoolEvent } from "../events.js";
import { checkedEvents } from "./checked-reader.js";
import type { EventCodec } from "./codec.js";
import { isLogName, POOL_LOG } from "./codec.js";
import { describe, StoreError } from "./errors.js";
import { checkNext, checkPage, checkSnapshot, copySnapshot, decodeStoredRow, EMPTY_HEAD, pages } from "./rules.js";
import { openDatabase, type OpenedDatabase } from "./sqlite-database.js";
import type { EventStore, StoredSnapshot } from "./types.js";

/** When appended events become durable: at each append ("each"), or at flush() ("group"). */
export type CommitMode = "each" | "group";

/** Options of SqliteEventStore: the log's codec, and how to open it. */
export interface SqliteStoreOptions<E extends EventHeader> extends EventCodec<E> {
  /** Open without the writer lock and without writing (default false). Writes throw READ_ONLY. */
  readOnly?: boolean;
  /** "each" (default): one transaction and fsync per append; "group": one per flush(). */
  commit?: CommitMode;
  /** Events per page of `iterate` (default 1,024). */
  pageSize?: number;
  /** Snapshots kept, newest first (default 2; older ones are deleted when a snapshot is saved). */
  keepSnapshots?: number;
}

/** An event kept by a group-commit store until its flush. */
interface PendingRow {
  seq: number;
  hash: string;
  text: string;
}

/**
 * An EventStore in a SQLite file (see EventStore for the contract, docs/store.md for the guarantees).
 * @example
 * const store = new SqliteEventStore("pool.db", POOL_LOG);                 // pool events, fsync per append
 * const book = new SqliteEventStore("book.db", { ...BOOK_LOG, commit: "group" });
 * const reader = new SqliteEventStore("pool.db", { ...POOL_LOG, readOnly: true });
 */
export class SqliteEventStore<E extends EventHeader = EventHeader> implements EventStore<E> {
  readonly path: string;
  readonly readOnly: boolean;
  readonly commit: CommitMode;
  private opened: OpenedDatabase | undefined;
  private readonly codec: EventCodec<E>;
  private readonly pageSize: number;
  private readonly keepSnapshots: number;
  /** Head of what the database holds (a writer's own writes only: no other writer exists). */
  private durable: { seq: number; hash: string };
  private pending: PendingRow[] = [];

  constructor(path: string, options: SqliteStoreOptions<E>) {
    this.path = path;
    this.readOnly = options.readOnly ?? false;
    this.commit = options.commit ?? "each";
    this.pageSize = options.pageSize ?? 1024;
    this.keepSnapshots = options.keepSnapshots ?? 2;
    this.codec = { name: options.name, encode: options.encode, decode: options.decode };
    this.checkOptions(options);
    this.opened = openDatabase(path, options.name, this.readOnly);
    this.durable = this.readHead();
  }

  head(): { seq: number; hash: string } {
    this.db();
    if (this.readOnly) this.durable = this.readHead(); // a writer elsewhere may have appended since
    const last = this.pending.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : { ...this.durable };
  }

  append(events: readonly E[]): void {
    this.writable();
    if (events.length === 0) return;
    if (this.commit === "group") {
      for (const row of this.encode(events, this.head().seq)) this.pending.push(row);
      return;
    }
    const { insert } = this.db().statements;
    // Checked and encoded inside the transaction: a failure at any event rolls back the rows before it.
    this.transact(() => {
      let seq = this.durable.seq;
      for (const [i, event] of events.entries()) {
        checkNext(this.path, seq, event, i);
        insert.run(event.seq, event.hash, this.codec.encode(event));
        seq = event.seq;
      }
    });
    const last = events[events.length - 1]!;
    this.durable = { seq: last.seq, hash: last.hash };
  }

  flush(): void {
    this.db();
    if (this.pending.length === 0) return;
    this.writable();
    this.writePending(() => {});
  }

  read(fromSeq: number, limit: number): E[] {
    checkPage(this.path, fromSeq, limit);
    const { statements } = this.db();
    const start = Math.max(fromSeq, 1);
    const out: E[] = [];
    if (limit > 0 && (this.readOnly || start <= this.durable.seq)) {
      for (const [seq, hash, text] of statements.page.all(start, limit)) {
        const expected = start + out.length;
        if (seq !== expected) throw new StoreError("CORRUPT", this.path, `seq ${expected} is missing (the next row holds seq ${seq})`, { seq: expected });
        out.push(this.decodeRow(seq, hash, text));
      }
      const next = start + out.length;
      if (!this.readOnly && out.length < limit && next <= this.durable.seq) {
        throw new StoreError("CORRUPT", this.path, `seq ${next} is missing (the log's head is seq ${this.durable.seq})`, { seq: next });
      }
    }
    const first = this.durable.seq + 1;
    for (let seq = Math.max(start + out.length, first); out.length < limit && seq - first < this.pending.length; seq++) {
      const row = this.pending[seq - first]!;
      out.push(this.decodeRow(row.seq, row.hash, row.text));
    }
    return out;
  }

  iterate(fromSeq = 1): IterableIterator<E> {
    return pages(this.path, fromSeq, this.pageSize, (from, limit) => this.read(from, limit));
  }

  /**
   * The pool log's events from `fromSeq` on, as iterate(fromSeq), read, decoded and chain-checked after `previous`
   * (MACs under `key`) in a reader thread when the log is long (checked-reader.ts): a pool's replay (ChainCheckingReads).
   */
  iterateChecked(fromSeq: number, previous: string, key: Uint8Array | undefined): IterableIterator<E> {
    checkPage(this.path, fromSeq, 0);
    // The reader thread has its own connection: it sees what is written (no pending rows), of the pool's log only.
    if ((this.codec.decode as unknown) !== POOL_LOG.decode || this.pending.length > 0 || this.path === ":memory:" || this.path === "")
      return this.iterate(fromSeq);
    const job = { path: this.path, fromSeq: Math.max(fromSeq, 1), until: this.head().seq, previous, key, pageSize: this.pageSize };
    return checkedEvents(job, (from) => this.iterate(from) as IterableIterator<PoolEvent>) as IterableIterator<E>;
  }


  saveSnapshot(snapshot: StoredSnapshot): void {
    this.writable();
    const { statements } = this.db();
    checkSnapshot(this.path, snapshot, this.head().seq, (seq) => this.hashAt(seq));
    const s = copySnapshot(snapshot);
    // With the pending events, in one transaction: a snapshot is never stored without the events it covers.
    const save = () => {
      statements.saveSnapshot.run(s.seq, s.hash, s.state, s.mac ?? null);
      statements.pruneSnapshots.run(this.keepSnapshots);
    };
    if (this.pending.length > 0) this.writePending(save);
    else this.transact(save);
  }

  latestSnapshot(): StoredSnapshot | undefined {
    const { statements } = this.db();
    const row = statements.latestSnapshot.get();
    if (row === undefined) return undefined;
    const [seq, hash, state, mac] = row;
    if (statements.hashAt.get(seq) !== hash) {
      throw new StoreError("CORRUPT", this.path, `the snapshot at seq ${seq} does not match the log's hash at seq ${seq}`, { seq });
    }
    return mac === null ? { seq, hash, state } : { seq, hash, state, mac };
  }

  /**
   * Runs SQLite's integrity check of the whole file (b-trees, pages, indexes; it reads every page): CORRUPT with
   * SQLite's findings. The log's own rules (contiguous seqs, the hash chain) are checked by verifyLog.
   */
  checkIntegrity(): void {
    const findings = this.db().db.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    const problems = findings.map((r) => r.integrity_check).filter((r) => r !== "ok");
    if (problems.length > 0) throw new StoreError("CORRUPT", this.path, `integrity check: ${problems.slice(0, 5).join("; ")}`);
  }

  /** close(), for `await using store = new ...(...)`. */
  async [asyncDispose](): Promise<void> {
    this.close();
  }

  /** Flushes (group mode), then closes the database and releases the writer lock. Idempotent. */
  close(): void {
    const opened = this.opened;
    if (opened === undefined) return;
    try {
      if (this.pending.length > 0) this.writePending(() => {});
    } finally {
      this.opened = undefined;
      this.pending = [];
      opened.db.close();
      opened.lock?.close();
    }
  }

  private checkOptions(options: SqliteStoreOptions<E>): void {
    const bad = (field: string, problem: string) => new StoreError("INVALID_INPUT", this.path, `${field} ${problem}`, { field });
    if (!isLogName(options.name)) throw bad("name", "must be 1-32 characters of a-z, 0-9 and -");
    if (typeof options.encode !== "function" || typeof options.decode !== "function") throw bad("encode", "and decode must be functions");
    if (this.commit !== "each" && this.commit !== "group") throw bad("commit", `must be "each" or "group"`);
    if (!Number.isSafeInteger(this.pageSize) || this.pageSize < 1) throw bad("pageSize", "must be an integer ≥ 1");
    if (!Number.isSafeInteger(this.keepSnapshots) || this.keepSnapshots < 1) throw bad("keepSnapshots", "must be an integer ≥ 1");
  }

  /** The events checked against the log's head `seq` and encoded, all before anything is kept. */
  private encode(events: readonly E[], seq: number): PendingRow[] {
    const rows: PendingRow[] = [];
    for (const [i, event] of events.entries()) {
      checkNext(this.path, seq, event, i);
      rows.push({ seq: event.seq, hash: event.hash, text: this.codec.encode(event) });
      seq = event.seq;
    }
    return rows;
  }

  /** Writes the pending events (and whatever `also` writes) in one transaction; on failure they stay pending. */
  private writePending(also: () => void): void {
    const { insert } = this.db().statements;
    const rows = this.pending;
    this.transact(() => {
      for (const row of rows) insert.run(row.seq, row.hash, row.text);
      also();
    });
    const last = rows[rows.length - 1]!;
    this.durable = { seq: last.seq, hash: last.hash };
    this.pending = [];
  }

  /** Runs `write` in one immediate transaction; a database failure becomes WRITE_FAILED (rolled back, nothing kept). */
  private transact(write: () => void): void {
    try {
      this.db().db.transaction(write).immediate();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError("WRITE_FAILED", this.path, `the write was rolled back: ${describe(e)}`, { cause: e });
    }
  }

  private decodeRow(seq: number, hash: string, text: string): E {
    return decodeStoredRow(this.codec, this.path, seq, hash, text);
  }

  private hashAt(seq: number): string | undefined {
    if (seq > this.durable.seq) return this.pending[seq - this.durable.seq - 1]?.hash;
    return this.db().statements.hashAt.get(seq);
  }

  private readHead(): { seq: number; hash: string } {
    const row = this.db().statements.head.get();
    return row === undefined ? { ...EMPTY_HEAD } : { seq: row[0], hash: row[1] };
  }

  private db(): OpenedDatabase {
    if (this.opened === undefined) throw new StoreError("CLOSED", this.path, "the store is closed");
    return this.opened;
  }

  private writable(): void {
    this.db();
    if (this.readOnly) throw new StoreError("READ_ONLY", this.path, "the store was opened read-only");
  }
}
