// Pool scenario runner: a USDC pool writing puts, LPs joining and leaving, traders buying puts, spot and vol
// following seeded GBM paths with a crash day, settlement, circuit breakers and daily net greeks; at the end a
// stress grid and a Monte Carlo VaR run on the final book. Optional peer makers and takers trade on the real
// PeerBook (the pool as backstop) and an attacker runs its attacks (attacks.ts). Driven by a JSON config
// (config.ts; default-scenario.json).
import type { Pricer } from "../../bindings/pricer.js";
import { PeerBook } from "../book/peer-book.js";
import { ManualClock } from "../clock.js";
import { PoolError } from "../errors.js";
import { ManualOracle, volAt } from "../oracle.js";
import { VolSurface } from "../../bindings/surface/vol-surface.js";
import { OptionPool, type PoolConfig } from "../option-pool.js";
import { attachRisk, stressTestPool, valueAtRiskPool, type StressReport, type VarResult } from "../risk/index.js";
import type { AnyPricer } from "../risk/valuation.js";
import { pathNormals } from "../risk/normals.js";
import { runAttack, type AttackResult } from "./attacks.js";
import { checkScenarioConfig, type ScenarioConfig } from "./config.js";
import { emptyVolume, PeerDesk, type PeerVolume } from "./peers.js";
import { ScenarioHedge, scenarioHedgeParams, type HedgeRun } from "./hedge-day.js";

export { checkScenarioConfig, type ScenarioConfig } from "./config.js";

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
  /** Contracts filled between peers / by the pool (direct traders + routed from the book) this day. */
  peerContracts: number;
  poolContracts: number;
  /** Hedge position (base units) after the day's hedging pass (0 unhedged). */
  hedgeSize: number;
}

/** An LP's (or the attacker's) whole-run result in whole collateral units: P&L = received + value − deposited. */
export interface LpResult {
  name: string;
  deposited: number;
  received: number;
  /** Value of the shares still held or queued (valueOf). */
  value: number;
  pnl: number;
}

/** A pool event recorded by a defence (deviation pause, circuit breaker). */
export interface DefenceEvent {
  day: number;
  time: number;
  kind: "tradingPaused" | "circuitBreaker";
  detail: string;
}

/** Result of a scenario run. */
export interface ScenarioResult {
  config: ScenarioConfig;
  timeline: ScenarioDay[];
  stress: StressReport;
  var: VarResult;
  events: number;
  rejectedByRisk: number;
  /** Peer vs pool volume over the run (pool figures include the direct traders). */
  volume: PeerVolume;
  /** One entry per attack, in run order (empty without an attacker). */
  attacks: AttackResult[];
  /** Every LP and the attacker. */
  lps: LpResult[];
  defenceEvents: DefenceEvent[];
  /** Trader operations refused by the pool, by PoolError code. */
  refusals: Record<string, number>;
  /** Hedging figures and the daily P&L attribution (with `config.hedge`). */
  hedge?: HedgeRun;
  /** The pool's implied vols at the end of the run, by strike / spot, at a few expiries. */
  smile: SmileCurves;
}

/** Implied vols the pool prices at (pool/smile.ts) over `moneyness` (strike / spot), one curve per expiry in days. */
export interface SmileCurves {
  moneyness: number[];
  curves: { days: number; vols: number[] }[];
}

/** Expiries of the smile chart, days. */
const SMILE_DAYS = [7, 30, 90];

/** An SSVI surface with the config's shape, ATM vol `vol` at every expiry (the pool takes its level from baseVol). */
function smileSurface(smile: NonNullable<ScenarioConfig["smile"]>, vol: number, pricer: Pricer): VolSurface {
  const slices = [1 / 365, 7 / 365, 30 / 365, 0.25, 1, 2].map((years) => ({ years, theta: vol * vol * years }));
  return VolSurface.create({ model: "ssvi", rho: smile.rho, phi: { form: "power-law", eta: smile.eta, gamma: smile.gamma }, slices }, pricer);
}

/** The pool's smile at the oracle's latest print, over its moneyness bounds. */
function smileCurves(pool: OptionPool, oracle: ManualOracle): SmileCurves {
  const p = pool.settings.params;
  const snap = oracle.latest();
  const moneyness = Array.from({ length: 41 }, (_, i) => p.minMoneyness * (p.maxMoneyness / p.minMoneyness) ** (i / 40));
  const curves = SMILE_DAYS.map((days) => ({ days, vols: moneyness.map((m) => volAt(snap, m * snap.spot, days / 365, p.rate - p.dividend)) }));
  return { moneyness, curves };
}

