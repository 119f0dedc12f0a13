// The market guard: how the pool reads its oracle. Every value is checked (finite, positive), and every operation
// that moves value at the oracle's prices — trades, and LP entries and exits while options are open — first passes
// the same guards: the print is fresh (maxOracleAgeSeconds), trading is not paused, spot and base vol are within
// maxTwapDeviation of their time averages, and spot has not moved more than maxOracleMove within the move window.
// NAV and share prices use the time-weighted averages (navSnapshot), so a one-block spike barely moves them.
// A snapshot's vol surface passes the surface guard (surface-guard.ts: no static arbitrage, no move beyond
// maxSurfaceMove from its time average) before any price-taking operation uses it.
import { PoolError } from "./errors.js";
import type { PoolEventBody } from "./events.js";
import { invalidSnapshotField, spotMove, timeWeightedSpot, timeWeightedVol, type OracleSnapshot, type SpotVolOracle } from "./oracle.js";
import type { PoolParams } from "./params.js";
import { SurfaceGuard, type SurfaceRefusals } from "./surface-guard.js";

/** A deviation of spot or base vol from its time average (the body of a tradingPaused event, without the pause end). */
export type TwapDeviation = Omit<Extract<PoolEventBody, { kind: "tradingPaused" }>, "kind" | "pausedUntil">;

/** Reads and guards the oracle for one pool. */
export class MarketGuard {
  private readonly surfaces: SurfaceGuard;

  constructor(
    readonly oracle: SpotVolOracle,
    private readonly params: PoolParams,
  ) {
    this.surfaces = new SurfaceGuard(oracle, params);
  }

  /** The vol-surface refusals this guard has made (a copy; not state, see SurfaceRefusals). */
  get surfaceRefusals(): SurfaceRefusals {
    return this.surfaces.refusals;
  }

  /** The latest snapshot, checked (PoolError INVALID_INPUT naming the oracle field). */
  latest(): OracleSnapshot {
    const snap = this.oracle.latest();
    const bad = snap === null || typeof snap !== "object" ? "latest" : invalidSnapshotField(snap);
    if (bad) throw new PoolError("INVALID_INPUT", `oracle.${bad}`, "oracle returned an unusable value");
    return snap;
  }

  /**
   * The latest snapshot after every guard of a price-taking operation at `now` with trading paused until
   * `tradingPausedUntil`: STALE_ORACLE, TRADING_PAUSED (a deviation, or a recorded pause), ORACLE_MOVING,
   * VOL_SURFACE_REFUSED.
   */
  guarded(now: number, tradingPausedUntil: number): OracleSnapshot {
    const p = this.params;
    const snap = this.latest();
    const age = now - snap.timestamp;
    if (age > p.maxOracleAgeSeconds || age < -p.maxOracleAgeSeconds)
      throw new PoolError("STALE_ORACLE", "oracle.timestamp", `oracle is ${age} s old (limit ${p.maxOracleAgeSeconds})`);
    // A spot or vol far from its time average pauses trading instead of repricing the pool.
    const d = this.deviation(snap, now);
    if (d) throw new PoolError("TRADING_PAUSED", d.field, `latest deviates ${d.deviation.toFixed(4)} (log) from its ${p.navTwapWindowSeconds} s time average (limit ${p.maxTwapDeviation})`);
    if (tradingPausedUntil > now) throw new PoolError("TRADING_PAUSED", "tradingPausedUntil", `trading is paused until ${tradingPausedUntil}`);
    const move = spotMove(this.oracle, p.oracleMoveWindowSeconds);
    if (move > p.maxOracleMove)
      throw new PoolError("ORACLE_MOVING", "oracle.spot", `spot moved ${move.toFixed(4)} (log) within ${p.oracleMoveWindowSeconds} s (limit ${p.maxOracleMove})`);
    this.surfaces.check(snap, now);
    return snap;
  }

  /** The value (spot or base vol) deviating most from its time average, when beyond maxTwapDeviation. */
  deviation(snap: OracleSnapshot, now: number): TwapDeviation | undefined {
    const p = this.params;
    if (p.navTwapWindowSeconds <= 0) return undefined;
    const spotAverage = timeWeightedSpot(this.oracle, p.navTwapWindowSeconds, now);
    const volAverage = timeWeightedVol(this.oracle, p.navTwapWindowSeconds, now);
    const dSpot = Math.abs(Math.log(snap.spot / spotAverage));
    const dVol = Math.abs(Math.log(snap.baseVol / volAverage));
    if (Math.max(dSpot, dVol) <= p.maxTwapDeviation) return undefined;
    return dSpot >= dVol
      ? { field: "oracle.spot", latest: snap.spot, average: spotAverage, deviation: dSpot }
      : { field: "oracle.baseVol", latest: snap.baseVol, average: volAverage, deviation: dVol };
  }

  /**
   * The oracle as NAV and share prices see it: spot and base vol replaced by their geometric time-weighted
   * averages over navTwapWindowSeconds (a one-block spike barely moves the share price).
   */
  navSnapshot(now: number): OracleSnapshot {
    const snap = this.latest();
    const window = this.params.navTwapWindowSeconds;
    if (window <= 0) return snap;
    return { ...snap, spot: timeWeightedSpot(this.oracle, window, now), baseVol: timeWeightedVol(this.oracle, window, now) };
  }
}
