// Spot and implied-vol oracle of a pool. The pool reads `latest()` for quotes and NAV, and the optional
// `history()` for the moving-oracle check, settlement prices and time-weighted averages (manipulation
// defences plug in here: timeWeightedSpot / timeWeightedVol). An oracle may also answer those reads itself through
// the optional fast paths `twap` and `extremes` (ManualOracle does, in O(log n) from aggregates kept per print);
// without them the reads walk only the part of the history they need. docs/oracle.md: the interface, the costs, the
// numerical accuracy. What the oracle is trusted for and what the pool guards against: docs/pool-safety.md.
import { VolSurface } from "../bindings/surface/vol-surface.js";
import { OracleRecord, type FieldExtremes, type OracleField } from "./oracle-record.js";

export type { FieldExtremes, OracleField } from "./oracle-record.js";
export { MIN_VOL, volAt } from "./smile.js";

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
  /**
   * The smile of every expiry (pool/smile.ts): vol(K, T) = baseVol · σ(k, T) / σ(0, T), k = ln(K/F). Overrides
   * `surface` and `skew`; a pool refuses to price from one with static arbitrage or one far from its time average
   * (pool/surface-guard.ts). Immutable: a new surface is a new object.
   */
  volSurface?: VolSurface;
}

/** Where a pool reads spot and vol. */
export interface SpotVolOracle {
  /** The latest observation. */
  latest(): OracleSnapshot;
  /**
   * Observations with timestamp ≥ `sinceSeconds`, oldest first (optional; enables the moving check, TWAPs and exact
   * settlement prices). `untilSeconds`, when given, is the last timestamp the caller needs: an oracle may stop there
   * (ManualOracle does) or return the later observations too (callers stop at it themselves).
   */
  history?(sinceSeconds: number, untilSeconds?: number): readonly OracleSnapshot[];
  /**
   * Asks the oracle to keep every observation from `fromSeconds` on (optional). A pool calls it with the earliest
   * time it may still need (its earliest unsettled expiry), so pruning never removes a settlement price; `holder`
   * tells pools sharing one oracle apart, and `undefined` releases the holder's claim.
   */
  retain?(holder: object, fromSeconds: number | undefined): void;
  /**
   * Fast path (optional, with `history`): exp(∫ ln field dt / covered) over [fromSeconds, toSeconds] ∩ [oldest
   * observation, toSeconds], each observation holding until the next and the newest until toSeconds; undefined when
   * that covers no time. It must agree with the walk of `history()` that timeWeightedGeometric does without it.
   */
  twap?(field: OracleField, fromSeconds: number, toSeconds: number): number | undefined;
  /**
   * Fast path (optional, with `history`): the least and greatest `field` over the observations with timestamp ≥
   * `sinceSeconds` (those `history(sinceSeconds)` returns); undefined when there are none.
   */
  extremes?(field: OracleField, sinceSeconds: number): FieldExtremes | undefined;
}

/** True when two snapshots are the same observation (an async result computed at `a` still holds at `b`). */
export function sameSnapshot(a: OracleSnapshot, b: OracleSnapshot): boolean {
  return a.timestamp === b.timestamp && a.spot === b.spot && a.baseVol === b.baseVol && a.skew === b.skew && a.surface === b.surface && a.volSurface === b.volSurface;
}

/** Checks a snapshot is usable (finite positive spot and vol, finite timestamp); returns the bad field. */
export function invalidSnapshotField(s: OracleSnapshot): string | undefined {
  if (!(Number.isFinite(s.spot) && s.spot > 0)) return "spot";
  if (!Number.isFinite(s.timestamp)) return "timestamp";
  if (!(Number.isFinite(s.baseVol) && s.baseVol > 0)) return "baseVol";
  if (s.skew !== undefined && !Number.isFinite(s.skew)) return "skew";
  if (s.volSurface !== undefined && !(s.volSurface instanceof VolSurface)) return "volSurface";
  return undefined;
}


/**
 * An oracle updated by hand (tests, simulations, a Node service feeding prices). Keeps its history in a record with
 * per-print aggregates (oracle-record.ts): push is O(1) amortised plus one binary search for pruning, and history,
 * twap and extremes cost O(log n) plus what they return, whatever the length of the history.
 */
export class ManualOracle implements SpotVolOracle {
  private readonly record = new OracleRecord();
  /** Observations older than this many seconds before the newest are dropped (unless a holder retains them). */
  private readonly keepSeconds: number;
  private readonly retained = new Map<object, number>();

  constructor(initial: OracleSnapshot, options: { keepSeconds?: number } = {}) {
    this.keepSeconds = options.keepSeconds ?? 30 * 24 * 3600;
    this.push(initial);
  }

  /** Records a new observation (fields not given are carried over from the latest). */
  push(update: Partial<OracleSnapshot> & { timestamp: number }): OracleSnapshot {
    const last = this.record.length > 0 ? this.record.latest() : undefined;
    const next: OracleSnapshot = { ...(last ?? {}), ...update } as OracleSnapshot;
    const bad = invalidSnapshotField(next);
    if (bad) throw new RangeError(`ManualOracle: invalid ${bad}`);
    if (last && next.timestamp < last.timestamp) throw new RangeError("ManualOracle: timestamp goes backwards");
    this.record.append(next);
    let horizon = next.timestamp - this.keepSeconds;
    for (const from of this.retained.values()) horizon = Math.min(horizon, from);
    this.record.dropBefore(horizon);
    return next;
  }

