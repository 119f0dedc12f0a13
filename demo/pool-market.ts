// The pool page's market: one real OptionPool (USDC collateral, writing ETH puts) with its PeerBook and risk engine
// (attachRisk), priced by the WASM core, on a simulated clock and oracle. Spot follows a seeded geometric Brownian
// motion, one oracle print per tick; the oracle carries an SSVI surface, so every series is priced on a smile.
// No DOM: the page (demo/pool-main.ts) draws it, and a Node test can drive it with the library from index.ts.
import type * as Library from "../index.js";
import type { OptionPool, PeerBook, PoolRisk, SeriesRef, VolSurface } from "../index.js";

/** What the market needs of the library (the browser bundle at run time, or index.ts in Node). */
export type PoolLibrary = Pick<
  typeof Library,
  "createPricer" | "OptionPool" | "PeerBook" | "ManualClock" | "ManualOracle" | "attachRisk" | "VolSurface" | "volAt" | "PoolError"
>;
type Pricer = Awaited<ReturnType<PoolLibrary["createPricer"]>>;
type Clock = InstanceType<PoolLibrary["ManualClock"]>;
type Oracle = InstanceType<PoolLibrary["ManualOracle"]>;

/** 2026-01-02T00:00:00Z (a Friday): the simulation's first second. */
export const START_SECONDS = 1_767_312_000;
export const HOUR = 3600;
export const DAY = 86_400;
/** The collateral (USDC) has 6 decimals; sizes are hundredths of a contract. */
export const DECIMALS = 6;
export const SIZE_DECIMALS = 2;
export const USDC = 10n ** BigInt(DECIMALS);
export const CONTRACT = 10n ** BigInt(SIZE_DECIMALS);

/** Options of the market: seed of the spot path, starting spot and ATM vol, simulated seconds per tick. */
export interface MarketOptions {
  seed: number;
  spot: number;
  baseVol: number;
  secondsPerTick: number;
}

export const DEFAULT_MARKET_OPTIONS: Readonly<MarketOptions> = Object.freeze({ seed: 7, spot: 2000, baseVol: 0.6, secondsPerTick: HOUR });

/**
 * The oracle's smile: SSVI with power-law φ (ρ = −0.6, η = 1.2, γ = 0.4; η(1 + |ρ|) ≤ 2 with γ ≤ ½ satisfies
 * Gatheral-Jacquier's butterfly conditions, docs/surface.md), ATM total variance baseVol²·T at the slices.
 */
export function smileSurface(lib: PoolLibrary, pricer: Pricer, baseVol: number): VolSurface {
  const slices = [1 / 365, 7 / 365, 30 / 365, 0.25, 1].map((years) => ({ years, theta: baseVol * baseVol * years }));
  return lib.VolSurface.create({ model: "ssvi", rho: -0.6, phi: { form: "power-law", eta: 1.2, gamma: 0.4 }, slices }, pricer);
}

/** mulberry32 → Box-Muller: a seeded normal stream (the same seed draws the same spot path). */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Expiries on offer at `now`: the next two days and four more Fridays, each at 08:00 UTC, at least 2 h away. */
export function listedExpiries(now: number): number[] {
  const at8 = (day: number) => day * DAY + 8 * HOUR;
  const today = Math.floor(now / DAY);
  const out = new Set<number>();
  for (let d = 0; out.size < 2; d++) if (at8(today + d) - now >= 2 * HOUR) out.add(at8(today + d));
  // 1970-01-01 was a Thursday: day numbers ≡ 1 (mod 7) are Fridays.
  let friday = today + ((1 - (today % 7) + 7) % 7);
  for (let n = 0; n < 4; friday += 7) {
    if (at8(friday) - now < 2 * HOUR || out.has(at8(friday))) continue; // on a Friday, today's expiry is a daily one
    out.add(at8(friday));
    n++;
  }
  return [...out].sort((x, y) => x - y);
}

/** What one tick did: the new print, and the expiries the pool and the book settled. */
export interface TickReport {
  now: number;
  spot: number;
  settled: number[];
  /** Errors of the keeper's calls (a settlement refused, say): reported, never dropped. */
  problems: string[];
}

