// Attacks run inside a scenario against the real pool, beside two replayed twins of the same pool (OptionPool.replay
// of its events at the attack's start, same oracle and clock): a control twin nobody attacks (the other LPs' values
// are compared with it) and an undefended twin with the targeted defence switched off, attacked the same way (what
// the attack would have gained without the defence). Amounts reported in whole collateral units (USDC).
import type { Pricer } from "../../bindings/pricer.js";
import { SECONDS_PER_YEAR, type ManualClock } from "../clock.js";
import { PoolError } from "../errors.js";
import type { ManualOracle } from "../oracle.js";
import { OptionPool, type PoolConfig, type Quote } from "../option-pool.js";
import type { PoolEvent } from "../events.js";
import type { PoolParams } from "../params.js";
import { pow10 } from "../units.js";
import type { AttackConfig } from "./config.js";

const DAY = 86_400;

/** What one attack did. Money in whole collateral units; positive = the attacker gained. */
export interface AttackResult {
  kind: AttackConfig["kind"];
  day: number;
  /** One line on what was done (sizes, strikes, moves). */
  description: string;
  /** The attacker's gain (+) or loss (−) with the defences on. */
  pnl: number;
  /** The same attack on the undefended twin (`undefendedParams`). */
  undefendedPnl: number;
  undefendedParams: Partial<PoolParams>;
  /**
   * Documented bound: the defences keep `pnl ≤ bound` and every other LP's `delta ≥ −bound`. Deposit attacks:
   * deposit·1e-8 + 2 units (float marks inside a TWAP-weighted NAV, plus one unit of ERC-4626 rounding per leg);
   * split trades: 0 (every piece rounds against the splitter).
   */
  bound: number;
  /** Each other LP's value (valueOf) after the attack minus its value in the unattacked twin. */
  others: { name: string; delta: number }[];
  /** Attack legs the real pool refused: "trade: TRADING_PAUSED (oracle.spot)". */
  refused: string[];
  /** Pool events a defence recorded during the attack (tradingPaused, circuitBreaker). */
  defenceEvents: string[];
}

/** What an attack needs from the running scenario. */
export interface AttackContext {
  pool: OptionPool;
  /** The real pool's config without risk hooks: the twins are replayed from it. */
  poolConfig: PoolConfig;
  pricer: Pricer;
  oracle: ManualOracle;
  clock: ManualClock;
  attacker: string;
  /** LP accounts other than the attacker. */
  lps: string[];
  /** Unix second the scenario day started (its oracle print). */
  dayStart: number;
  spot: number;
  vol: number;
}

const usdc = (pool: OptionPool, units: bigint) => Number(units) / Number(pow10(pool.settings.decimals));

/** Net cash to `account` in `events` (base units): − deposits − premiums paid + redemptions + proceeds + claims. */
export function attackerCash(events: readonly PoolEvent[], account: string): bigint {
  let cash = 0n;
  for (const e of events) {
    if (e.kind === "deposit" && e.owner === account) cash -= e.assets;
    else if ((e.kind === "redeem" || e.kind === "withdrawalPaid") && e.owner === account) cash += e.assets;
    else if (e.kind === "trade" && e.trader === account) cash += e.side === "buy" ? -e.paid : e.paid;
    else if (e.kind === "claim" && e.account === account) cash += e.assets;
  }
  return cash;
}

/** What both kinds of attack use: the twins, a refusal-recording leg runner, sizes, the fee-free option value. */
interface AttackEnv {
  control: OptionPool;
  undefended: OptionPool;
  /** Runs one leg on `p`; a PoolError is a refusal (recorded for the real pool), anything else a bug. */
  attempt: <T>(p: OptionPool, leg: string, fn: () => T) => T | undefined;
  sizeOf: (contracts: number) => bigint;
  fairValue: (q: Quote) => number;
  /** When the attack's first leg runs. */
  start: number;
}

/** What an attack of one kind measured. */
interface AttackOutcome {
  description: string;
  pnl: number;
  undefendedPnl: number;
  bound: number;
  spot: number;
}

/**
 * A calm start: the day's price printed every 300 s (fresh for trades) until a whole TWAP window has passed and any
 * deviation pause has ended, so the attack alone makes whatever gap between the latest and the average.
 */
function calmStart({ pool, oracle, clock, dayStart, spot, vol }: AttackContext): void {
  const calmUntil = Math.max(clock.now(), dayStart) + Math.max(pool.settings.params.navTwapWindowSeconds, 300);
  for (let t = Math.max(clock.now(), dayStart) + 300; t <= Math.max(calmUntil, pool.tradingPausedUntil + 300); t += 300) {
    clock.set(t);
    oracle.push({ timestamp: t, spot, baseVol: vol });
    pool.observeOracle();
  }
}

