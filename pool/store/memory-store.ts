// The in-memory event store: browsers and tests. Arrays hold the log, a field the latest snapshot. Without a codec it
// keeps the event objects it is given and returns those same objects (fast; callers must not mutate them); with a
// codec it keeps each event's text and decodes on every read, so what is read back is a fresh, schema-checked copy,
// as from SqliteEventStore. Every append is "durable" when it returns (there is nothing to flush).
import { asyncDispose } from "../../bindings/global-types.js";
import type { EventHeader } from "../event-schema.js";
import type { EventCodec } from "./codec.js";
import { StoreError } from "./errors.js";
import { checkNext, checkPage, checkSnapshot, copySnapshot, EMPTY_HEAD, pages } from "./rules.js";
import type { EventStore, StoredSnapshot } from "./types.js";

/** Options of MemoryEventStore. */
export interface MemoryStoreOptions<E extends EventHeader> {
  /** Keep events as text through this codec (copies in, decoded copies out) instead of keeping the objects. */
  codec?: EventCodec<E>;
  /** Events per page of `iterate` (default 1,024). */
  pageSize?: number;
}

const STORE = "memory";

/**
 * An EventStore in memory (see EventStore for the contract).
 * @example
 * const store = new MemoryEventStore<PoolEvent>({ codec: POOL_LOG });
 * store.append([event1, event2]); store.read(1, 100);
 */
export class MemoryEventStore<E extends EventHeader = EventHeader> implements EventStore<E> {
  private log: (E | string)[] = [];
  private last: { seq: number; hash: string } = EMPTY_HEAD;
  private snapshot: StoredSnapshot | undefined;
  private closed = false;
  private readonly codec: EventCodec<E> | undefined;
  private readonly pageSize: number;

  constructor(options: MemoryStoreOptions<E> = {}) {
    this.codec = options.codec;
    this.pageSize = options.pageSize ?? 1024;
    if (!Number.isSafeInteger(this.pageSize) || this.pageSize < 1) {
      throw new StoreError("INVALID_INPUT", STORE, `pageSize must be an integer ≥ 1, got ${String(options.pageSize)}`, { field: "pageSize" });
    }
  }

  head(): { seq: number; hash: string } {
    this.open();
    return { ...this.last };
  }

  append(events: readonly E[]): void {
    this.open();
    const entries: (E | string)[] = [];
    let seq = this.last.seq;
    // Everything is checked (and encoded) before anything is kept: a throw leaves the log as it was.
    for (const [i, event] of events.entries()) {
      checkNext(STORE, seq, event, i);
      entries.push(this.codec ? this.codec.encode(event) : event);
      seq = event.seq;
    }
    if (entries.length === 0) return;
    for (const entry of entries) this.log.push(entry);
    const newest = events[events.length - 1]!;
    this.last = { seq: newest.seq, hash: newest.hash };
  }

  flush(): void {
    this.open();
  }

  read(fromSeq: number, limit: number): E[] {
    this.open();
    checkPage(STORE, fromSeq, limit);
    const start = Math.max(fromSeq, 1) - 1;
    return this.log.slice(start, start + limit).map((entry, i) => this.decode(entry, start + i + 1));
  }

  iterate(fromSeq = 1): IterableIterator<E> {
    return pages(STORE, fromSeq, this.pageSize, (from, limit) => this.read(from, limit));
  }


  saveSnapshot(snapshot: StoredSnapshot): void {
    this.open();
    checkSnapshot(STORE, snapshot, this.last.seq, (seq) => this.decode(this.log[seq - 1]!, seq).hash);
    if (this.snapshot === undefined || snapshot.seq >= this.snapshot.seq) this.snapshot = copySnapshot(snapshot);
  }

  latestSnapshot(): StoredSnapshot | undefined {
    this.open();
    return this.snapshot && copySnapshot(this.snapshot);
  }

  /** close(), for `await using store = new ...(...)`. */
  async [asyncDispose](): Promise<void> {
    this.close();
  }

  close(): void {
    this.closed = true;
    this.log = [];
    this.snapshot = undefined;
  }

  private decode(entry: E | string, seq: number): E {
    return typeof entry === "string" ? this.codec!.decode(entry, `seq ${seq}`) : entry;
  }

  private open(): void {
    if (this.closed) throw new StoreError("CLOSED", STORE, "the store is closed");
  }
}