/** The market: the pool, the book, the risk engine and the simulated oracle that moves them. */
export class PoolMarket {
  readonly pool: OptionPool;
  readonly book: PeerBook;
  readonly risk: PoolRisk;
  readonly clock: Clock;
  readonly oracle: Oracle;
  readonly surface: VolSurface;
  private readonly draw: () => number;
  private readonly listed = new Set<string>();
  private readonly bookExpiries = new Set<number>();
  private makerOrders: number[] = [];
  private lastRequote = 0;

  private constructor(readonly lib: PoolLibrary, readonly pricer: Pricer, readonly options: MarketOptions) {
    this.clock = new lib.ManualClock(START_SECONDS);
    this.surface = smileSurface(lib, pricer, options.baseVol);
    this.oracle = new lib.ManualOracle({ spot: options.spot, timestamp: START_SECONDS, baseVol: options.baseVol, volSurface: this.surface });
    this.pool = new lib.OptionPool({ collateral: "quote", decimals: DECIMALS, sizeDecimals: SIZE_DECIMALS, pricer, oracle: this.oracle, clock: this.clock });
    this.book = new lib.PeerBook(this.pool);
    this.risk = lib.attachRisk(this.pool, { pricer });
    this.draw = normals(options.seed);
  }

  /** A market on a fresh main-thread pricer (the SIMD build where the browser validates it). */
  static async create(lib: PoolLibrary, options: Partial<MarketOptions> = {}): Promise<PoolMarket> {
    return new PoolMarket(lib, await lib.createPricer(), { ...DEFAULT_MARKET_OPTIONS, ...options });
  }

  get now(): number {
    return this.clock.now();
  }

  get spot(): number {
    return this.oracle.latest().spot;
  }

  /** Opens `series` on the peer book once (the book trades listed series only). */
  ensureListed(series: { type: "put"; strike: number; expiry: number }): void {
    const key = `${series.strike}@${series.expiry}`;
    if (this.listed.has(key)) return;
    this.book.list(series);
    this.listed.add(key);
    this.bookExpiries.add(series.expiry);
  }

  /** The vol the pool prices `strike` at for `expiry` now (the oracle's smile; no IV impact). */
  smileVol(strike: number, expiry: number): number {
    const p = this.pool.settings.params;
    return this.lib.volAt(this.oracle.latest(), strike, (expiry - this.now) / (365 * DAY), p.rate - p.dividend);
  }

  /** Strikes with open interest at `expiry`, in the pool and on the book. */
  tradedStrikes(expiry: number): { pool: number[]; book: number[] } {
    const atExpiry = (s: SeriesRef) => s.expiry === expiry;
    const pool = this.pool.openSeries().filter((s) => atExpiry(s) && s.openSize > 0n).map((s) => s.strike);
    const book = this.book.openSeries().filter((s) => atExpiry(s.series) && s.openSize > 0n).map((s) => s.series.strike);
    return { pool: [...new Set(pool)].sort((a, b) => a - b), book: [...new Set(book)].sort((a, b) => a - b) };
  }

  /**
   * The opening book: an LP deposits 1,000,000 USDC, a desk buys puts at three strikes of the second Friday, and a
   * peer market maker quotes the first two Fridays (requote()).
   */
  seedActivity(): void {
    this.pool.deposit("alice", 1_000_000n * USDC);
    const fridays = listedExpiries(this.now).slice(2);
    for (const [strike, contracts] of [[1700, 20n], [1800, 30n], [1900, 15n]] as const) {
      const request = { type: "put" as const, strike, expiry: fridays[1]!, size: contracts * CONTRACT, side: "buy" as const };
      const q = this.pool.quote(request);
      this.pool.trade("desk", { ...request, maxCost: q.total });
    }
    this.requote();
  }

