// Crash paths through a margin ledger: on each path a writer opens a short strangle with exactly its initial margin
// under the preset, then spot follows a day of hourly GBM steps (60 % vol) with one crash of 10–50 % at a random
// hour; after every step the oracle updates, an account below maintenance is auctioned and a liquidator takes the
// allowed fill `bidDelaySeconds` later (the crash can gap past the auction: that is where bad debt comes from).
// Counted per preset: liquidations, insurance-fund draws and socialised bad debt. Randomness: the WASM core's
// Philox normals (risk/normals.ts), so a seed gives the same figures everywhere.
import { ManualClock } from "../clock.js";
import { ManualOracle } from "../oracle.js";
import { coreOf, pathNormals, type RiskPricer } from "../risk/normals.js";
import { MarginLedger } from "./ledger.js";
import type { MarginPreset } from "./scenarios.js";

/** Parameters of a crash simulation. */
export interface CrashOptions {
  preset: MarginPreset;
  /** Number of paths. */
  paths: number;
  /** Philox seed. Default 1. */
  seed?: number;
  /** Seconds between an auction's start and the liquidator's bid. Default 120. */
  bidDelaySeconds?: number;
  /** Hourly steps per path. Default 24. */
  steps?: number;
}

/** What the paths produced (amounts in USDC base units, 6 decimals). */
export interface CrashReport {
  preset: string;
  paths: number;
  /** Auctions started and bids that filled. */
  liquidations: number;
  fills: number;
  /** Paths on which the insurance fund paid, and the total it paid. */
  insuranceDraws: number;
  insurancePaid: bigint;
  /** Paths with socialised loss, and the total socialised. */
  badDebtPaths: number;
  badDebt: bigint;
  /** Initial margin the writer posted on the first path (USDC base units). */
  initialMargin: bigint;
}

const T0 = 1_767_225_600;
const HOUR = 3600;
const USDC = 1_000_000n;

/** Φ(x) by Abramowitz & Stegun 26.2.17 (|error| < 7.5e-8): ample for drawing a crash hour and size. */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = (Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)) * poly;
  return x >= 0 ? 1 - tail : tail;
}

/** Runs `paths` crash paths with `preset` and counts liquidations, insurance draws and bad debt. */
export async function simulateCrashes(pricer: RiskPricer, o: CrashOptions): Promise<CrashReport> {
  const steps = o.steps ?? 24;
  const delay = o.bidDelaySeconds ?? 120;
  const z = pathNormals(await coreOf(pricer), o.seed ?? 1, o.paths * steps);
  const report: CrashReport = { preset: o.preset.name, paths: o.paths, liquidations: 0, fills: 0, insuranceDraws: 0, insurancePaid: 0n, badDebtPaths: 0, badDebt: 0n, initialMargin: 0n };
  const put = { type: "put" as const, strike: 1800, expiry: T0 + 14 * 86_400 };
  const call = { type: "call" as const, strike: 2200, expiry: T0 + 14 * 86_400 };
  const normal = (k: number) => z[k]!;
  for (let p = 0; p < o.paths; p++) {
    const clock = new ManualClock(T0);
    const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
    const ledger = new MarginLedger({ pricer, oracle, clock, scales: { decimals: 6, sizeDecimals: 2 }, preset: o.preset, liquidation: { maxPriceAgeSeconds: 3 * HOUR } });
    ledger.deposit("lp", 100_000_000n * USDC);
    const shorts = [{ series: put, size: -1000n }, { series: call, size: -1000n }];
    const initial = ledger.marginOf("writer", shorts).initial;
    if (p === 0) report.initialMargin = initial;
    ledger.deposit("writer", initial + 1n);
    ledger.trade("lp", "writer", { series: put, size: 1000n, price: 0n });
    ledger.trade("lp", "writer", { series: call, size: 1000n, price: 0n });
    // Crash hour and size: uniforms Φ(z) from the path's first pair of normals.
    const u1 = Math.min(1 - 1e-12, normalCdf(normal(2 * p * steps)));
    const u2 = normalCdf(normal(2 * p * steps + 1));
    const crashStep = Math.floor(u1 * steps);
    const crash = 0.1 + 0.4 * u2;
    let spot = 2000;
    const dt = 1 / (365 * 24);
    for (let s = 0; s < steps; s++) {
      spot *= Math.exp(-0.18 * dt + 0.6 * Math.sqrt(dt) * normal(2 * (p * steps + s) + (s === 0 ? 0 : 1)));
      if (s === crashStep) spot *= 1 - crash;
      clock.advance(HOUR);
      oracle.push({ spot, timestamp: clock.now(), baseVol: 0.6 * (s >= crashStep ? 1.5 : 1) });
      const m = ledger.marginOf("writer");
      if (ledger.positionsOf("writer").length === 0 || m.cash >= m.maintenance) continue;
      ledger.startAuction("writer");
      report.liquidations++;
      clock.advance(delay);
      ledger.bid("lp", "writer");
      report.fills++;
      while (ledger.auction("writer")) {
        clock.advance(delay);
        ledger.bid("lp", "writer");
        report.fills++;
      }
    }
    const debt = ledger.badDebt;
    if (debt.covered > 0n) report.insuranceDraws++;
    if (debt.socialised > 0n) report.badDebtPaths++;
    report.insurancePaid += debt.covered;
    report.badDebt += debt.socialised;
  }
  return report;
}