const DAY = 86_400;
const T0 = 1_767_225_600;

/** The next day's spot and base vol: GBM with vol of vol on normals `z` (2 per day), then the crash day's jump. */
function nextMarket(c: ScenarioConfig, day: number, spot: number, vol: number, z: Float64Array): { spot: number; vol: number } {
  const h = 1 / 365;
  spot *= Math.exp((c.drift - 0.5 * vol * vol) * h + vol * Math.sqrt(h) * z[2 * day]!);
  vol *= Math.exp(-0.5 * c.volOfVol ** 2 * h + c.volOfVol * Math.sqrt(h) * z[2 * day + 1]!);
  vol = Math.min(3, Math.max(0.05, vol));
  if (c.crash && c.crash.day === day) {
    spot *= 1 + c.crash.spotMove;
    vol *= 1 + c.crash.volMove;
  }
  return { spot, vol };
}

/** Settles every traded expiry that has passed (a refusal is the pool's to report); returns them, oldest first. */
function settleDue(pool: OptionPool, expiries: Set<number>, now: number): number[] {
  const due = [...expiries].filter((e) => e <= now).sort();
  for (const e of due) {
    try {
      pool.settle(e);
    } catch (err) {
      if (!(err instanceof PoolError)) throw err;
    }
    expiries.delete(e);
  }
  return due;
}

/** The LPs' deposits and full redemptions of the day; returns the redemptions the pool refused. */
function lpFlows(pool: OptionPool, c: ScenarioConfig, day: number): number {
  let refused = 0;
  for (const lp of c.lps) {
    if (lp.day === day) pool.deposit(lp.name, BigInt(Math.round(lp.deposit)) * 1_000_000n);
    if (lp.redeemDay === day && pool.sharesOf(lp.name) > 0n) {
      try {
        pool.redeem(lp.name, pool.sharesOf(lp.name));
      } catch (err) {
        if (!(err instanceof PoolError)) throw err;
        refused++;
      }
    }
  }
  return refused;
}

