// Net greeks of the pool (it is short every open option): by expiry and in total, from one pricer batch over
// the open book. A GreeksMonitor keeps the last figures and refreshes them when spot or vol moved beyond a
// threshold, the book changed, or they are older than the refresh age; quotes refuse figures older than the
// quote limit (PoolError "STALE_GREEKS"). Given the ledger state (the beforeQuote hook's argument), a refresh for a
// changed book alone keeps the figures' market and moves them by the series that changed (greeks-book.ts); a market
// beyond the thresholds, or their age, reprices the whole book at the market of the moment.
import type { Greeks } from "../../bindings/types.js";
import { PoolError } from "../errors.js";
import type { PoolState } from "../ledger.js";
import { GreeksBook } from "./greeks-book.js";
import type { OpenBook, OptionPool, SyncPricer } from "../option-pool.js";
import { sameSnapshot, type OracleSnapshot } from "../oracle.js";
import type { RiskPricer } from "./normals.js";
import type { AnyPricer } from "./valuation.js";

function isRiskPricer(pricer: SyncPricer | RiskPricer): pricer is RiskPricer {
  return typeof (pricer as Partial<RiskPricer>).core === "object";
}

/** Greeks of the pool's short position (negative delta for short calls...), in contracts × per-contract greeks. */
export interface GreekTotals {
  /** ∂NAV/∂spot in base-asset units. */
  delta: number;
  /** ∂²NAV/∂spot² per unit of spot. */
  gamma: number;
  /** ∂NAV/∂vol in quote currency per 1.00 of vol. */
  vega: number;
  /** ∂NAV/∂t in quote currency per year. */
  theta: number;
}

/** Net greeks by expiry (unix seconds) and in total, with the market they were computed at. */
export interface NetGreeks {
  total: GreekTotals;
  byExpiry: { expiry: number; greeks: GreekTotals }[];
  /** Clock time of the computation (unix seconds). */
  computedAt: number;
  spot: number;
  /** Oracle base vol at the computation. */
  baseVol: number;
  /** Pool event seq the book was read at: figures from before a later trade or settlement are stale. */
  seq: number;
}

const zero = (): GreekTotals => ({ delta: 0, gamma: 0, vega: 0, theta: 0 });

/** Sums −contracts × greeks over the book (the pool is short), by expiry and in total. */
export function aggregateGreeks(book: OpenBook, greeks: Pick<Greeks, "delta" | "gamma" | "vega" | "theta">, sizeDecimals: number): Pick<NetGreeks, "total" | "byExpiry"> {
  const total = zero();
  const byExpiry = new Map<number, GreekTotals>();
  book.series.forEach((s, i) => {
    const contracts = (-Number(s.openSize) / 10 ** sizeDecimals) * (book.weight ? book.weight[i]! : 1);
    const e = byExpiry.get(s.expiry) ?? zero();
    for (const [g, col] of [["delta", greeks.delta], ["gamma", greeks.gamma], ["vega", greeks.vega], ["theta", greeks.theta]] as const) {
      const v = contracts * col[i]!;
      e[g] += v;
      total[g] += v;
    }
    byExpiry.set(s.expiry, e);
  });
  return { total, byExpiry: [...byExpiry].sort(([a], [b]) => a - b).map(([expiry, g]) => ({ expiry, greeks: g })) };
}

/** When net greeks are refreshed and how old quotes accept them. */
export interface GreeksMonitorOptions {
  /** Refresh when |ln(spot / spot at computation)| exceeds this. Default 0.01. */
  spotMoveThreshold: number;
  /** Refresh when |ln(baseVol / baseVol at computation)| exceeds this. Default 0.05. */
  volMoveThreshold: number;
  /** Refresh when older than this (seconds). Default 60. */
  refreshAgeSeconds: number;
  /** Quotes refuse greeks older than this (seconds) or computed before a move beyond the thresholds. Default 300. */
  maxQuoteAgeSeconds: number;
}

export const DEFAULT_GREEKS_MONITOR_OPTIONS: Readonly<GreeksMonitorOptions> = Object.freeze({
  spotMoveThreshold: 0.01, volMoveThreshold: 0.05, refreshAgeSeconds: 60, maxQuoteAgeSeconds: 300,
});

/** Keeps a pool's net greeks current. */
export class GreeksMonitor {
  readonly options: GreeksMonitorOptions;
  private last: NetGreeks | undefined;
  /** The figures' market and per-series greeks, when they were computed from a ledger state. */
  private book: GreeksBook | undefined;

  /** The oracle's vol surface the figures were computed with (a new surface object is a new smile). */
  private surface: OracleSnapshot["volSurface"];

  constructor(readonly pool: OptionPool, options: Partial<GreeksMonitorOptions> = {}) {
    this.options = { ...DEFAULT_GREEKS_MONITOR_OPTIONS, ...options };
  }

  /** The last computed figures (undefined before the first refresh). */
  get current(): NetGreeks | undefined {
    return this.last;
  }

  /** Why the figures need a refresh ("none", "book", "spot", "vol", "age"), or undefined when they are current. */
  refreshReason(): "none" | "book" | "spot" | "vol" | "age" | undefined {
    const g = this.last;
    if (!g) return "none";
    if (this.pool.bookSeq > g.seq) return "book";
    return this.marketReason(g);
  }

