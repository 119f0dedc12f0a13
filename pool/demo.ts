// runPoolDemo(): a reproducible simulation of a quote-collateral (USDC) pool writing ETH puts.
// LPs deposit and redeem, traders buy puts on weekly expiries and sometimes sell them back, spot follows a
// geometric Brownian motion from a seeded PRNG (mulberry32 + Box-Muller), expiries settle from the oracle.
import { createPricer } from "../bindings/index.js";
import { ManualClock } from "./clock.js";
import { PoolError } from "./errors.js";
import { formatAmount } from "./amounts.js";
import { OptionPool, type SyncPricer } from "./option-pool.js";
import { ManualOracle } from "./oracle.js";

/** Options of runPoolDemo. */
export interface DemoOptions {
  /** Simulated days (default 30). */
  days?: number;
  /** PRNG seed (default 42): the same seed prints the same run. */
  seed?: number;
  /** Where lines go (default console.log). */
  log?: (line: string) => void;
  /** A pricer to reuse (default: a new createPricer()). */
  pricer?: SyncPricer;
}

/** One simulated day's closing figures. */
export interface DemoDay {
  day: number;
  spot: number;
  /** NAV in whole USDC. */
  nav: number;
  sharePrice: number;
  utilization: number;
  /** Fees charged that day (whole USDC). */
  fees: number;
  trades: number;
  rejected: number;
}

/** What the demo ends with. */
export interface DemoSummary {
  days: DemoDay[];
  finalSharePrice: number;
  /** NAV in base units (USDC, 6 decimals). */
  finalNav: bigint;
  lps: { name: string; deposited: bigint; withdrawn: bigint; value: bigint }[];
  traders: { name: string; paid: bigint; received: bigint }[];
  /** Protocol fees claimed by the treasury (base units). */
  treasury: bigint;
  events: number;
}

/** mulberry32: a small seeded 32-bit PRNG (uniform in [0, 1)). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400;
const USDC = 1_000_000n;

/** One day of the demo's traders: one to three tries each, a quarter of them selling half a held position. */
function tradeDay(day: {
  pool: OptionPool;
  random: () => number;
  clock: ManualClock;
  start: number;
  spot: number;
  traders: Map<string, { paid: bigint; received: bigint }>;
}): { trades: number; rejected: number } {
  const { pool, random, clock, start, spot } = day;
  let trades = 0;
  let rejected = 0;
  for (const [trader, cash] of day.traders) {
    const tries = 1 + Math.floor(random() * 3);
    for (let k = 0; k < tries; k++) {
      const held = pool.positionsOf(trader).filter((p) => p.series.expiry - clock.now() > 3600);
      const sell = held.length > 0 && random() < 0.25;
      try {
        if (sell) {
          const p = held[Math.floor(random() * held.length)]!;
          const size = p.size > 1n ? p.size / 2n : p.size;
          cash.received += pool.trade(trader, { type: "put", strike: p.series.strike, expiry: p.series.expiry, size, side: "sell", minProceeds: 0n }).total;
        } else {
          const weeksOut = 1 + Math.floor(random() * 4);
          const expiry = start + Math.ceil((clock.now() - start + 2 * DAY) / (7 * DAY)) * 7 * DAY + (weeksOut - 1) * 7 * DAY;
          const strike = Math.round((spot * (0.8 + 0.2 * random())) / 50) * 50;
          const size = BigInt(100 + Math.floor(random() * 2000)); // 1.00 – 21.00 contracts
          const q = pool.quote({ type: "put", strike, expiry, size, side: "buy" });
          cash.paid += pool.trade(trader, { type: "put", strike, expiry, size, side: "buy", maxCost: q.total + q.total / 100n }).total;
        }
        trades++;
      } catch (e) {
        if (!(e instanceof PoolError)) throw e;
        rejected++;
      }
    }
  }
  return { trades, rejected };
}

/** Prints the final balances of the LPs and the traders, and the open positions' mark. */
function logSummary(log: (line: string) => void, summary: DemoSummary, openMark: bigint): void {
  log("final balances (USDC):");
  for (const lp of summary.lps)
    log(`  LP ${lp.name.padEnd(9)} deposited ${formatAmount(lp.deposited, 6, { digits: 2 }).padStart(12)} withdrawn ${formatAmount(lp.withdrawn, 6, { digits: 2 }).padStart(12)} now worth ${formatAmount(lp.value, 6, { digits: 2 }).padStart(12)}`);
  for (const t of summary.traders) {
    const net = t.received - t.paid;
    log(`  ${t.name.padEnd(12)} paid ${formatAmount(t.paid, 6, { digits: 2 }).padStart(10)} received ${formatAmount(t.received, 6, { digits: 2 }).padStart(10)} net ${net < 0n ? "-" : "+"}${formatAmount(net < 0n ? -net : net, 6, { digits: 2 })}`);
  }
  log(`  open positions marked at ${formatAmount(openMark, 6, { digits: 2 })}; treasury claimed ${formatAmount(summary.treasury, 6, { digits: 2 })}; ${summary.events} events`);
}

