// Pool scenario runner: a USDC pool writing puts, LPs joining and leaving, traders buying puts, spot and vol
// following seeded GBM paths with a crash day, settlement, circuit breakers and daily net greeks; at the end a
// stress grid and a Monte Carlo VaR run on the final book. Driven by a JSON config (default-scenario.json).
import type { Pricer } from "../../bindings/pricer.js";
import { ManualClock } from "../clock.js";
import { PoolError } from "../errors.js";
import { ManualOracle } from "../oracle.js";
import { OptionPool } from "../option-pool.js";
import { attachRisk, stressTestPool, valueAtRiskPool, type StressReport, type VarResult } from "../risk/index.js";
import type { AnyPricer } from "../risk/valuation.js";
import { pathNormals } from "../risk/normals.js";

/** The JSON config of a scenario (see default-scenario.json). Amounts in whole USDC, times in days. */
export interface ScenarioConfig {
  seed: number;
  days: number;
  spot: number;
  vol: number;
  drift: number;
  /** Annualised lognormal vol of the base vol. */
  volOfVol: number;
  /** A crash day: spot × (1 + spotMove), vol × (1 + volMove). */
  crash?: { day: number; spotMove: number; volMove: number };
  lps: { name: string; deposit: number; day: number; redeemDay?: number }[];
  traders: { count: number; tradesPerDay: number; maxContracts: number; minDays: number; maxDays: number };
  risk: { varPaths: number; varHorizonDays: number; greeksEveryDays: number };
}

/** One day of the timeline. */
export interface ScenarioDay {
  day: number;
  spot: number;
  vol: number;
  nav: number;
  sharePrice: number;
  utilization: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  trades: number;
  rejected: number;
  breakerTrips: string[];
}

/** Result of a scenario run. */
export interface ScenarioResult {
  config: ScenarioConfig;
  timeline: ScenarioDay[];
  stress: StressReport;
  var: VarResult;
  events: number;
  rejectedByRisk: number;
}

const DAY = 86_400;
const T0 = 1_767_225_600;

/** Checks a parsed config (RangeError naming the field). */
export function checkScenarioConfig(c: ScenarioConfig): ScenarioConfig {
  const bad = (field: string, what: string): never => {
    throw new RangeError(`scenario config: ${field} ${what}`);
  };
  if (!(Number.isInteger(c.days) && c.days >= 1 && c.days <= 3650)) bad("days", "must be an integer in [1, 3650]");
  if (!(c.spot > 0)) bad("spot", "must be > 0");
  if (!(c.vol > 0)) bad("vol", "must be > 0");
  if (!Number.isInteger(c.seed)) bad("seed", "must be an integer");
  if (!Array.isArray(c.lps) || c.lps.length === 0) bad("lps", "must list at least one LP");
  c.lps.forEach((lp, i) => { if (!(lp.deposit > 0)) bad(`lps[${i}].deposit`, "must be > 0"); });
  if (!(c.traders?.count >= 1)) bad("traders.count", "must be ≥ 1");
  if (!(c.risk?.varPaths >= 100)) bad("risk.varPaths", "must be ≥ 100");
  return c;
}

/** Runs a scenario. `riskPricer` (e.g. the worker pool) prices the final stress grid and VaR. */
export async function runScenario(
  config: ScenarioConfig,
  pricer: Pricer,
  riskPricer: AnyPricer = pricer,
  onProgress?: (stage: string, done: number, total: number) => void,
): Promise<ScenarioResult> {
  const c = checkScenarioConfig(config);
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: c.spot, timestamp: T0, baseVol: c.vol, skew: -0.1 });
  const pool = new OptionPool({ collateral: "quote", decimals: 6, pricer, oracle, clock });
  const risk = attachRisk(pool, { pricer, preTrade: { maxExpectedShortfall: 0.3 } });
  // Day d moves with the risk run's normals of path d (Philox stream of the seed, from the WASM core).
  const z = pathNormals(pricer.core, c.seed, c.days + 1);
  let u = c.seed >>> 0;
  const uniform = () => ((u = (Math.imul(u ^ (u >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
  const timeline: ScenarioDay[] = [];
  let spot = c.spot;
  let vol = c.vol;
  let rejectedByRisk = 0;
  const expiries = new Set<number>();
  for (let day = 0; day <= c.days; day++) {
    const now = T0 + day * DAY;
    if (day > 0) {
      const h = 1 / 365;
      spot *= Math.exp((c.drift - 0.5 * vol * vol) * h + vol * Math.sqrt(h) * z[2 * day]!);
      vol *= Math.exp(-0.5 * c.volOfVol ** 2 * h + c.volOfVol * Math.sqrt(h) * z[2 * day + 1]!);
      vol = Math.min(3, Math.max(0.05, vol));
      if (c.crash && c.crash.day === day) {
        spot *= 1 + c.crash.spotMove;
        vol *= 1 + c.crash.volMove;
      }
      clock.set(now);
      oracle.push({ timestamp: now, spot, baseVol: vol });
    }
    for (const e of [...expiries].filter((e) => e <= now).sort()) {
      try {
        pool.settle(e);
      } catch (err) {
        if (!(err instanceof PoolError)) throw err;
      }
      expiries.delete(e);
    }
    for (let t = 0; t < c.traders.count; t++) if (pool.claimableOf(`trader${t}`) > 0n) pool.claim(`trader${t}`);
    for (const lp of c.lps) {
      if (lp.day === day) pool.deposit(lp.name, BigInt(Math.round(lp.deposit)) * 1_000_000n);
      if (lp.redeemDay === day && pool.sharesOf(lp.name) > 0n) {
        try {
          pool.redeem(lp.name, pool.sharesOf(lp.name));
        } catch (err) {
          if (!(err instanceof PoolError)) throw err;
          rejectedByRisk++;
        }
      }
    }
    let trades = 0;
    let rejected = 0;
    for (let k = 0; k < c.traders.tradesPerDay; k++) {
      const days = c.traders.minDays + Math.floor(uniform() * (c.traders.maxDays - c.traders.minDays + 1));
      const expiry = now + days * DAY;
      const strike = Math.round(spot * (0.8 + 0.25 * uniform()));
      const size = BigInt(1 + Math.floor(uniform() * c.traders.maxContracts * 100));
      try {
        pool.trade(`trader${k % c.traders.count}`, { type: "put", strike, expiry, size, side: "buy", maxCost: 10n ** 18n });
        expiries.add(expiry);
        trades++;
      } catch (err) {
        if (!(err instanceof PoolError)) throw err;
        if (err.code === "RISK_LIMIT") rejectedByRisk++;
        rejected++;
      }
    }
    const trips = risk.breakers.check();
    const g = risk.greeks.refreshSync(pricer).total;
    timeline.push({
      day, spot, vol, nav: Number(pool.nav()) / 1e6, sharePrice: pool.sharePrice(), utilization: pool.utilization,
      delta: g.delta, gamma: g.gamma, vega: g.vega, theta: g.theta, trades, rejected, breakerTrips: trips,
    });
    onProgress?.("days", day + 1, c.days + 1);
  }
  const stress = await stressTestPool(pool, riskPricer);
  const v = await valueAtRiskPool(pool, riskPricer, { paths: c.risk.varPaths, horizonDays: c.risk.varHorizonDays, seed: c.seed }, (done, total) => onProgress?.("VaR paths", done, total));
  return { config: c, timeline, stress, var: v, events: pool.events.length, rejectedByRisk };
}
