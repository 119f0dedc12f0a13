// Per-series values kept in step with a ledger's book columns (PoolState.columns, pool/book-columns.ts): each sync
// compares the columns row by row with what the cache last saw — a few number comparisons per series, no pricing —
// and reports the series that opened, changed size or closed since, so a consumer reprices only the opened ones and
// moves its totals by the changed ones' contributions. The cache holds no market: when what its values depend on (spot,
// vol, time, scenarios) changes, a consumer reprices every entry in place. It reads the columns as they are, so a draft that was rolled
// back, a settlement or several commits between two syncs are all seen as the difference they left.
import type { BookColumns } from "../book-columns.js";

/** One cached series: its terms, the size and collateral the consumer's totals hold for it, and its values. */
export interface CachedSeries {
  /** Series key (pool/ledger.ts seriesKey). */
  readonly key: string;
  /** +1 call, −1 put. */
  readonly type: number;
  readonly strike: number;
  /** Unix seconds. */
  readonly expiry: number;
  /** Open size in size units, as counted in the consumer's totals. */
  size: number;
  /** Locked collateral in base units, as counted in the consumer's totals. */
  locked: number;
  /** The consumer's values of this series (prices per contract under its scenarios...), valid for its market. */
  readonly values: Float64Array;
  /** Sync round that last saw it. */
  seen: number;
}

/** A series whose size or collateral changed: the entry (now with the new ones) and what the totals held before. */
export interface ResizedSeries {
  entry: CachedSeries;
  size: number;
  locked: number;
}

/** What changed between two syncs. */
export interface SeriesChanges {
  /** New series: their `values` are to be filled by the consumer, then counted. */
  opened: CachedSeries[];
  resized: ResizedSeries[];
  /** Series no longer in the book: to be taken out of the totals. */
  closed: CachedSeries[];
}

/** The cache: entries by key, and a mirror of the column rows for the comparison. */
export class SeriesCache {
  private readonly byKey = new Map<string, CachedSeries>();
  /** Entry at each column row when last synced (rows move when a series closes: then looked up by key). */
  private rows: (CachedSeries | undefined)[] = [];
  private round = 0;

  /** @param valuesLength Values per series (Float64 each): the consumer's scenarios. */
  constructor(readonly valuesLength: number) {}

  /** Cached series. */
  get size(): number {
    return this.byKey.size;
  }

  /** Every cached series (in no particular order). */
  entries(): IterableIterator<CachedSeries> {
    return this.byKey.values();
  }

  /** Brings the cache to `columns`; returns what changed. Opened entries have zeroed values. */
  sync(columns: BookColumns): SeriesChanges {
    const round = ++this.round;
    const opened: CachedSeries[] = [];
    const resized: ResizedSeries[] = [];
    const n = columns.length;
    const { keys, size, locked } = columns;
    for (let row = 0; row < n; row++) {
      const key = keys[row]!;
      let entry = this.rows[row];
      if (entry === undefined || entry.key !== key) entry = this.rows[row] = this.byKey.get(key);
      if (entry === undefined) {
        entry = { key, type: columns.type[row]!, strike: columns.strike[row]!, expiry: columns.expiry[row]!, size: size[row]!, locked: locked[row]!, values: new Float64Array(this.valuesLength), seen: round };
        this.byKey.set(key, entry);
        this.rows[row] = entry;
        opened.push(entry);
        continue;
      }
      if (entry.size !== size[row] || entry.locked !== locked[row]) {
        resized.push({ entry, size: entry.size, locked: entry.locked });
        entry.size = size[row]!;
        entry.locked = locked[row]!;
      }
      entry.seen = round;
    }
    this.rows.length = n;
    const closed: CachedSeries[] = [];
    // Every row's key is cached and distinct: more cached series than rows means some closed.
    if (this.byKey.size > n) {
      for (const entry of this.byKey.values()) if (entry.seen !== round) closed.push(entry);
      for (const entry of closed) this.byKey.delete(entry.key);
    }
    return { opened, resized, closed };
  }
}
