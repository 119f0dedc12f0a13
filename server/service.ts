// The pool behind the server: one OptionPool, its PeerBook and risk engine, its oracle, and the durable log. Every
// change goes through `run`: the operation runs now (pool operations are synchronous and atomic), what it changed is
// queued as one record, and the returned promise resolves once that record is on disk, so a response is an
// acknowledgement of something durable. Listeners hear of records only once they are durable. A failed write stops
// the service (fail-stop): memory would be ahead of the disk, so the process must restart from the log.
import type { Pricer } from "../bindings/index.js";
import { PeerBook } from "../pool/book/peer-book.js";
import { systemClock, type Clock } from "../pool/clock.js";
import { PoolError } from "../pool/errors.js";
import { ManualOracle, type OracleSnapshot } from "../pool/oracle.js";
import { OptionPool, type PoolConfig } from "../pool/option-pool.js";
import type { PoolParams } from "../pool/params.js";
import { attachRisk, type PoolRisk } from "../pool/risk/index.js";
import type { ServeConfig } from "./config.js";
import type { ServiceLog, ServiceRecord, StoredPrint } from "./persistence.js";

/** An oracle update from a feed or an operator: fields not given carry over. The time is the server's clock. */
export interface OracleUpdate {
  spot?: number;
  baseVol?: number;
  skew?: number;
}

/** Observations older than this are not reloaded on restart (the oracle's own retention, 30 days). */
const ORACLE_KEEP_SECONDS = 30 * 86_400;
/** Pool events between snapshots unless pool.json says (snapshotEvery): a restart verifies at most this many past the last one. */
const SNAPSHOT_EVERY = 5_000;

export class PoolService {
  pool!: OptionPool;
  book!: PeerBook;
  risk!: PoolRisk;
  readonly oracle: ManualOracle;
  /** Set once a write failed: every later change is refused. */
  failure: Error | undefined;
  private params: Partial<PoolParams>;
  private poolSeq: number;
  private bookCount: number;
  private prints: StoredPrint[] = [];
  private readonly listeners = new Set<(record: ServiceRecord) => void>();
  private readonly fatalListeners = new Set<(error: Error) => void>();

  /**
   * Resumes the pool and book from `log` under `config`: the pool from its latest snapshot MAC'ed under `ledgerKey`
   * (a JSON-lines log has none: the whole log), verifying every event after it; the book likewise from its own.
   */
  constructor(readonly config: ServeConfig, private readonly ledgerKey: Uint8Array, readonly log: ServiceLog, readonly pricer: Pricer, readonly clock: Clock = systemClock) {
    const prints = log.recentPrints(ORACLE_KEEP_SECONDS);
    this.oracle = restoreOracle(config, prints, clock.now());
    // The configured parameters (and a JSON-lines log's parameter records from before paramsChanged events); the
    // pool's own changes are in its log and come back with it.
    this.params = { ...(config.pool.params as Partial<PoolParams> | undefined), ...log.params };
    this.install(log.poolStore.head().seq > 0 ? this.openPool() : new OptionPool(this.poolConfig()));
    this.poolSeq = this.pool.seq;
    this.bookCount = this.book.seq;
    this.durable = { pool: this.poolSeq, book: this.bookCount };
    this.lastSnapshotSeq = log.keepsSnapshots ? (log.poolStore.latestSnapshot()?.seq ?? 0) : this.pool.seq;
    this.lastBookSnapshotSeq = log.keepsSnapshots ? (log.bookStore.latestSnapshot()?.seq ?? 0) : this.book.seq;
    if (prints.length === 0) this.prints.push(printOf(this.oracle.latest()));
    log.afterWrite(() => this.snapshotIfDue());
  }

  /**
   * Runs `operation` now and resolves with its result once what it changed is durable. A PoolError (or any throw)
   * from the operation rejects at once: the pool and book changed nothing, so nothing is written.
   */
  async run<T>(operation: () => T): Promise<T> {
    if (this.failure) throw new PoolError("INTERNAL_ERROR", "service", "the service stopped after a failed write; it restarts from its log");
    const result = operation();
    const record = this.takeRecord();
    if (record) await this.commit(record);
    return result;
  }