/** The traders' put buys from the pool on one day, counted into `volume`, `refusals` and the traded `expiries`. */
function tradersDay(
  pool: OptionPool,
  c: ScenarioConfig,
  day: { now: number; spot: number; uniform: () => number; volume: ReturnType<typeof emptyVolume>; refusals: Record<string, number>; expiries: Set<number> },
): { trades: number; directContracts: number; rejected: number; riskLimited: number } {
  const { now, spot, uniform, volume, refusals } = day;
  const out = { trades: 0, directContracts: 0, rejected: 0, riskLimited: 0 };
  for (let k = 0; k < c.traders.tradesPerDay; k++) {
    const days = c.traders.minDays + Math.floor(uniform() * (c.traders.maxDays - c.traders.minDays + 1));
    const expiry = now + days * DAY;
    const strike = Math.round(spot * (0.8 + 0.25 * uniform()));
    const size = BigInt(1 + Math.floor(uniform() * c.traders.maxContracts * 100));
    try {
      const q = pool.trade(`trader${k % c.traders.count}`, { type: "put", strike, expiry, size, side: "buy", maxCost: 10n ** 18n });
      day.expiries.add(expiry);
      out.trades++;
      volume.poolContracts += Number(size) / 100;
      out.directContracts += Number(size) / 100;
      volume.poolPremium += Number(q.total) / 1e6;
    } catch (err) {
      if (!(err instanceof PoolError)) throw err;
      if (err.code === "RISK_LIMIT") out.riskLimited++;
      refusals[err.code] = (refusals[err.code] ?? 0) + 1;
      out.rejected++;
    }
  }
  return out;
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
  const oracle = new ManualOracle({ spot: c.spot, timestamp: T0, baseVol: c.vol, ...(c.smile ? { volSurface: smileSurface(c.smile, c.vol, pricer) } : { skew: -0.1 }) });
  const poolConfig: PoolConfig = { collateral: "quote", decimals: 6, pricer, oracle, clock, params: c.hedge && scenarioHedgeParams(c.hedge) };
  const pool = new OptionPool(poolConfig);
  const desk = c.peers ? new PeerDesk(new PeerBook(pool), c.peers, T0) : undefined;
  const volume = emptyVolume();
  const refusals: Record<string, number> = {};
  const attacks: AttackResult[] = [];
  const risk = attachRisk(pool, { pricer, preTrade: { maxExpectedShortfall: 0.3 } });
  const hedging = c.hedge && new ScenarioHedge(pool, c.hedge, () => oracle.latest().spot, clock, c.seed, (timestamp) => oracle.push({ timestamp }));
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
      ({ spot, vol } = nextMarket(c, day, spot, vol, z));
      clock.set(now);
      oracle.push({ timestamp: now, spot, baseVol: vol });
      pool.observeOracle(); // the keeper: a print far from its time average records a tradingPaused event
    }
    desk?.settle(settleDue(pool, expiries, now));
    if (c.attacker && pool.claimableOf(c.attacker.name) > 0n) pool.claim(c.attacker.name);
    for (let t = 0; t < c.traders.count; t++) if (pool.claimableOf(`trader${t}`) > 0n) pool.claim(`trader${t}`);
    rejectedByRisk += lpFlows(pool, c, day);
    const { trades, directContracts, rejected, riskLimited } = tradersDay(pool, c, { now, spot, uniform, volume, refusals, expiries });
    rejectedByRisk += riskLimited;
    const peerDay = desk ? desk.trade(day, spot, uniform, volume, expiries) : { peer: 0, pool: 0 };
    for (const attack of c.attacker?.attacks.filter((a) => a.day === day) ?? []) {
      const { result, spot: moved } = runAttack(
        { pool, poolConfig, pricer, oracle, clock, attacker: c.attacker!.name, lps: c.lps.map((lp) => lp.name), dayStart: now, spot, vol },
        attack,
      );
      attacks.push(result);
      spot = moved;
    }
    hedging?.day(day);
    const trips = risk.breakers.check();
    const g = risk.greeks.refreshSync(pricer).total;
    timeline.push({
      day, spot, vol, nav: Number(pool.nav()) / 1e6, sharePrice: pool.sharePrice(), utilization: pool.utilization,
      delta: g.delta, gamma: g.gamma, vega: g.vega, theta: g.theta, trades, rejected, breakerTrips: trips,
      peerContracts: peerDay.peer, poolContracts: peerDay.pool + directContracts, hedgeSize: Number(pool.hedgePosition().size) / 100,
    });
    onProgress?.("days", day + 1, c.days + 1);
  }
  const stress = await stressTestPool(pool, riskPricer);
  const v = await valueAtRiskPool(pool, riskPricer, { paths: c.risk.varPaths, horizonDays: c.risk.varHorizonDays, seed: c.seed }, (done, total) => onProgress?.("VaR paths", done, total));
  for (const [code, n] of Object.entries(volume.refused)) refusals[code] = (refusals[code] ?? 0) + n;
  return {
    config: c, timeline, stress, var: v, events: pool.events.length, rejectedByRisk, volume, attacks,
    lps: lpResults(pool, [...new Set([...c.lps.map((lp) => lp.name), ...(c.attacker ? [c.attacker.name] : [])])]),
    defenceEvents: defenceEvents(pool), refusals, smile: smileCurves(pool, oracle), hedge: hedging?.result(),
  };
}

/** Deposits, redemptions (paid now or from the queue) and the value left per account, from the pool's events. */
function lpResults(pool: OptionPool, names: string[]): LpResult[] {
  const flows = new Map(names.map((n) => [n, { deposited: 0n, received: 0n }]));
  for (const e of pool.events) {
    if (e.kind === "deposit") { const f = flows.get(e.owner); if (f) f.deposited += e.assets; }
    if (e.kind === "redeem" || e.kind === "withdrawalPaid") { const f = flows.get(e.owner); if (f) f.received += e.assets; }
  }
  return names.map((name) => {
    const f = flows.get(name)!;
    const value = pool.valueOf(name);
    const u = (x: bigint) => Number(x) / 1e6;
    return { name, deposited: u(f.deposited), received: u(f.received), value: u(value), pnl: u(f.received + value - f.deposited) };
  });
}

function defenceEvents(pool: OptionPool): DefenceEvent[] {
  const day = (t: number) => Math.floor((t - T0) / DAY);
  return pool.events.flatMap((e): DefenceEvent[] =>
    e.kind === "tradingPaused"
      ? [{ day: day(e.time), time: e.time, kind: e.kind, detail: `${e.field} ${e.latest.toFixed(4)} vs ${pool.settings.params.navTwapWindowSeconds} s average ${e.average.toFixed(4)} (|ln| ${e.deviation.toFixed(4)}), paused ${e.pausedUntil - e.time} s` }]
      : e.kind === "circuitBreaker" ? [{ day: day(e.time), time: e.time, kind: e.kind, detail: `${e.breaker}: ${e.reason}` }] : [],
  );
}
