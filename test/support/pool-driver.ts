// A deterministic life of a pool for durability tests: step k happens at T0 + k·STEP seconds, after an oracle print
// whose spot depends only on k (a seeded random walk), and does one operation drawn from a generator seeded by k
// alone (deposits, buys and sells of weekly puts, redemptions, claims, keeper calls; settlement happens as operations
// settle what is due). So a process that restarts from its store can take the life up where the store ends — it
// replays the prints, then continues from the step after the last event's time — and the log it writes is the log of
// a life that never stopped. Refused operations (slippage, utilization, pauses) are part of the life: a PoolError is
// the outcome of that step, anything else is a failure.
import { seededUniform } from "../../bench/inputs.js";
import type { Pricer } from "../../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, PoolError, type PoolConfig } from "../../pool/index.js";

export const LIFE_T0 = 1_767_225_600; // 2026-01-01T00:00:00Z
/** Seconds between steps. */
export const STEP = 3_600;
const WEEK = 7 * 86_400;
const USDC = 1_000_000n;
const LPS = ["lp-a", "lp-b", "lp-c"];
const TRADERS = ["t-1", "t-2", "t-3", "t-4"];

/** Spot of the print at step k: a random walk (2 % hourly moves at most) that depends only on the seed and k. */
export function spotAt(seed: number, k: number): number {
  const random = seededUniform(seed);
  let spot = 2000;
  for (let j = 1; j <= k; j++) spot *= 1 + (random() - 0.5) * 0.004;
  return Math.round(spot * 100) / 100;
}

/** The clock, oracle and config of a life (the store and key are the caller's). */
export function lifeConfig(pricer: Pricer, extra: Partial<PoolConfig> = {}): { config: PoolConfig; clock: ManualClock; oracle: ManualOracle } {
  const clock = new ManualClock(LIFE_T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: LIFE_T0, baseVol: 0.6 });
  const config: PoolConfig = { collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, ...extra };
  return { config, clock, oracle };
}

/** Moves the clock to step k and pushes its print. */
export function enterStep(seed: number, k: number, clock: ManualClock, oracle: ManualOracle): void {
  const t = LIFE_T0 + k * STEP;
  clock.set(t);
  if (k > 0) oracle.push({ timestamp: t, spot: spotAt(seed, k) });
}

/** The step after the pool's last event (the whole life so far replayed into `oracle`). */
export function resumeStep(pool: OptionPool, seed: number, clock: ManualClock, oracle: ManualOracle): number {
  const last = pool.seq === 0 ? undefined : pool.eventsSince(pool.seq - 1)[0];
  const next = last === undefined ? 0 : Math.floor((last.time - LIFE_T0) / STEP) + 1;
  for (let k = 1; k < next; k++) enterStep(seed, k, clock, oracle);
  return next;
}

/** The operation of step k (after enterStep). Returns what happened, for logs. */
export function doStep(pool: OptionPool, seed: number, k: number): string {
  const random = seededUniform(seed * 1_000_003 + k);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const now = LIFE_T0 + k * STEP;
  const expiry = (Math.floor((now - LIFE_T0) / WEEK) + 2) * WEEK + LIFE_T0; // one or two weeks out, on the weekly grid
  const strike = pick([1800, 1900, 2000, 2100]);
  const r = random();
  try {
    if (k === 0 || r < 0.12) return `deposit ${pool.deposit(pick(LPS), BigInt(20_000 + Math.floor(random() * 80_000)) * USDC)}`;
    if (r < 0.55) return `buy ${pool.trade(pick(TRADERS), { type: "put", strike, expiry, size: BigInt(50 + Math.floor(random() * 500)), side: "buy", maxCost: 10n ** 12n }).total}`;
    if (r < 0.72) {
      const trader = pick(TRADERS);
      const held = pool.positionsOf(trader).find((p) => p.series.expiry > now + STEP);
      if (!held) return "nothing to sell";
      const size = held.size / 2n > 0n ? held.size / 2n : held.size;
      return `sell ${pool.trade(trader, { ...held.series, size, side: "sell", minProceeds: 0n }).total}`;
    }
    if (r < 0.8) {
      const lp = pick(LPS);
      const shares = pool.sharesOf(lp) / 4n;
      return shares > 0n ? `redeem ${pool.redeem(lp, shares).assets}` : "nothing to redeem";
    }
    if (r < 0.86) {
      const who = pick(TRADERS);
      return pool.claimableOf(who) > 0n ? `claim ${pool.claim(who)}` : "nothing to claim";
    }
    return `observe ${pool.observeOracle()}`;
  } catch (e) {
    if (e instanceof PoolError) return `refused ${e.code}`;
    throw e;
  }
}

/** Runs steps [from, to) of the life. */
export function live(pool: OptionPool, seed: number, from: number, to: number, clock: ManualClock, oracle: ManualOracle): void {
  for (let k = from; k < to; k++) {
    enterStep(seed, k, clock, oracle);
    doStep(pool, seed, k);
  }
}