  /** Records an oracle print at the server's time and runs the keeper: breakers and observeOracle, book settlements. */
  print(update: OracleUpdate): Promise<OracleSnapshot> {
    return this.run(() => {
      const snapshot = this.oracle.push({ ...update, timestamp: this.clock.now() });
      this.prints.push(printOf(snapshot));
      this.keep();
      return snapshot;
    });
  }

  /**
   * Changes some pool parameters (an operator's action): a paramsChanged pool event (pool/params-change.ts), durable
   * and replayed like any other; the risk engine is re-attached so its limits read the new parameters.
   */
  setParams(changes: Partial<PoolParams>, reason: string): Promise<PoolParams> {
    return this.run(() => {
      const params = this.pool.changeParams(changes, reason);
      this.risk = attachRisk(this.pool, { pricer: this.pricer, preTrade: preTradeOf(this.config) });
      return params;
    });
  }

  /** Calls `listener` with every durable record, in order. Returns the unsubscribe function. */
  onRecord(listener: (record: ServiceRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` once if a write fails (the process should exit and restart from the log). */
  onFatal(listener: (error: Error) => void): void {
    this.fatalListeners.add(listener);
  }

  /** Persists any pending change and closes the log. */
  async close(): Promise<void> {
    const record = this.takeRecord();
    if (record) await this.commit(record);
    if (this.log.keepsSnapshots && !this.failure && this.pool.seq > this.lastSnapshotSeq) this.pool.saveSnapshot();
    if (this.log.keepsSnapshots && !this.failure && this.book.seq > this.lastBookSnapshotSeq) this.book.saveSnapshot();
    await this.log.close();
  }

  /** Seq of the book's last event. */
  get bookSeq(): number {
    return this.bookCount;
  }

  /** Seq of the last pool event known durable (views and streams show no more). */
  get durableSeq(): number {
    return this.durable.pool;
  }

  /** Seq of the last book event known durable. */
  get durableBookSeq(): number {
    return this.durable.book;
  }

  /** The last failure of an automatic snapshot, if any (the service goes on: the log is the record). */
  snapshotError: Error | undefined;
  private durable = { pool: 0, book: 0 };
  private lastSnapshotSeq = 0;
  private lastBookSnapshotSeq = 0;

  /** The keeper's work after a print; a refusal is the pool's answer (e.g. nothing to settle), not a service fault. */
  private keep(): void {
    const tolerate = (work: () => unknown) => {
      try {
        work();
      } catch (e) {
        if (!(e instanceof PoolError)) throw e;
      }
    };
    tolerate(() => this.risk.breakers.check());
    const now = this.clock.now();
    for (const expiry of new Set(this.book.openSeries().map((s) => s.series.expiry))) if (expiry <= now) tolerate(() => this.book.settle(expiry));
    tolerate(() => this.book.expireOrders());
  }

  /** The pool resumed from the log's store: from its verified snapshot, then the ledger-level check of the tail. */
  private openPool(): OptionPool {
    // The log is this service's own, MAC'd under its key: the ledger-level verification (schema, chain, MACs, shares,
    // payouts, conservation) holds under any parameters, where repricing each trade would need the parameters it was
    // written under.
    return OptionPool.open(this.poolConfig(), { snapshot: "verified", verify: "ledger" });
  }

  /** Puts `pool` in service with its risk engine and the book resumed (or started) beside it. */
  private install(pool: OptionPool): void {
    const risk = attachRisk(pool, { pricer: this.pricer, preTrade: preTradeOf(this.config) });
    const options = { store: this.log.bookStore, ledgerKey: this.ledgerKey };
    const book = this.log.bookStore.head().seq > 0 ? PeerBook.open(pool, options) : new PeerBook(pool, options);
    this.pool = pool;
    this.risk = risk;
    this.book = book;
  }

  /** After a write, with nothing pending: a snapshot of the pool (of the book) once snapshotEvery of its events have passed since its last one. */
  private snapshotIfDue(): void {
    if (!this.log.keepsSnapshots) return;
    const every = this.config.snapshotEvery ?? SNAPSHOT_EVERY;
    const save = (log: { seq: number; saveSnapshot(): number }) => {
      try {
        return log.saveSnapshot();
      } catch (e) {
        // The log stands without it (a restart replays more); a failing disk fails the next write, which stops the service.
        this.snapshotError = e instanceof Error ? e : new Error(String(e));
        return log.seq;
      }
    };
    if (this.pool.seq - this.lastSnapshotSeq >= every) this.lastSnapshotSeq = save(this.pool);
    if (this.book.seq - this.lastBookSnapshotSeq >= every) this.lastBookSnapshotSeq = save(this.book);
  }

  private poolConfig(): PoolConfig {
    const p = this.config.pool;
    return {
      collateral: p.collateral, decimals: p.decimals, sizeDecimals: p.sizeDecimals, priceDecimals: p.priceDecimals, shareOffset: p.shareOffset,
      treasury: p.treasury, params: this.params, pricer: this.pricer, oracle: this.oracle, clock: this.clock, ledgerKey: this.ledgerKey,
      store: this.log.poolStore,
    };
  }

  /** What changed since the last record, or undefined when nothing did. */
  private takeRecord(): ServiceRecord | undefined {
    const pool = this.pool.eventsSince(this.poolSeq);
    const book = this.book.eventsSince(this.bookCount);
    if (pool.length === 0 && book.length === 0 && this.prints.length === 0) return undefined;
    const record: ServiceRecord = { pool, book, prints: this.prints };
    this.poolSeq = this.pool.seq;
    this.bookCount = this.book.seq;
    this.prints = [];
    return record;
  }

  private async commit(record: ServiceRecord): Promise<void> {
    try {
      this.log.append(record);
      await this.log.flush();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (!this.failure) {
        this.failure = error;
        for (const l of this.fatalListeners) l(error);
      }
      throw new PoolError("INTERNAL_ERROR", "service", `not durable: ${error.message}`, { cause: error });
    }
    const lastPool = record.pool.at(-1);
    const lastBook = record.book.at(-1);
    if (lastPool) this.durable.pool = Math.max(this.durable.pool, lastPool.seq);
    if (lastBook) this.durable.book = Math.max(this.durable.book, lastBook.seq);
    for (const l of this.listeners) l(record);
  }
}

function printOf(s: OracleSnapshot): StoredPrint {
  return { spot: s.spot, baseVol: s.baseVol, timestamp: s.timestamp, ...(s.skew !== undefined ? { skew: s.skew } : {}) };
}

/** The oracle with the stored prints of the last 30 days, or the configuration's first print at `now`. */
function restoreOracle(config: ServeConfig, prints: readonly StoredPrint[], now: number): ManualOracle {
  const last = prints.at(-1);
  const keep = last ? prints.filter((p) => p.timestamp >= last.timestamp - ORACLE_KEEP_SECONDS) : [];
  const first = keep[0] ?? { spot: config.oracle.spot, baseVol: config.oracle.baseVol, timestamp: now, ...(config.oracle.skew !== undefined ? { skew: config.oracle.skew } : {}) };
  const oracle = new ManualOracle(first, { keepSeconds: ORACLE_KEEP_SECONDS });
  for (const p of keep.slice(1)) oracle.push(p);
  return oracle;
}

function preTradeOf(config: ServeConfig): Parameters<typeof attachRisk>[1]["preTrade"] {
  const p = config.risk?.preTrade;
  if (p === false) return false;
  if (p === undefined) return undefined;
  return {
    ...(p.minSolvency !== undefined ? { minSolvency: p.minSolvency } : {}),
    ...(p.maxExpectedShortfall !== undefined ? { maxExpectedShortfall: p.maxExpectedShortfall } : {}),
    ...(p.paths !== undefined ? { var: { horizonDays: 1, paths: p.paths, seed: 7, blockPaths: Math.min(500, p.paths) } } : {}),
  };
}
