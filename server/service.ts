// The pool behind the server: one OptionPool, its PeerBook and risk engine, its oracle, and the durable log. Every
// change goes through `run`: the operation runs now (pool operations are synchronous and atomic), what it changed is
// queued as one record, and the returned promise resolves once that record is on disk, so a response is an
// acknowledgement of something durable. Listeners hear of records only once they are durable. A failed write stops
// the service (fail-stop): memory would be ahead of the disk, so the process must restart from the log.
import type { Pricer } from "../bindings/index.js";
import type { BookEvent } from "../pool/book/events.js";
import { PeerBook } from "../pool/book/peer-book.js";
import { systemClock, type Clock } from "../pool/clock.js";
import { PoolError } from "../pool/errors.js";
import { ManualOracle, type OracleSnapshot } from "../pool/oracle.js";
import { OptionPool, type PoolConfig } from "../pool/option-pool.js";
import { resolveParams, type PoolParams } from "../pool/params.js";
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

  /** Rebuilds the pool and book from `log` (verifying replay, MACs under `ledgerKey`) under `config`. */
  constructor(readonly config: ServeConfig, private readonly ledgerKey: Uint8Array, readonly log: ServiceLog, readonly pricer: Pricer, readonly clock: Clock = systemClock) {
    const { history } = log;
    this.oracle = restoreOracle(config, history.prints, clock.now());
    this.params = { ...(config.pool.params as Partial<PoolParams> | undefined), ...history.params };
    // The log is this service's own, MAC'd under its key: the ledger-level verification (schema, chain, MACs, shares,
    // payouts, conservation) holds under any parameters, where repricing each trade would need the parameters it was
    // written under.
    this.install(OptionPool.replay(this.poolConfig(), history.pool, { verify: "ledger" }), history.book);
    this.poolSeq = this.pool.seq;
    this.bookCount = history.book.length;
    this.durable = { pool: this.poolSeq, book: this.bookCount };
    if (history.prints.length === 0) this.prints.push(printOf(this.oracle.latest()));
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

  /** Changes pool parameters (an operator's action): the pool is re-made with them, state and log unchanged. */
  setParams(overrides: Partial<PoolParams>): Promise<PoolParams> {
    return this.run(() => {
      const params = { ...this.params, ...overrides };
      resolveParams(params);
      const fresh = this.pool.fork({ params });
      this.install(fresh, this.book.events);
      this.params = params;
      this.pendingParams = params;
      return this.pool.settings.params;
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

  private pendingParams: Partial<PoolParams> | undefined;
  private durable = { pool: 0, book: 0 };

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

  private install(pool: OptionPool, bookEvents: readonly BookEvent[]): void {
    const risk = attachRisk(pool, { pricer: this.pricer, preTrade: preTradeOf(this.config) });
    const book = PeerBook.replay(pool, bookEvents, { ledgerKey: this.ledgerKey });
    this.pool = pool;
    this.risk = risk;
    this.book = book;
  }

  private poolConfig(): PoolConfig {
    const p = this.config.pool;
    return {
      collateral: p.collateral, decimals: p.decimals, sizeDecimals: p.sizeDecimals, priceDecimals: p.priceDecimals, shareOffset: p.shareOffset,
      treasury: p.treasury, params: this.params, pricer: this.pricer, oracle: this.oracle, clock: this.clock, ledgerKey: this.ledgerKey,
    };
  }

  /** What changed since the last record, or undefined when nothing did. */
  private takeRecord(): ServiceRecord | undefined {
    const pool = this.pool.eventsSince(this.poolSeq);
    const book = this.book.eventsSince(this.bookCount);
    if (pool.length === 0 && book.length === 0 && this.prints.length === 0 && !this.pendingParams) return undefined;
    const record: ServiceRecord = { pool, book, prints: this.prints, ...(this.pendingParams ? { params: this.pendingParams } : {}) };
    this.poolSeq = this.pool.seq;
    this.bookCount = this.book.seq;
    this.prints = [];
    this.pendingParams = undefined;
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
