// Spot and implied-vol oracle of a pool. The pool reads `latest()` for quotes and NAV, and the optional
// `history()` for the moving-oracle check, settlement prices and time-weighted averages (manipulation
// defences of issue 7 plug in here: timeWeightedSpot / timeWeightedVol).

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
  /** Observations with timestamp ≥ `sinceSeconds`, oldest first (optional; enables the moving check). */
  history?(sinceSeconds: number): readonly OracleSnapshot[];
}

/** Lowest vol the pool ever prices with (a surface or skew could produce less). */
export const MIN_VOL = 0.01;

/** Implied vol of the snapshot at `strike` and `years`, floored at MIN_VOL. */
export function volAt(snapshot: OracleSnapshot, strike: number, years: number): number {
  const v = snapshot.surface
    ? snapshot.surface(strike, years)
    : snapshot.baseVol + (snapshot.skew ?? 0) * Math.log(strike / snapshot.spot);
  return Number.isFinite(v) ? Math.max(MIN_VOL, v) : MIN_VOL;
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
  /** Observations older than this many seconds before the newest are dropped. */
  private readonly keepSeconds: number;

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
    const horizon = next.timestamp - this.keepSeconds;
    while (this.observations.length > 1 && this.observations[0]!.timestamp < horizon) this.observations.shift();
    return next;
  }

  latest(): OracleSnapshot {
    return this.observations[this.observations.length - 1]!;
  }

  history(sinceSeconds: number): readonly OracleSnapshot[] {
    return this.observations.filter((o) => o.timestamp >= sinceSeconds);
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
