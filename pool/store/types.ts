// The contract between a pool (or its peer book) and the durable record of its events: an append-only log of chained
// events plus snapshots of the state at some seq. The pool keeps only its state, its last seq and hash in memory;
// everything else is read back from the store, a page at a time. Implementations: MemoryEventStore (browsers, tests),
// SqliteEventStore (Node, better-sqlite3: the default durable store), and the JSON-lines journal as an import and
// export format (pool/journal). All calls are synchronous: the pool's commit is.
import type { EventHeader } from "../event-schema.js";

/** A stored snapshot: the state at `seq` (the pool's snapshot JSON), the chain head there, and a MAC under the ledger key. */
export interface StoredSnapshot {
  seq: number;
  /** Hash of event `seq` (the chain head the state is at): checked against the log on restart. */
  hash: string;
  /** The state as JSON text (OptionPool snapshot format). */
  state: string;
  /** HMAC-SHA-256 of the snapshot's content under the ledger key, when the pool has one. */
  mac?: string;
}

/** An append-only log of events of one kind (pool events, or book events) with snapshots. */
export interface EventStore<E extends EventHeader = EventHeader> {
  /** Seq and hash of the last event stored (seq 0 and hash "" when empty). */
  head(): { seq: number; hash: string };
  /**
   * Appends the events of one commit (seqs head + 1, head + 2, ... in order). All or nothing: when it throws, the
   * store is as before and the caller must not install the commit. Durable when it returns, or at the next flush()
   * for a store that batches (its documentation says which).
   */
  append(events: readonly E[]): void;
  /** Makes everything appended durable (one fsync for the batch); a no-op for stores that are durable per append. */
  flush(): void;
  /** Up to `limit` events from seq `fromSeq` on, oldest first (a page). */
  read(fromSeq: number, limit: number): E[];
  /** Every event from seq `fromSeq` on, oldest first, read a page at a time (never the whole log in memory). */
  iterate(fromSeq?: number): IterableIterator<E>;
  /** Stores a snapshot (after the events up to its seq are stored). */
  saveSnapshot(snapshot: StoredSnapshot): void;
  /** The snapshot with the highest seq, if any. */
  latestSnapshot(): StoredSnapshot | undefined;
  /** Releases the store (files, locks). Further calls throw. */
  close(): void;
}

/**
 * A store that can read the log with its hash chain (and MACs) checked on the way, in another thread
 * (SqliteEventStore: pool/store/checked-reader.ts). The events it yields are those `iterate` yields, in the same
 * order; the ones it checked are marked (ledger-chain.ts markChainChecked) and the replay does not hash them again.
 */
export interface ChainCheckingReads<E extends EventHeader> {
  /** Every event from `fromSeq` on, as iterate(fromSeq); `previous`: the hash before `fromSeq`; `key`: the ledger key. */
  iterateChecked(fromSeq: number, previous: string, key: Uint8Array | undefined): IterableIterator<E>;
}
