// Circuit breakers: low free liquidity, a large implied-vol jump and a settlement each pause LP withdrawal-
// queue processing for a configured time. A trip is a pool event ("circuitBreaker"), so the pause is in the
// ledger and survives replay; the pool skips queue payments while it lasts.
import type { OptionPool } from "../option-pool.js";

/** Breaker thresholds and pause lengths. */
export interface CircuitBreakerOptions {
  /** Trip when free / (free + locked) falls below this. Default 0.1. */
  minFreeLiquidityRatio: number;
  /** Pause after a low-liquidity trip (seconds). Default 3600. */
  liquidityPauseSeconds: number;
  /** Trip when |ln(baseVol now / baseVol at any time in the window)| exceeds this. Default 0.25. */
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

type Breaker = "liquidity" | "ivJump" | "settlement";

/** Watches a pool and trips its breakers; call `check()` after operations and oracle updates. */
export class CircuitBreakers {
  readonly options: CircuitBreakerOptions;
  private readonly activeUntil = new Map<Breaker, number>();
  private seenSeq: number;

  constructor(readonly pool: OptionPool, options: Partial<CircuitBreakerOptions> = {}) {
    this.options = { ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, ...options };
    this.seenSeq = pool.events.length;
  }

  /** Evaluates every breaker now; returns the breakers that tripped (each trip appended one pool event). */
  check(): Breaker[] {
    const o = this.options;
    const now = this.pool.clock.now();
    const tripped: Breaker[] = [];
    const trip = (breaker: Breaker, reason: string, seconds: number) => {
      if ((this.activeUntil.get(breaker) ?? -Infinity) > now) return;
      this.pool.tripCircuitBreaker(breaker, reason, now + seconds);
      this.activeUntil.set(breaker, now + seconds);
      tripped.push(breaker);
    };
    const events = this.pool.events;
    for (let i = this.seenSeq; i < events.length; i++) {
      const e = events[i]!;
      if (e.kind === "settle") trip("settlement", `expiry ${e.expiry} settled at ${e.price}`, o.settlementPauseSeconds);
    }
    const liquidity = this.pool.free + this.pool.locked;
    if (liquidity > 0n && this.pool.locked > 0n) {
      const ratio = Number(this.pool.free) / Number(liquidity);
      if (ratio < o.minFreeLiquidityRatio) trip("liquidity", `free liquidity ${(ratio * 100).toFixed(2)}% < ${(o.minFreeLiquidityRatio * 100).toFixed(2)}%`, o.liquidityPauseSeconds);
    }
    const oracle = this.pool.oracle;
    const latest = oracle.latest();
    if (oracle.history) {
      for (const obs of oracle.history(latest.timestamp - o.ivJumpWindowSeconds)) {
        const jump = Math.log(latest.baseVol / obs.baseVol);
        if (Math.abs(jump) > o.ivJumpThreshold) {
          trip("ivJump", `base vol moved ${(jump * 100).toFixed(1)}% (log) within ${o.ivJumpWindowSeconds} s`, o.ivJumpPauseSeconds);
          break;
        }
      }
    }
    this.seenSeq = this.pool.events.length;
    return tripped;
  }
}
