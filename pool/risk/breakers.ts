// Circuit breakers: low free liquidity, a large implied-vol jump and a settlement each pause LP withdrawals —
// direct redemptions and withdrawals as well as queue payments — for a configured time. A trip is a pool event
// ("circuitBreaker"), so the pause is in the ledger and survives replay. Installed by attachRisk as the pool's
// `onStaged` hook, the breakers are evaluated inside every commit, so a settlement and its pause land in the same
// commit and no queue payment slips between them; `check()` is the keeper's call between operations.
import { PoolError } from "../errors.js";
import type { BreakerName, PoolEvent, PoolEventBody } from "../events.js";
import type { PoolState } from "../ledger.js";
import type { OptionPool } from "../option-pool.js";
import { largestLogMove } from "../oracle.js";

/** Breaker thresholds and pause lengths (pauses in whole seconds, at most the pool's maxPauseSeconds). */
export interface CircuitBreakerOptions {
  /** Trip when free / (free + locked) falls below this, in [0, 1]. Default 0.1. */
  minFreeLiquidityRatio: number;
  /** Pause after a low-liquidity trip (seconds). Default 3600. */
  liquidityPauseSeconds: number;
  /** Trip when |ln(baseVol now / baseVol at any time in the window)| exceeds this (> 0). Default 0.25. */
  ivJumpThreshold: number;
  /** Window of the IV-jump check (seconds). Default 3600. */
  ivJumpWindowSeconds: number;
  /** Pause after an IV-jump trip (seconds). Default 1800. */
  ivJumpPauseSeconds: number;
  /** Pause after each settlement (seconds). Default 900. */
  settlementPauseSeconds: number;
}

export const DEFAULT_CIRCUIT_BREAKER_OPTIONS: Readonly<CircuitBreakerOptions> = Object.freeze({
  minFreeLiquidityRatio: 0.1, liquidityPauseSeconds: 3600, ivJumpThreshold: 0.25, ivJumpWindowSeconds: 3600, ivJumpPauseSeconds: 1800, settlementPauseSeconds: 900,
});

type Trip = Extract<PoolEventBody, { kind: "circuitBreaker" }>;

function resolve(options: Partial<CircuitBreakerOptions>, maxPauseSeconds: number): CircuitBreakerOptions {
  const o = { ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, ...options };
  const bad = (field: string, problem: string): never => {
    throw new PoolError("INVALID_INPUT", `breakers.${field}`, problem);
  };
  for (const key of Object.keys(o)) if (!Object.hasOwn(DEFAULT_CIRCUIT_BREAKER_OPTIONS, key)) bad(key, "is not a breaker option");
  if (!(o.minFreeLiquidityRatio >= 0 && o.minFreeLiquidityRatio <= 1)) bad("minFreeLiquidityRatio", "must be in [0, 1]");
  if (!(o.ivJumpThreshold > 0 && Number.isFinite(o.ivJumpThreshold))) bad("ivJumpThreshold", "must be a finite number > 0");
  if (!(Number.isSafeInteger(o.ivJumpWindowSeconds) && o.ivJumpWindowSeconds >= 0)) bad("ivJumpWindowSeconds", "must be whole seconds ≥ 0");
  for (const key of ["liquidityPauseSeconds", "ivJumpPauseSeconds", "settlementPauseSeconds"] as const)
    if (!(Number.isSafeInteger(o[key]) && o[key] >= 1 && o[key] <= maxPauseSeconds)) bad(key, `must be whole seconds in [1, ${maxPauseSeconds}] (the pool's maxPauseSeconds; seconds, not milliseconds)`);
  return o;
}

/** Watches a pool and trips its breakers. */
export class CircuitBreakers {
  readonly options: CircuitBreakerOptions;
  private seenSeq: number;

  constructor(readonly pool: OptionPool, options: Partial<CircuitBreakerOptions> = {}) {
    this.options = resolve(options, pool.settings.params.maxPauseSeconds);
    this.seenSeq = pool.seq;
  }

  /** The trips due at `now` for a ledger with `free`/`locked` and the per-breaker pauses, after `recent` events. */
  evaluate(ledger: Pick<PoolState, "free" | "locked" | "breakerPausedUntil">, recent: readonly PoolEvent[], now: number): Trip[] {
    const o = this.options;
    const trips: Trip[] = [];
    const trip = (breaker: BreakerName, reason: string, seconds: number) => {
      if (ledger.breakerPausedUntil[breaker] <= now && !trips.some((t) => t.breaker === breaker)) trips.push({ kind: "circuitBreaker", breaker, reason, pausedUntil: now + seconds });
    };
    for (const e of recent) if (e.kind === "settle") trip("settlement", `expiry ${e.expiry} settled at ${e.price}`, o.settlementPauseSeconds);
    const liquidity = ledger.free + ledger.locked;
    if (liquidity > 0n && ledger.locked > 0n) {
      const ratio = Number(ledger.free) / Number(liquidity);
      if (ratio < o.minFreeLiquidityRatio) trip("liquidity", `free liquidity ${(ratio * 100).toFixed(2)}% < ${(o.minFreeLiquidityRatio * 100).toFixed(2)}%`, o.liquidityPauseSeconds);
    }
    if (ledger.breakerPausedUntil.ivJump <= now) {
      const jump = this.ivJump();
      if (jump !== undefined) trip("ivJump", `base vol moved ${(jump * 100).toFixed(1)}% (log) within ${o.ivJumpWindowSeconds} s`, o.ivJumpPauseSeconds);
    }
    return trips;
  }

  /**
   * ln(base vol now / base vol then) of the oldest observation in the IV-jump window beyond the threshold, if any.
   * When the oracle has `extremes`, they say in O(log n) whether there is one, and only then is the window walked.
   */
  private ivJump(): number | undefined {
    const o = this.options;
    const oracle = this.pool.oracle;
    if (!oracle.history) return undefined;
    const latest = oracle.latest();
    const since = latest.timestamp - o.ivJumpWindowSeconds;
    if (oracle.extremes && !(largestLogMove(oracle, "baseVol", since) > o.ivJumpThreshold)) return undefined;
    for (const obs of oracle.history(since)) {
      const jump = Math.log(latest.baseVol / obs.baseVol);
      if (Math.abs(jump) > o.ivJumpThreshold) return jump;
    }
    return undefined;
  }

  /** The pool's `onStaged` hook (attachRisk installs it): stages the trips due after an operation's events. */
  readonly onStaged = (draft: PoolState, staged: readonly PoolEvent[], emit: (body: PoolEventBody) => void): void => {
    for (const t of this.evaluate(draft, staged, this.pool.clock.now())) emit(t);
  };

  /**
   * Evaluates every breaker now (the keeper's call after oracle updates); returns the breakers that tripped. Installed
   * as the pool's hook, it runs the pool's keeper commit (observeOracle); standalone, it records each trip itself.
   */
  check(): BreakerName[] {
    const before = this.pool.seq;
    if (this.pool.riskHooks?.onStaged === this.onStaged) this.pool.observeOracle();
    else {
      const ledger = { free: this.pool.free, locked: this.pool.locked, breakerPausedUntil: this.pool.breakerPauses() };
      for (const t of this.evaluate(ledger, this.pool.eventsSince(this.seenSeq), this.pool.clock.now())) this.pool.tripCircuitBreaker(t.breaker, t.reason, t.pausedUntil);
    }
    this.seenSeq = this.pool.seq;
    return this.pool.eventsSince(before).flatMap((e) => (e.kind === "circuitBreaker" ? [e.breaker] : []));
  }
}