  /** Why the market of figures `g` is no longer current ("spot", "vol", "age"), or undefined. */
  private marketReason(g: NetGreeks): "spot" | "vol" | "age" | undefined {
    const snap = this.pool.oracle.latest();
    if (Math.abs(Math.log(snap.spot / g.spot)) > this.options.spotMoveThreshold) return "spot";
    if (Math.abs(Math.log(snap.baseVol / g.baseVol)) > this.options.volMoveThreshold || snap.volSurface !== this.surface) return "vol";
    if (this.pool.clock.now() - g.computedAt > this.options.refreshAgeSeconds) return "age";
    return undefined;
  }

  /**
   * Recomputes the figures with `pricer` (sync or the worker pool) in one batch. The figures are of the book and the
   * oracle print read before pricing; if the ledger, the oracle or the clock moved while an asynchronous pricer worked, the book
   * is read and priced again (up to `attempts` times), then refused with LEDGER_MOVED: stale figures never pass for
   * current ones.
   */
  async refresh(pricer: AnyPricer, attempts = 3): Promise<NetGreeks> {
    this.book = undefined;
    for (let i = 0; i < attempts; i++) {
      const book = this.pool.openBook();
      const snap = this.pool.oracle.latest();
      const now = this.pool.clock.now();
      const greeks = book.series.length > 0 ? await pricer.blackScholes(book.batch) : undefined;
      if (this.pool.seq === book.seq && sameSnapshot(this.pool.oracle.latest(), snap) && this.pool.clock.now() === now) return this.store(book, greeks, snap, now);
    }
    throw new PoolError("LEDGER_MOVED", "greeks", `the ledger or the oracle moved during each of ${attempts} pricings`);
  }

  /**
   * Recomputes the figures with a synchronous pricer at the market of the moment. With `state` (the pool's ledger
   * state, as the beforeQuote hook gets it) and a RiskPricer, the per-series greeks are kept for later book-only refreshes.
   */
  refreshSync(pricer: SyncPricer | RiskPricer, state?: Readonly<PoolState>): NetGreeks {
    const snap = this.pool.oracle.latest();
    const now = this.pool.clock.now();
    this.book = undefined;
    // The per-series cache prices one option per series: a pool writing capped calls (two legs each) reprices its book.
    if (state && isRiskPricer(pricer) && this.isPoolState(state) && this.pool.settings.optionTypes !== "both") {
      const { rate, dividend } = this.pool.settings.params;
      this.book = new GreeksBook(pricer, rate, dividend, snap, now, this.pool.settings.sizeDecimals);
      return this.fromBook(this.book, state);
    }
    const book = this.pool.openBook();
    return this.store(book, book.series.length > 0 ? pricer.blackScholes(book.batch) : undefined, snap, now);
  }

  /**
   * Refreshes (synchronously) only when refreshReason() says so; returns the current figures. With `state` (see
   * refreshSync), a changed book at a market still within the thresholds moves the figures by the changed series only.
   */
  refreshIfNeeded(pricer: SyncPricer | RiskPricer, state?: Readonly<PoolState>): NetGreeks {
    const reason = this.refreshReason();
    if (reason === undefined) return this.last!;
    if (reason === "book" && this.book && state && this.isPoolState(state) && this.marketReason(this.last!) === undefined) return this.fromBook(this.book, state);
    return this.refreshSync(pricer, state);
  }

  /** True when `state` is the pool's ledger as it stands (not an older or foreign one). */
  private isPoolState(state: Readonly<PoolState>): boolean {
    return state.seq === this.pool.seq && state.bookSeq === this.pool.bookSeq;
  }

  /** The figures of `state`'s book at `book`'s market. */
  private fromBook(book: GreeksBook, state: Readonly<PoolState>): NetGreeks {
    book.sync(state.columns);
    this.last = { ...book.figures(), computedAt: book.now, spot: book.snap.spot, baseVol: book.snap.baseVol, seq: state.seq };
    this.surface = book.snap.volSurface;
    return this.last;
  }

  /**
   * Throws PoolError("STALE_GREEKS") unless the figures are of the current book (no trade or settlement since), younger
   * than maxQuoteAgeSeconds, and the market has not moved beyond the thresholds.
   */
  assertUsableForQuote(): NetGreeks {
    const g = this.last;
    if (!g) throw new PoolError("STALE_GREEKS", "greeks", "net greeks were never computed");
    if (this.pool.bookSeq > g.seq) throw new PoolError("STALE_GREEKS", "greeks", `net greeks are of the book at seq ${g.seq}; it changed at seq ${this.pool.bookSeq}`);
    const age = this.pool.clock.now() - g.computedAt;
    if (age > this.options.maxQuoteAgeSeconds) throw new PoolError("STALE_GREEKS", "greeks", `net greeks are ${age} s old (limit ${this.options.maxQuoteAgeSeconds})`);
    const snap = this.pool.oracle.latest();
    if (Math.abs(Math.log(snap.spot / g.spot)) > this.options.spotMoveThreshold || Math.abs(Math.log(snap.baseVol / g.baseVol)) > this.options.volMoveThreshold)
      throw new PoolError("STALE_GREEKS", "greeks", "spot or vol moved beyond the threshold since the net greeks were computed");
    if (snap.volSurface !== this.surface) throw new PoolError("STALE_GREEKS", "greeks", "the oracle's vol surface changed since the net greeks were computed");
    return g;
  }

  private store(book: OpenBook & { seq: number }, greeks: Greeks | undefined, snap: OracleSnapshot, computedAt: number): NetGreeks {
    const agg = greeks ? aggregateGreeks(book, greeks, this.pool.settings.sizeDecimals) : { total: zero(), byExpiry: [] };
    this.last = { ...agg, computedAt, spot: book.spot, baseVol: snap.baseVol, seq: book.seq };
    this.surface = snap.volSurface;
    return this.last;
  }
}