  retain(holder: object, fromSeconds: number | undefined): void {
    if (fromSeconds === undefined) this.retained.delete(holder);
    else this.retained.set(holder, fromSeconds);
  }

  latest(): OracleSnapshot {
    return this.record.latest();
  }

  history(sinceSeconds: number, untilSeconds?: number): readonly OracleSnapshot[] {
    return this.record.between(sinceSeconds, untilSeconds);
  }

  twap(field: OracleField, fromSeconds: number, toSeconds: number): number | undefined {
    return this.record.twap(field, fromSeconds, toSeconds);
  }

  extremes(field: OracleField, sinceSeconds: number): FieldExtremes | undefined {
    return this.record.extremes(field, sinceSeconds);
  }
}

/**
 * Largest |ln(latest / x)| of `field` over the observations with timestamp ≥ `sinceSeconds` (0 without history):
 * from `extremes` when the oracle has it (|ln(latest / x)| is largest at the least or the greatest x), else by walking
 * history(sinceSeconds).
 */
export function largestLogMove(oracle: SpotVolOracle, field: OracleField, sinceSeconds: number): number {
  const now = oracle.latest()[field];
  if (oracle.extremes) {
    const e = oracle.extremes(field, sinceSeconds);
    return e ? Math.max(0, Math.abs(Math.log(now / e.min)), Math.abs(Math.log(now / e.max))) : 0;
  }
  if (!oracle.history) return 0;
  let worst = 0;
  for (const o of oracle.history(sinceSeconds)) worst = Math.max(worst, Math.abs(Math.log(now / o[field])));
  return worst;
}

/**
 * Largest |ln(spot_now / spot_i)| over the observations in the window ending at the latest one:
 * how far spot has moved recently (0 when the oracle has no history).
 */
export function spotMove(oracle: SpotVolOracle, windowSeconds: number): number {
  return largestLogMove(oracle, "spot", oracle.latest().timestamp - windowSeconds);
}

/**
 * Geometric time-weighted average of a snapshot field over [now − window, now]: exp(∫ ln x dt / window),
 * each observation holding until the next one. Falls back to the latest value without history. Reads the oracle's
 * `twap` when it has one, else walks the prints from the one in force at now − window (printsInForce).
 */
export function timeWeightedGeometric(
  oracle: SpotVolOracle,
  field: OracleField,
  windowSeconds: number,
  nowSeconds: number,
): number {
  const latest = oracle.latest();
  if (windowSeconds <= 0) return latest[field];
  const start = nowSeconds - windowSeconds;
  if (oracle.twap) return oracle.twap(field, start, nowSeconds) ?? latest[field];
  if (!oracle.history) return latest[field];
  const prints = printsInForce(oracle.history.bind(oracle), start, windowSeconds);
  let integral = 0;
  let covered = 0;
  for (let i = 0; i < prints.length; i++) {
    const from = Math.max(start, prints[i]!.timestamp);
    const to = Math.min(nowSeconds, i + 1 < prints.length ? prints[i + 1]!.timestamp : nowSeconds);
    if (to > from) {
      integral += Math.log(prints[i]![field]) * (to - from);
      covered += to - from;
    }
  }
  return covered > 0 ? Math.exp(integral / covered) : latest[field];
}

/**
 * The prints from the one in force at `start` (the last with timestamp ≤ start) on. Earlier prints hold until a
 * time ≤ start and add nothing to a time average from `start`, so the walk skips them: it reads history from
 * start − span (two windows), and the whole history only when no print falls there before `start` (a feed gap longer
 * than the window, or a history younger than it).
 */
function printsInForce(history: NonNullable<SpotVolOracle["history"]>, start: number, span: number): readonly OracleSnapshot[] {
  let prints = history(start - span);
  let k = lastAtOrBefore(prints, start);
  if (k < 0) {
    prints = history(Number.NEGATIVE_INFINITY);
    k = lastAtOrBefore(prints, start);
  }
  return k > 0 ? prints.slice(k) : prints;
}

/** Index of the last print with timestamp ≤ `t` (prints in time order), −1 when there is none. */
function lastAtOrBefore(prints: readonly OracleSnapshot[], t: number): number {
  let lo = 0;
  let hi = prints.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (prints[mid]!.timestamp <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Geometric TWAP of spot over the window (hook for NAV / share pricing that resists spikes). */
export function timeWeightedSpot(oracle: SpotVolOracle, windowSeconds: number, nowSeconds: number): number {
  return timeWeightedGeometric(oracle, "spot", windowSeconds, nowSeconds);
}

/** Geometric time-weighted average of the base vol over the window. */
export function timeWeightedVol(oracle: SpotVolOracle, windowSeconds: number, nowSeconds: number): number {
  return timeWeightedGeometric(oracle, "baseVol", windowSeconds, nowSeconds);
}