/**
 * Runs the pool demo and prints one line per day (spot, NAV, share price, utilization, fees) and the final
 * balances. Deterministic for a seed.
 * @example await runPoolDemo({ days: 30, seed: 7 })
 */
export async function runPoolDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const days = options.days ?? 30;
  const log = options.log ?? ((line: string) => console.log(line));
  const random = mulberry32(options.seed ?? 42);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pricer = options.pricer ?? (await createPricer());
  const start = 1_767_225_600; // 2026-01-01T00:00:00Z
  const clock = new ManualClock(start);
  let spot = 2000;
  const sigma = 0.7;
  const oracle = new ManualOracle({ spot, timestamp: start, baseVol: sigma, skew: -0.1 });
  const pool = new OptionPool({ collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock });

  const lpNames = ["alice", "bob", "carol", "dave"];
  const traderNames = ["trader-1", "trader-2", "trader-3"];
  const lps = new Map(lpNames.map((n) => [n, { deposited: 0n, withdrawn: 0n }]));
  const traders = new Map(traderNames.map((n) => [n, { paid: 0n, received: 0n }]));
  const deposit = (name: string, usdc: bigint) => {
    pool.deposit(name, usdc * USDC);
    lps.get(name)!.deposited += usdc * USDC;
  };
  deposit("alice", 500_000n);
  deposit("bob", 300_000n);
  deposit("carol", 200_000n);
  log(`pool2peer pool demo: ${days} days, seed ${options.seed ?? 42}, USDC pool writing ETH puts, spot ${spot}, vol ${sigma}`);
  log(" day      spot          NAV   share   util      fees  trades");

  const result: DemoDay[] = [];
  let treasuryClaimed = 0n;
  for (let day = 1; day <= days; day++) {
    clock.set(start + day * DAY);
    spot *= Math.exp(-0.5 * sigma * sigma / 365 + (sigma / Math.sqrt(365)) * gaussian());
    oracle.push({ spot, timestamp: clock.now() });
    const feesBefore = pool.totals.fees;

    // Settle every expiry that has passed, then holders claim.
    for (const expiry of new Set(pool.openSeries().map((s) => s.expiry))) if (expiry <= clock.now()) pool.settle(expiry);
    for (const name of traderNames) if (pool.claimableOf(name) > 0n) traders.get(name)!.received += pool.claim(name);
    if (pool.claimableOf("treasury") > 0n) treasuryClaimed += pool.claim("treasury");

    if (day === 10) deposit("dave", 250_000n);
    if (day === 20) pool.redeem("bob", pool.sharesOf("bob") / 2n); // what free liquidity cannot pay now is queued

    const { trades, rejected } = tradeDay({ pool, random, clock, start, spot, traders });
    const nav = pool.nav();
    const d: DemoDay = {
      day, spot, nav: Number(nav) / 1e6, sharePrice: pool.sharePrice(), utilization: pool.utilization,
      fees: Number(pool.totals.fees - feesBefore) / 1e6, trades, rejected,
    };
    result.push(d);
    log(
      `${String(day).padStart(4)} ${spot.toFixed(2).padStart(9)} ${d.nav.toFixed(2).padStart(12)} ${d.sharePrice.toFixed(4).padStart(7)} ` +
        `${(d.utilization * 100).toFixed(1).padStart(5)}% ${d.fees.toFixed(2).padStart(9)} ${String(trades).padStart(7)}`,
    );
  }

  for (const e of pool.events)
    if ((e.kind === "redeem" || e.kind === "withdrawalPaid") && lps.has(e.owner)) lps.get(e.owner)!.withdrawn += e.assets;
  const summary: DemoSummary = {
    days: result,
    finalSharePrice: pool.sharePrice(),
    finalNav: pool.nav(),
    lps: lpNames.map((name) => ({ name, ...lps.get(name)!, value: pool.valueOf(name) })),
    traders: traderNames.map((name) => ({ name, ...traders.get(name)! })),
    treasury: treasuryClaimed,
    events: pool.events.length,
  };
  logSummary(log, summary, pool.locked + pool.free - summary.finalNav);
  return summary;
}