/** The defence each attack targets, switched off in the undefended twin. */
function undefendedParamsOf(kind: AttackConfig["kind"]): Partial<PoolParams> {
  if (kind === "hit-and-run") return { lpConservativeNav: 0 };
  // The spike meets two defences: the LP oracle guards refuse the deposit (deviation, moving oracle) and the NAV is
  // a TWAP; the undefended twin has both off.
  if (kind === "oracle-spike") return { navTwapWindowSeconds: 0, maxOracleMove: 100 };
  return { ivImpactWindowSeconds: 0 };
}

/** A deposit around a price move (hit-and-run) or inside a spike (oracle-spike), on the pool and its undefended twin. */
function depositAttack(ctx: AttackContext, attack: AttackConfig & { kind: "hit-and-run" | "oracle-spike" }, env: AttackEnv): AttackOutcome {
  const { pool, oracle, clock, attacker } = ctx;
  const { attempt, start } = env;
  const deposit = BigInt(Math.round(attack.deposit)) * pow10(pool.settings.decimals);
  const bound = attack.deposit * 1e-8 + 2 / 10 ** pool.settings.decimals;
  const legs = [pool, env.undefended].map((p) => ({ p, before: p.valueOf(attacker), first: p.seq, options: 0 }));
  const depositAll = () => {
    for (const l of legs) attempt(l.p, "deposit", () => l.p.deposit(attacker, deposit));
  };
  const redeemAll = () => {
    for (const l of legs) {
      const shares = l.p.sharesOf(attacker);
      if (shares > 0n) attempt(l.p, "redeem", () => l.p.redeem(attacker, shares));
    }
  };
  const push = (t: number, s: number) => {
    clock.set(t);
    oracle.push({ timestamp: t, spot: s, baseVol: ctx.vol });
    pool.observeOracle(); // the keeper: a deviating print is recorded as a pause even without a trade
  };
  let spot = ctx.spot;
  let description: string;
  if (attack.kind === "hit-and-run") {
    // The move (printed again at +300 s and +610 s to stay fresh: after 610 s the 600 s move check sees no move
    // while the 1800 s TWAP still lags), then deposit, buy at the latest price and redeem in the same second.
    spot = ctx.spot * (1 + attack.spotMove);
    for (const dt of [0, 300, 610]) push(start + dt, spot);
    depositAll();
    const strike = Math.round(spot * attack.moneyness);
    const expiry = ctx.dayStart + attack.expiryDays * DAY;
    for (const l of legs) {
      const q = attempt(l.p, "trade", () => l.p.trade(attacker, { type: "put", strike, expiry, size: env.sizeOf(attack.contracts), side: "buy", maxCost: 10n ** 30n }));
      if (q) l.options = env.fairValue(q);
    }
    redeemAll();
    description = `spot ${(attack.spotMove * 100).toFixed(1)}% to ${spot.toFixed(2)} over 610 s, deposit ${attack.deposit.toLocaleString("en")}, buy ${attack.contracts} puts K=${strike} (${attack.expiryDays} d), redeem at once`;
  } else {
    // The spike, a deposit inside it, the revert, the redemption.
    const spiked = ctx.spot * (1 + attack.spotMove);
    push(start, spiked);
    clock.set(start + 1);
    depositAll();
    push(start + attack.spikeSeconds, ctx.spot);
    clock.set(start + attack.spikeSeconds + 1);
    redeemAll();
    description = `spot ${ctx.spot.toFixed(2)} → ${spiked.toFixed(2)} for ${attack.spikeSeconds} s, deposit ${attack.deposit.toLocaleString("en")} inside it, redeem after the revert`;
  }
  // P&L = the attacker's cash flows in the pool's events since the start (deposits, trades, redemptions paid now or
  // from the queue) + the change in its shares' redemption value (valueOf; a queued remainder counts there) + the
  // fee-free latest value of the options it bought.
  const gain = (l: (typeof legs)[number]) => usdc(l.p, attackerCash(l.p.eventsSince(l.first), attacker) + l.p.valueOf(attacker) - l.before) + l.options;
  return { description, pnl: gain(legs[0]!), undefendedPnl: gain(legs[1]!), bound, spot };
}

/**
 * Split trade: the real pool and the undefended twin take the pieces; the control and a second undefended twin take
 * one trade of the same filled size: gain = one trade's cost − the pieces' cost.
 */
