// The guard on the oracle's vol surface, beside the spot and base-vol TWAP guards of market.ts: before a
// price-taking operation uses a snapshot's `volSurface`, the surface must be free of butterfly and calendar
// arbitrage (guardVolSurface: every closed-form, scan and (k, T) grid check of bindings/surface) and must not move
// more than maxSurfaceMove (absolute vol) from the time-weighted average of the recent arbitrage-free surfaces
// (timeWeightedVolGrid over navTwapWindowSeconds, total variance averaged, each print holding until the next) at
// any point of the pool's range: expiries over [minTimeToExpiry, maxTimeToExpiry], and at each expiry T the strikes
// within MOVE_STANDARD_DEVIATIONS ATM standard deviations (|k| ≤ 4·baseVol·√T) and the pool's moneyness bounds. The
// strike range narrows with √T because a short smile's far wing has huge vols (SSVI's grow like √(θφ|k|/T)) on
// options worth nothing: an absolute bound there would refuse every honest surface. A refusal is a PoolError VOL_SURFACE_REFUSED naming the expiry and
// the strike region; the operation is refused whole, and a surface refused for arbitrage never enters a later
// reference, so a refused update changes nothing.
import { VolSurfaceError } from "../bindings/errors.js";
import { checkMove, guardVolSurface, timeWeightedVols, type SurfaceObservation } from "../bindings/surface/guard.js";
import type { VolSurface } from "../bindings/surface/vol-surface.js";
import { SECONDS_PER_YEAR } from "./clock.js";
import { PoolError } from "./errors.js";
import type { OracleSnapshot, SpotVolOracle } from "./oracle.js";
import type { PoolParams } from "./params.js";

/** Points of the move check: strikes per expiry, expiries over the pool's tenor range. */
const MOVE_GRID_STRIKES = 41;
const MOVE_GRID_EXPIRIES = 16;
/** Half-width of the strike range of the move check, in ATM standard deviations baseVol·√T. */
const MOVE_STANDARD_DEVIATIONS = 4;

/** One row of the move check: an expiry and its log-moneyness axis. */
export interface MoveRow {
  years: Float64Array;
  k: Float64Array;
}

/**
 * The rows of the move check at ATM vol `baseVol`: expiries geometric over [minTimeToExpiry (≥ 60 s),
 * maxTimeToExpiry], each with k evenly over ±4·baseVol·√T clipped to [ln minMoneyness, ln maxMoneyness].
 */
export function surfaceGuardRows(p: PoolParams, baseVol: number): MoveRow[] {
  const [t0, t1] = [Math.max(p.minTimeToExpirySeconds, 60) / SECONDS_PER_YEAR, p.maxTimeToExpirySeconds / SECONDS_PER_YEAR];
  return Array.from({ length: MOVE_GRID_EXPIRIES }, (_, i) => {
    const years = t0 * (t1 / t0) ** (i / (MOVE_GRID_EXPIRIES - 1));
    const half = MOVE_STANDARD_DEVIATIONS * baseVol * Math.sqrt(years);
    const [k0, k1] = [Math.max(Math.log(p.minMoneyness), -half), Math.min(Math.log(p.maxMoneyness), half)];
    const k = Float64Array.from({ length: MOVE_GRID_STRIKES }, (_, j) => k0 + ((k1 - k0) * j) / (MOVE_GRID_STRIKES - 1));
    return { years: Float64Array.of(years), k };
  });
}

/** The PoolError of a surface refusal. */
function refusal(e: VolSurfaceError, what: string): PoolError {
  return new PoolError("VOL_SURFACE_REFUSED", "oracle.volSurface", `${what}: ${e.message}`, { cause: e });
}

function refusalReason(e: VolSurfaceError): SurfaceRefusal["reason"] {
  return e.reason === "calendar" || e.reason === "move" ? e.reason : "butterfly";
}

/** The latest refusal of a surface guard: when, why and where. */
export interface SurfaceRefusal {
  /** Pool time (unix seconds) of the refused operation. */
  at: number;
  /** "butterfly" or "calendar" (static arbitrage) or "move" (too far from the time average). */
  reason: "butterfly" | "calendar" | "move";
  /** The expiry (years) named, and the log-moneyness region. */
  years: number;
  kFrom: number;
  kTo: number;
  /** The PoolError's message. */
  message: string;
}

/**
 * Surface refusals a pool object has made since it was built (every refused quote or operation counts once). A
 * refusal changes no state, so this is not state: it is in no event, snapshot or replay, and a reopened, replayed
 * or forked pool starts from zero. For monitoring (an oracle printing bad surfaces shows here before anywhere else).
 */
