// Spot and implied-vol oracle of a pool. The pool reads `latest()` for quotes and NAV, and the optional
// `history()` for the moving-oracle check, settlement prices and time-weighted averages (manipulation
// defences plug in here: timeWeightedSpot / timeWeightedVol). What the oracle is trusted for and what the pool
// guards against is in docs/pool-safety.md.
import { PoolError } from "./errors.js";

/** One oracle observation. */
export interface OracleSnapshot {
  /** Spot price of the base asset in quote currency, > 0. */
  spot: number;
  /** Unix seconds of the observation. */
  timestamp: number;
  /** At-the-money implied vol (annualised, 0.6 = 60%), > 0. */
  baseVol: number;
  /** Skew: vol(K) = baseVol + skew · ln(K / spot) (e.g. −0.1 makes puts dearer). Default 0. */
  skew?: number;
  /** A full surface: vol for (strike, years to expiry). Overrides baseVol/skew when given. */
  surface?: (strike: number, years: number) => number;
}

/** Where a pool reads spot and vol. */
export interface SpotVolOracle {
  /** The latest observation. */
  latest(): OracleSnapshot;
  /** Observations with timestamp ≥ `sinceSeconds`, oldest first (optional; enables the moving check, TWAPs and exact settlement prices). */
  history?(sinceSeconds: number): readonly OracleSnapshot[];
  /**
   * Asks the oracle to keep every observation from `fromSeconds` on (optional). A pool calls it with the earliest
   * time it may still need (its earliest unsettled expiry), so pruning never removes a settlement price; `holder`
   * tells pools sharing one oracle apart, and `undefined` releases the holder's claim.
   */
  retain?(holder: object, fromSeconds: number | undefined): void;
}

/** Lowest vol the pool ever prices with (a surface or skew could produce less). */
export const MIN_VOL = 0.01;

/**
 * Implied vol of the snapshot at `strike` and `years`, floored at MIN_VOL. A surface (or skew) giving NaN, ±Infinity,
 * 0 or a negative vol is an oracle fault, not a low vol: PoolError INVALID_INPUT naming `oracle.surface` (or
 * `oracle.skew`) and the strike and expiry, so that nothing is priced or valued from it.
 */
export function volAt(snapshot: OracleSnapshot, strike: number, years: number): number {
  const v = snapshot.surface
    ? snapshot.surface(strike, years)
    : snapshot.baseVol + (snapshot.skew ?? 0) * Math.log(strike / snapshot.spot);
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
    throw new PoolError("INVALID_INPUT", snapshot.surface ? "oracle.surface" : "oracle.skew", `vol ${String(v)} at strike ${strike}, ${years.toFixed(6)} years is not a finite number > 0`);
  return Math.max(MIN_VOL, v);
}

/** True when two snapshots are the same observation (an async result computed at `a` still holds at `b`). */
export function sameSnapshot(a: OracleSnapshot, b: OracleSnapshot): boolean {
  return a.timestamp === b.timestamp && a.spot === b.spot && a.baseVol === b.baseVol && a.skew === b.skew && a.surface === b.surface;
}

/** Checks a snapshot is usable (finite positive spot and vol, finite timestamp); returns the bad field. */
export function invalidSnapshotField(s: OracleSnapshot): string | undefined {
  if (!(Number.isFinite(s.spot) && s.spot > 0)) return "spot";
  if (!Number.isFinite(s.timestamp)) return "timestamp";
  if (!(Number.isFinite(s.baseVol) && s.baseVol > 0)) return "baseVol";
  if (s.skew !== undefined && !Number.isFinite(s.skew)) return "skew";
  return undefined;
}

/** An oracle updated by hand (tests, simulations, a Node service feeding prices). Keeps its history. */
export class ManualOracle implements SpotVolOracle {
  private readonly observations: OracleSnapshot[] = [];
  /** Observations older than this many seconds before the newest are dropped (unless a holder retains them). */
  private readonly keepSeconds: number;
  private readonly retained = new Map<object, number>();