function splitTradeAttack(ctx: AttackContext, attack: AttackConfig & { kind: "split-trade" }, env: AttackEnv): AttackOutcome {
  const { pool, clock, attacker } = ctx;
  const { attempt } = env;
  const undefendedSingle = env.undefended.fork();
  clock.set(env.start);
  const strike = Math.round(ctx.spot * attack.moneyness);
  const expiry = ctx.dayStart + attack.expiryDays * DAY;
  const total = env.sizeOf(attack.contracts);
  const pieces = BigInt(attack.pieces);
  const split = (p: OptionPool) => {
    let paid = 0n;
    let filled = 0n;
    for (let i = 0n; i < pieces; i++) {
      const size = total / pieces + (i < total % pieces ? 1n : 0n);
      if (size === 0n) continue;
      const q = attempt(p, `trade piece ${i + 1n}`, () => p.trade(attacker, { type: "put", strike, expiry, size, side: "buy", maxCost: 10n ** 30n }));
      if (q) {
        paid += q.total;
        filled += q.size;
      }
    }
    return { paid, filled };
  };
  const single = (p: OptionPool, size: bigint) =>
    size === 0n ? 0n : attempt(p, "single", () => p.trade(attacker, { type: "put", strike, expiry, size, side: "buy", maxCost: 10n ** 30n }))?.total;
  const real = split(pool);
  const one = single(env.control, real.filled);
  const weak = split(env.undefended);
  const weakOne = single(undefendedSingle, weak.filled);
  return {
    description: `buy ${attack.contracts} puts K=${strike} (${attack.expiryDays} d) in ${attack.pieces} pieces in one block`,
    pnl: one === undefined ? 0 : usdc(pool, one - real.paid),
    undefendedPnl: weakOne === undefined ? 0 : usdc(pool, weakOne - weak.paid),
    bound: 0,
    spot: ctx.spot,
  };
}

/** The pauses and breakers the pool recorded since `firstEvent`, one line each. */
function defenceEventsOf(pool: OptionPool, firstEvent: number): string[] {
  return pool.eventsSince(firstEvent).flatMap((e) =>
    e.kind === "tradingPaused" ? [`tradingPaused: ${e.field} ${e.latest.toFixed(4)} vs average ${e.average.toFixed(4)} (|ln| ${e.deviation.toFixed(4)}), until +${e.pausedUntil - e.time} s`]
    : e.kind === "circuitBreaker" ? [`circuitBreaker ${e.breaker}: ${e.reason}`] : [],
  );
}

/** Runs `attack` (see config.ts for each kind); returns the result and the spot the scenario continues from. */
export function runAttack(ctx: AttackContext, attack: AttackConfig): { result: AttackResult; spot: number } {
  const { pool, clock, attacker } = ctx;
  calmStart(ctx);
  const undefendedParams = undefendedParamsOf(attack.kind);
  // Shares the attacker still has queued from an earlier attack go back to its balance (no value changes hands), so
  // this attack's deposit cannot pay its own old withdrawal and every share it holds is redeemed at the end.
  for (const q of pool.withdrawalQueue().filter((w) => w.owner === attacker)) pool.cancelWithdrawal(attacker, q.id);
  const control = pool.fork();
  const undefended = pool.fork({ params: undefendedParams });
  const firstEvent = pool.seq;
  const refused: string[] = [];
  const env: AttackEnv = {
    control,
    undefended,
    attempt: (p, leg, fn) => {
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof PoolError)) throw e;
        if (p === pool) refused.push(`${leg}: ${e.code} (${e.field})`);
        return undefined;
      }
    },
    sizeOf: (contracts) => BigInt(Math.max(1, Math.round(contracts * 10 ** pool.settings.sizeDecimals))),
    // Fee-free value of `size` puts at the latest spot and the oracle vol the quote saw: generous to the attacker.
    fairValue: (q) => {
      const years = (q.series.expiry - clock.now()) / SECONDS_PER_YEAR;
      const { rate, dividend } = pool.settings.params;
      const price = ctx.pricer.blackScholes({ type: q.series.type, spot: q.spot, strike: q.series.strike, expiry: years, vol: q.vol, rate, dividend }).price[0]!;
      return (price * Number(q.size)) / 10 ** pool.settings.sizeDecimals;
    },
    start: Math.max(clock.now(), ctx.dayStart) + 60,
  };
  const outcome = attack.kind === "split-trade" ? splitTradeAttack(ctx, attack, env) : depositAttack(ctx, attack, env);
  const others = ctx.lps
    .filter((name) => control.valueOf(name) > 0n || pool.valueOf(name) > 0n)
    .map((name) => ({ name, delta: usdc(pool, pool.valueOf(name) - control.valueOf(name)) }));
  const { description, pnl, undefendedPnl, bound, spot } = outcome;
  return { result: { kind: attack.kind, day: attack.day, description, pnl, undefendedPnl, undefendedParams, bound, others, refused, defenceEvents: defenceEventsOf(pool, firstEvent) }, spot };
}