export interface SurfaceRefusals {
  /** Refusals for static arbitrage. */
  arbitrage: number;
  /** Refusals for a move beyond maxSurfaceMove from the time average. */
  move: number;
  last: SurfaceRefusal | undefined;
}

/** Arbitrage verdicts per surface, shared by every pool: a surface is immutable and its check takes no pool setting. */
const verdicts = new WeakMap<VolSurface, VolSurfaceError | undefined>();

/** Checks snapshots' surfaces for one pool. */
export class SurfaceGuard {
  /** The last move check that passed: candidate, time and the newest print it averaged. */
  private lastPass: { surface: VolSurface; now: number; printed: number } | undefined;
  private readonly counts: SurfaceRefusals = { arbitrage: 0, move: 0, last: undefined };

  constructor(
    private readonly oracle: SpotVolOracle,
    private readonly params: PoolParams,
  ) {}

  /** The arbitrage check's failure for `surface` (undefined when it passes), computed once per surface. */
  arbitrage(surface: VolSurface): VolSurfaceError | undefined {
    if (verdicts.has(surface)) return verdicts.get(surface);
    let verdict: VolSurfaceError | undefined;
    try {
      guardVolSurface(surface);
    } catch (e) {
      if (!(e instanceof VolSurfaceError)) throw e;
      verdict = e;
    }
    verdicts.set(surface, verdict);
    return verdict;
  }

  /** The refusals so far (a copy). */
  get refusals(): SurfaceRefusals {
    return { ...this.counts, last: this.counts.last && { ...this.counts.last } };
  }

  /** Counts a refusal and returns its PoolError. */
  private refuse(e: VolSurfaceError, what: string, now: number): PoolError {
    const error = refusal(e, what);
    const reason = refusalReason(e);
    if (reason === "move") this.counts.move++;
    else this.counts.arbitrage++;
    this.counts.last = { at: now, reason, years: e.years ?? NaN, kFrom: e.kFrom ?? NaN, kTo: e.kTo ?? NaN, message: error.message };
    return error;
  }

  /** Throws VOL_SURFACE_REFUSED when `snap`'s surface has arbitrage or moved beyond maxSurfaceMove at `now`. */
  check(snap: OracleSnapshot, now: number): void {
    const surface = snap.volSurface;
    if (!surface) return;
    const bad = this.arbitrage(surface);
    if (bad) throw this.refuse(bad, "the oracle's vol surface has static arbitrage", now);
    const last = this.lastPass;
    if (last && last.surface === surface && last.now === now && last.printed === snap.timestamp) return;
    const observations = this.observations(now);
    if (observations.length > 0) {
      // Every row in one batch per surface: the candidate's vols and the reference's, then the rows one by one.
      const rows = surfaceGuardRows(this.params, snap.baseVol);
      const points = {
        k: Float64Array.from(rows.flatMap((r) => [...r.k])),
        years: Float64Array.from(rows.flatMap((r) => Array.from(r.k, () => r.years[0]!))),
      };
      const mine = surface.volBatch(points);
      const theirs = timeWeightedVols(observations, this.params.navTwapWindowSeconds, now, points);
      let offset = 0;
      for (const row of rows) {
        const end = offset + row.k.length;
        try {
          checkMove(mine.subarray(offset, end), theirs.subarray(offset, end), row.k, row.years, this.params.maxSurfaceMove);
        } catch (e) {
          if (e instanceof VolSurfaceError) throw this.refuse(e, `the oracle's vol surface is too far from its ${this.params.navTwapWindowSeconds} s time average`, now);
          throw e;
        }
        offset = end;
      }
    }
    this.lastPass = { surface, now, printed: snap.timestamp };
  }

  /**
   * The arbitrage-free surfaces printed over the window (the print in force at its start included), one observation
   * per run of prints carrying the same surface; none without history or a window.
   */
  private observations(now: number): SurfaceObservation[] {
    const window = this.params.navTwapWindowSeconds;
    if (window <= 0 || !this.oracle.history) return [];
    const start = now - window;
    const prints = this.oracle.history(start - window);
    const observations: SurfaceObservation[] = [];
    let from = 0;
    for (let i = prints.length - 1; i >= 0; i--) if (prints[i]!.timestamp <= start) { from = i; break; }
    for (let i = from; i < prints.length; i++) {
      const s = prints[i]!.volSurface;
      const previous = observations[observations.length - 1];
      // A run of prints carrying one surface is one observation (it holds until the next surface).
      if (previous && previous.surface === s) continue;
      if (s && this.arbitrage(s) === undefined) observations.push({ surface: s, timestamp: prints[i]!.timestamp });
    }
    return observations;
  }
}