  constructor(initial: OracleSnapshot, options: { keepSeconds?: number } = {}) {
    this.keepSeconds = options.keepSeconds ?? 30 * 24 * 3600;
    this.push(initial);
  }

  /** Records a new observation (fields not given are carried over from the latest). */
  push(update: Partial<OracleSnapshot> & { timestamp: number }): OracleSnapshot {
    const last = this.observations[this.observations.length - 1];
    const next: OracleSnapshot = { ...(last ?? {}), ...update } as OracleSnapshot;
    const bad = invalidSnapshotField(next);
    if (bad) throw new RangeError(`ManualOracle: invalid ${bad}`);
    if (last && next.timestamp < last.timestamp) throw new RangeError("ManualOracle: timestamp goes backwards");
    this.observations.push(next);
    let horizon = next.timestamp - this.keepSeconds;
    for (const from of this.retained.values()) horizon = Math.min(horizon, from);
    let drop = 0;
    while (drop < this.observations.length - 1 && this.observations[drop]!.timestamp < horizon) drop++;
    if (drop > 0) this.observations.splice(0, drop);
    return next;
  }

  retain(holder: object, fromSeconds: number | undefined): void {
    if (fromSeconds === undefined) this.retained.delete(holder);
    else this.retained.set(holder, fromSeconds);
  }

  latest(): OracleSnapshot {
    return this.observations[this.observations.length - 1]!;
  }

  history(sinceSeconds: number): readonly OracleSnapshot[] {
    // Binary search for the first observation at or after sinceSeconds (timestamps never go backwards).
    let lo = 0;
    let hi = this.observations.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.observations[mid]!.timestamp < sinceSeconds) lo = mid + 1;
      else hi = mid;
    }
    return this.observations.slice(lo);
  }
}

/**
 * Largest |ln(spot_now / spot_i)| over the observations in the window ending at the latest one:
 * how far spot has moved recently (0 when the oracle has no history).
 */
export function spotMove(oracle: SpotVolOracle, windowSeconds: number): number {
  const latest = oracle.latest();
  if (!oracle.history) return 0;
  let worst = 0;
  for (const o of oracle.history(latest.timestamp - windowSeconds)) {
    worst = Math.max(worst, Math.abs(Math.log(latest.spot / o.spot)));
  }
  return worst;
}

/**
 * Geometric time-weighted average of a snapshot field over [now − window, now]: exp(∫ ln x dt / window),
 * each observation holding until the next one. Falls back to the latest value without history.
 */
export function timeWeightedGeometric(
  oracle: SpotVolOracle,
  field: "spot" | "baseVol",
  windowSeconds: number,
  nowSeconds: number,
): number {
  const latest = oracle.latest();
  if (!oracle.history || windowSeconds <= 0) return latest[field];
  const start = nowSeconds - windowSeconds;
  const all = oracle.history(Number.NEGATIVE_INFINITY);
  let integral = 0;
  let covered = 0;
  for (let i = 0; i < all.length; i++) {
    const from = Math.max(start, all[i]!.timestamp);
    const to = Math.min(nowSeconds, i + 1 < all.length ? all[i + 1]!.timestamp : nowSeconds);
    if (to > from) {
      integral += Math.log(all[i]![field]) * (to - from);
      covered += to - from;
    }
  }
  return covered > 0 ? Math.exp(integral / covered) : latest[field];
}

/** Geometric TWAP of spot over the window (hook for NAV / share pricing that resists spikes). */
export function timeWeightedSpot(oracle: SpotVolOracle, windowSeconds: number, nowSeconds: number): number {
  return timeWeightedGeometric(oracle, "spot", windowSeconds, nowSeconds);
}

/** Geometric time-weighted average of the base vol over the window. */
export function timeWeightedVol(oracle: SpotVolOracle, windowSeconds: number, nowSeconds: number): number {
  return timeWeightedGeometric(oracle, "baseVol", windowSeconds, nowSeconds);
}