  /** The desk's daily flow: 5 puts about 7 % out of the money (strike on a 50 grid) on the second Friday listed. */
  deskBuys(): void {
    const request = { type: "put" as const, strike: Math.round((this.spot * 0.93) / 50) * 50, expiry: listedExpiries(this.now)[3]!, size: 5n * CONTRACT, side: "buy" as const };
    const q = this.pool.quote(request);
    this.pool.trade("desk", { ...request, maxCost: q.total });
  }

  /**
   * The peer maker's quotes, replaced: on the first two Fridays at strikes 1700 … 2000, an ask 3 % under the pool's
   * price and a bid 15 % under the pool's premium, 2 contracts each. Returns the refusals (the pool cannot quote
   * while trading is paused, say).
   */
  requote(): string[] {
    const problems: string[] = [];
    for (const id of this.makerOrders) if (this.book.order(id)) this.book.cancel("maker", id);
    this.makerOrders = [];
    const size = 2n * CONTRACT;
    for (const expiry of listedExpiries(this.now).slice(2, 4)) {
      for (const strike of [1700, 1800, 1900, 2000]) {
        const series = { type: "put" as const, strike, expiry };
        try {
          this.ensureListed(series);
          const q = this.pool.quote({ ...series, size, side: "buy" });
          const ask = (q.total * CONTRACT * 97n) / (size * 100n);
          const bid = (q.premium * CONTRACT * 85n) / (size * 100n);
          for (const [side, limitPrice] of [["sell", ask], ["buy", bid]] as const) {
            const r = this.book.submit("maker", { ...series, side, size, limitPrice, funds: 10n ** 15n });
            if (r.resting) this.makerOrders.push(r.resting.id);
          }
        } catch (e) {
          problems.push(`maker ${strike}@${expiry}: ${describeError(e)}`);
        }
      }
    }
    this.lastRequote = this.now;
    return problems;
  }

  /**
   * Advances the clock one tick, prints a new spot (GBM at the oracle's base vol), runs the pool's keeper
   * (settlement, TWAP pause, breakers, withdrawal queue), settles the book's expired series, requotes the maker every
   * 6 hours and lets the desk buy at 09:00 UTC.
   */
  tick(): TickReport {
    const dt = this.options.secondsPerTick;
    const years = dt / (365 * DAY);
    const vol = this.options.baseVol;
    const spot = this.spot * Math.exp(-0.5 * vol * vol * years + vol * Math.sqrt(years) * this.draw());
    this.clock.set(this.now + dt);
    this.oracle.push({ spot, timestamp: this.now });
    const problems: string[] = [];
    const settled: number[] = [];
    const due = this.pool.openSeries().filter((s) => s.expiry <= this.now).map((s) => s.expiry);
    const attempt = (what: string, work: () => unknown) => {
      try {
        work();
      } catch (e) {
        problems.push(`${what}: ${describeError(e)}`);
      }
    };
    attempt("keeper", () => this.pool.observeOracle());
    for (const e of new Set(due)) if (!this.pool.openSeries().some((s) => s.expiry === e)) settled.push(e);
    for (const e of [...this.bookExpiries].filter((x) => x <= this.now)) {
      const open = () => this.book.openSeries().some((s) => s.series.expiry === e);
      if (!open()) {
        this.bookExpiries.delete(e); // nothing traded at this expiry on the book: nothing to settle
        continue;
      }
      attempt(`book settlement ${e}`, () => this.book.settle(e));
      if (!open()) {
        this.bookExpiries.delete(e); // a refused settlement stays due and is tried again next tick
        settled.push(e);
      }
    }
    if (this.now - this.lastRequote >= 6 * HOUR) problems.push(...this.requote());
    if (this.now % DAY === 9 * HOUR) attempt("desk", () => this.deskBuys());
    return { now: this.now, spot, settled: [...new Set(settled)], problems };
  }
}

/** The field a PoolError names (its `field`), or undefined for other errors. */
export function errorField(e: unknown): string | undefined {
  return e instanceof Error && "field" in e && typeof e.field === "string" ? e.field : undefined;
}

/** An error as the page shows it: a PoolError's message already reads "CODE (field): problem". */
export function describeError(e: unknown): string {
  if (errorField(e) !== undefined) return (e as Error).message;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
