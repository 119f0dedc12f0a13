// Property tests: random sequences of pool operations (deposits, redemptions, quotes, trades, oracle moves,
// settlements, claims, withdrawal processing) over the REAL pricer, with the ledger invariants checked after
// every step.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer, type VolSurface } from "../bindings/index.js";
import type { Greeks, OptionBatch } from "../bindings/types.js";
import { skewArb, skewedSurface } from "./support/pool-surface.js";
import {
  GreeksMonitor,
  ManualClock,
  ManualOracle,
  OptionPool,
  PoolError,
  eventsToJSON,
  lockFor,
  seriesKey,
  type PoolConfig,
} from "../pool/index.js";
import { pow10 } from "../pool/units.js";

let pricer: Pricer;
/** Skewed surfaces the sequences draw from: a fixed sample of skewArb, so each is arbitrage-checked once. */
const SURFACE_COUNT = 16;
let surfaces: VolSurface[];
beforeAll(async () => {
  pricer = await createPricer();
  surfaces = fc.sample(skewArb, { numRuns: SURFACE_COUNT, seed: 17 }).map((p) => skewedSurface(pricer, p));
});

const T0 = 1_767_225_600;
const DAY = 86_400;
const EXPIRIES = [T0 + 2 * DAY, T0 + 5 * DAY + 3600, T0 + 12 * DAY];
const LPS = ["lp-a", "lp-b", "lp-c"];
const TRADERS = ["t-1", "t-2"];
const TYPE = { quote: "put", base: "call" } as const;

type Op =
  | { op: "deposit"; who: number; amount: bigint }
  | { op: "donate"; amount: bigint }
  | { op: "redeem"; who: number; permille: number }
  | { op: "cancel"; who: number; pick: number }
  | { op: "quote"; strike: number; expiry: number; size: bigint }
  | { op: "buy"; who: number; strike: number; expiry: number; size: bigint; slack: number }
  | { op: "sell"; who: number; pick: number; permille: number }
  | { op: "oracle"; logReturn: number; vol: number; seconds: number; push: boolean }
  | { op: "toExpiry"; expiry: number; logReturn: number }
  | { op: "settle"; expiry: number; jump: boolean }
  | { op: "claim"; who: number }
  | { op: "process" }
  // the adversarial actor: LP operations around expiries, stale and jumping prints, pauses, admin calls
  | { op: "mint"; who: number; shares: bigint }
  | { op: "withdraw"; who: number; permille: number }
  | { op: "stale"; seconds: number }
  | { op: "jump"; logReturn: number }
  | { op: "nearExpiry"; expiry: number; offset: number; print: boolean; logReturn: number; then: "deposit" | "redeem" | "withdraw" | "claim" | "observe" }
  | { op: "breaker"; seconds: number }
  | { op: "lift" }
  | { op: "admin"; expiry: number; price: number }
  // a new vol surface from the oracle (arbitrage-free; the pool's guard may still refuse it as too far from the average)
  | { op: "surface"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("deposit" as const), who: fc.nat(2), amount: fc.bigInt({ min: 1n, max: 10n ** 11n }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("donate" as const), amount: fc.bigInt({ min: 1n, max: 10n ** 9n }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("redeem" as const), who: fc.nat(2), permille: fc.integer({ min: 1, max: 1200 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("cancel" as const), who: fc.nat(2), pick: fc.nat(5) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("quote" as const), strike: fc.integer({ min: 20, max: 50 }), expiry: fc.nat(2), size: fc.bigInt({ min: -5n, max: 2000n }) }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant("buy" as const), who: fc.nat(1), strike: fc.integer({ min: 20, max: 50 }), expiry: fc.nat(2),
      size: fc.bigInt({ min: 1n, max: 2000n }), slack: fc.integer({ min: -2, max: 100 }),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ op: fc.constant("sell" as const), who: fc.nat(1), pick: fc.nat(5), permille: fc.integer({ min: 1, max: 1200 }) }), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constant("oracle" as const), logReturn: fc.double({ min: -0.12, max: 0.12, noNaN: true }),
      vol: fc.double({ min: 0.2, max: 1.5, noNaN: true }), seconds: fc.integer({ min: 1, max: DAY }), push: fc.integer({ min: 0, max: 4 }).map((k) => k > 0),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant("toExpiry" as const), expiry: fc.nat(2), logReturn: fc.double({ min: -0.3, max: 0.3, noNaN: true }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("settle" as const), expiry: fc.nat(2), jump: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("claim" as const), who: fc.nat(2) }), weight: 1 },
  { arbitrary: fc.constant({ op: "process" as const }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("mint" as const), who: fc.nat(2), shares: fc.bigInt({ min: 1n, max: 10n ** 14n }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("withdraw" as const), who: fc.nat(2), permille: fc.integer({ min: 1, max: 1200 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("stale" as const), seconds: fc.integer({ min: 1, max: 6 * 3600 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("jump" as const), logReturn: fc.double({ min: -0.6, max: 0.6, noNaN: true }) }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant("nearExpiry" as const), expiry: fc.nat(2), offset: fc.integer({ min: -900, max: 7200 }), print: fc.boolean(),
      logReturn: fc.double({ min: -0.3, max: 0.3, noNaN: true }), then: fc.constantFrom("deposit" as const, "redeem" as const, "withdraw" as const, "claim" as const, "observe" as const),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant("breaker" as const), seconds: fc.integer({ min: 1, max: 4 * 3600 }) }), weight: 1 },
  { arbitrary: fc.constant({ op: "lift" as const }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("admin" as const), expiry: fc.nat(2), price: fc.double({ min: 500, max: 4000, noNaN: true }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("surface" as const), pick: fc.nat(SURFACE_COUNT - 1) }), weight: 1 },
);

/** The type a quote or buy asks for: the pool's own, or in a pool writing both types a call when `call`. */
function typeOf(pool: OptionPool, call: boolean): "call" | "put" {
  return call && pool.settings.optionTypes === "both" ? "call" : TYPE[pool.settings.collateral];
}

/** Runs one operation; returns whether it can only change the share price through rounding (LP-side ops). `call`: a quote or buy asks for a call (pools writing both types). */
function run(pool: OptionPool, clock: ManualClock, oracle: ManualOracle, o: Op, call = false): boolean {
  const spot = oracle.latest().spot;
  switch (o.op) {
    case "deposit":
      pool.deposit(LPS[o.who]!, o.amount);
      return true;
    case "donate":
      pool.donate("donor", o.amount);
      return false;
    case "redeem":
      pool.redeem(LPS[o.who]!, (pool.sharesOf(LPS[o.who]!) * BigInt(o.permille)) / 1000n + (o.permille > 1000 ? 1n : 0n));
      return true;
    case "cancel": {
      const mine = pool.withdrawalQueue();
      pool.cancelWithdrawal(LPS[o.who]!, mine.length > 0 ? mine[o.pick % mine.length]!.id : 999);
      return true;
    }
    case "quote": {
      const before = JSON.stringify(pool.snapshot());
      try {
        pool.quote({ type: typeOf(pool, call), strike: Math.round((spot * o.strike) / 40), expiry: EXPIRIES[o.expiry]!, size: o.size, side: "buy" });
      } finally {
        expect(JSON.stringify(pool.snapshot())).toBe(before);
      }
      return false;
    }
    case "buy": {
      const req = { type: typeOf(pool, call), strike: Math.round((spot * o.strike) / 40), expiry: EXPIRIES[o.expiry]!, size: o.size, side: "buy" as const };
      const q = pool.quote(req);
      pool.trade(TRADERS[o.who]!, { ...req, maxCost: q.total + BigInt(o.slack) });
      return false;
    }
    case "sell": {
      const held = pool.positionsOf(TRADERS[o.who]!);
      if (held.length === 0) return false;
      const p = held[o.pick % held.length]!;
      const size = (p.size * BigInt(o.permille)) / 1000n;
      pool.trade(TRADERS[o.who]!, { type: p.series.type, strike: p.series.strike, expiry: p.series.expiry, size, side: "sell", minProceeds: 0n });
      return false;
    }
    case "oracle":
      clock.advance(o.seconds);
      if (o.push) oracle.push({ spot: spot * Math.exp(o.logReturn), baseVol: o.vol, timestamp: clock.now() });
      return false;
    case "toExpiry": {
      const t = Math.max(clock.now(), EXPIRIES[o.expiry]!);
      clock.set(t);
      oracle.push({ spot: spot * Math.exp(o.logReturn), timestamp: t });
      return false;
    }
    case "settle": {
      const open = pool.openSeries();
      if (!o.jump || open.length === 0) {
        pool.settle(EXPIRIES[o.expiry]!);
        return false;
      }
      // Jump to an open series' expiry, observe a price there, settle it.
      const expiry = open[o.expiry % open.length]!.expiry;
      clock.set(Math.max(clock.now(), expiry));
      oracle.push({ spot, timestamp: clock.now() });
      pool.settle(expiry);
      return false;
    }
    case "claim":
      pool.claim([...TRADERS, "treasury"][o.who]!);
      return true;
    case "process":
      pool.processWithdrawals();
      return true;
    case "mint":
      pool.mint(LPS[o.who]!, o.shares);
      return true;
    case "withdraw":
      pool.withdraw(LPS[o.who]!, (pool.previewRedeem(pool.sharesOf(LPS[o.who]!) || 1n) * BigInt(o.permille)) / 1000n + 1n);
      return true;
    case "stale":
      clock.advance(o.seconds);
      return false;
    case "jump":
      oracle.push({ spot: spot * Math.exp(o.logReturn), timestamp: clock.now() });
      return false;
    case "nearExpiry": {
      // The market moved in prepare(): here the operation right after it.
      if (o.then === "deposit") pool.deposit(LPS[0]!, 10n ** 9n);
      else if (o.then === "redeem") pool.redeem(LPS[1]!, pool.sharesOf(LPS[1]!) / 2n + 1n);
      else if (o.then === "withdraw") pool.withdraw(LPS[2]!, 10n ** 6n);
      else if (o.then === "claim") pool.claim(TRADERS[0]!);
      else pool.observeOracle();
      return o.then !== "claim" && o.then !== "observe";
    }
    case "breaker":
      pool.tripCircuitBreaker("liquidity", "fuzz", clock.now() + o.seconds);
      return false;
    case "lift":
      pool.liftPause("withdrawals", "fuzz");
      return false;
    case "surface":
      oracle.push({ volSurface: surfaces[o.pick]!, timestamp: clock.now() });
      return false;
    case "admin":
      pool.adminSettle(EXPIRIES[o.expiry]!, o.price, "fuzz: feed down");
      return false;
  }
}

/** The market move that comes before an operation (so that the share-price check compares around the operation only). */
function prepare(clock: ManualClock, oracle: ManualOracle, o: Op): void {
  if (o.op !== "nearExpiry") return;
  clock.set(Math.max(clock.now(), EXPIRIES[o.expiry]! + o.offset));
  if (o.print) oracle.push({ spot: oracle.latest().spot * Math.exp(o.logReturn), timestamp: clock.now() });
}

/** No expiry that has a settlement price is left unsettled once an operation has run (every operation settles first). */
function checkNothingDue(pool: OptionPool) {
  for (const s of pool.openSeries().filter((x) => x.expiry <= pool.clock.now())) {
    let pending = false;
    try {
      pool.settlementPrice(s.expiry);
    } catch (e) {
      pending = e instanceof PoolError && e.code === "SETTLEMENT_PENDING";
    }
    expect(pending, `expiry ${s.expiry} has a price but is not settled`).toBe(true);
  }
}

/** Every invariant of the ledger, recomputed from its parts. */
function checkInvariants(pool: OptionPool) {
  const snap = pool.snapshot() as {
    claimable: Record<string, string>;
    treasuryPending: Record<string, string>;
    shares: Record<string, string>;
    positions: Record<string, Record<string, string>>;
  };
  const sum = (r: Record<string, string>) => Object.values(r).reduce((a, v) => a + BigInt(v), 0n);
  for (const v of [pool.free, pool.locked, pool.reserved, pool.totalSupply]) expect(v >= 0n).toBe(true);
  for (const r of [snap.claimable, snap.treasuryPending, snap.shares, ...Object.values(snap.positions)])
    for (const v of Object.values(r)) expect(BigInt(v) > 0n).toBe(true);
  // assets = free + locked + reserved, with locked and reserved recomputed from their parts.
  const series = pool.openSeries();
  expect(pool.locked).toBe(series.reduce((a, s) => a + s.locked, 0n));
  expect(pool.reserved).toBe(sum(snap.claimable) + sum(snap.treasuryPending));
  expect(pool.assets).toBe(pool.free + pool.locked + pool.reserved);
  // Conservation: everything paid in is held or was paid out.
  const t = pool.totals;
  expect(t.paidIn).toBe(pool.assets + t.paidOut);
  // Supply = held shares + queued shares; open size = sum of holders' positions; collateral covers every series.
  expect(pool.totalSupply).toBe(sum(snap.shares) + pool.withdrawalQueue().reduce((a, q) => a + q.shares, 0n));
  for (const s of series) {
    const held = Object.values(snap.positions).reduce((a, p) => a + BigInt(p[seriesKey(s)] ?? "0"), 0n);
    expect(held).toBe(s.openSize);
    expect(s.locked >= lockFor(pool.settings, s.type, s.strikeUnits, s.openSize)).toBe(true);
  }
}

/**
 * A pool at T0; `surface`, when drawn, is the oracle's vol surface, and `ivImpactSkewRate` the skew part of the impact;
 * `both`: a quote pool writing puts and capped calls (cap 60 % of the strike).
 */
function newPool(kind: "quote" | "base", keyed = false, surface?: number, ivImpactSkewRate = 0, both = false) {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.7, skew: -0.1, ...(surface !== undefined ? { volSurface: surfaces[surface]! } : {}) });
  const config: PoolConfig = {
    collateral: kind, decimals: kind === "quote" ? 6 : 9, sizeDecimals: 2, shareOffset: 3, pricer, oracle, clock, params: { ivImpactSkewRate },
    ...(keyed ? { ledgerKey: "a fuzzing key that is at least thirty-two bytes" } : {}),
    ...(both ? { optionTypes: "both" as const, callCapPpm: 600_000 } : {}),
  };
  return { pool: new OptionPool(config), clock, oracle, config };
}

// "both": a quote pool writing puts and capped calls, each quote and buy asking for a call or a put at random.
const RUNS = { quote: 2000, base: 2000, both: 600 } as const;
const SEEDS = { quote: 20260101, base: 20260102, both: 20260104 } as const;
const opsArb = (kind: keyof typeof RUNS): fc.Arbitrary<[Op, boolean][]> =>
  kind === "both"
    ? fc.array(fc.tuple(opArb, fc.boolean()), { minLength: 5, maxLength: 30 })
    : fc.array(opArb, { minLength: 5, maxLength: 30 }).map((ops) => ops.map((o): [Op, boolean] => [o, false]));

describe.each(["quote", "base", "both"] as const)("%s-collateral pool invariants over random operation sequences", (kind) => {
  it(`hold after every step of ${RUNS[kind]} random sequences, most on skewed vol surfaces (conservation, no negative balance, price never falls from rounding, replay equality, rejections change nothing)`, () => {
    let steps = 0;
    let callTrades = 0;
    let rejected = 0;
    let trades = 0;
    let settles = 0;
    let paused = 0;
    let surfaceTrades = 0;
    let surfaceRefusals = 0;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 10n ** 6n, max: 10n ** 12n }), opsArb(kind), fc.boolean(),
        fc.option(fc.nat(SURFACE_COUNT - 1), { nil: undefined }), fc.constantFrom(0, 0.4),
        (seed, ops, keyed, surface, skewRate) => {
        const { pool, clock, oracle, config } = newPool(kind === "both" ? "quote" : kind, keyed, surface, skewRate, kind === "both");
        pool.deposit("lp-a", seed); // a funded pool, so that most sequences trade
        for (const [o, call] of ops) {
          prepare(clock, oracle, o);
          const before = JSON.stringify(pool.snapshot());
          const eventsBefore = pool.events.length;
          // Share price as the exact ratio (NAV + 1) / (supply + 10^offset), same oracle and clock before and after.
          const navBefore = pool.nav();
          const supplyBefore = pool.totalSupply;
          let lpOp = false;
          let done = false;
          try {
            lpOp = run(pool, clock, oracle, o, call);
            done = true;
          } catch (e) {
            if (!(e instanceof PoolError)) throw e;
            rejected++;
            if (e.code === "VOL_SURFACE_REFUSED") surfaceRefusals++;
            // The one rejection that records something: a trade seeing a deviating oracle appends a tradingPaused
            // event (the pause, its own commit), and nothing else, whatever refuses the trade after it
            // (TRADING_PAUSED, or e.g. STALE_ORACLE when the deviating print is also too old).
            const added = pool.events.slice(eventsBefore);
            if (added.length === 1 && added[0]!.kind === "tradingPaused") paused++;
            else {
              expect(JSON.stringify(pool.snapshot())).toBe(before);
              expect(pool.events.length).toBe(eventsBefore);
            }
            lpOp = false;
          }
          steps++;
          if (done && pool.seq > eventsBefore) checkNothingDue(pool);
          if (pool.events.length > eventsBefore && pool.events.at(-1)!.kind === "trade") {
            trades++;
            if (oracle.latest().volSurface) surfaceTrades++;
            if ((pool.events.at(-1) as { series?: { type: string } }).series?.type === "call") callTrades++;
          }
          if (pool.events.some((e, i) => i >= eventsBefore && e.kind === "settle")) settles++;
          checkInvariants(pool);
          if (lpOp) {
            const v = pow10(pool.settings.shareOffset);
            // (nav' + 1)(supply + v) ≥ (nav + 1)(supply' + v): LP operations never lower the share price.
            expect((pool.nav() + 1n) * (supplyBefore + v) >= (navBefore + 1n) * (pool.totalSupply + v)).toBe(true);
          }
        }
        const replayed = OptionPool.fromJSON(config, eventsToJSON(pool.events));
        expect(replayed.snapshot()).toEqual(pool.snapshot());
        // Every prefix replays too (the log is valid event by event).
        const cut = Math.floor(pool.events.length / 2);
        expect(() => OptionPool.replay(config, pool.events.slice(0, cut))).not.toThrow();
      }),
      { numRuns: RUNS[kind], seed: SEEDS[kind] },
    );
    // The sequences must actually exercise the pool, not just bounce off its checks.
    console.log(`${kind} pool: ${steps} steps, ${trades} trades (${surfaceTrades} on a vol surface, ${callTrades} calls), ${settles} settlements, ${rejected} rejected (${surfaceRefusals} surfaces refused), ${paused} pauses recorded`);
    const share = RUNS[kind] / 2000;
    expect(trades).toBeGreaterThan(1000 * share);
    expect(surfaceTrades).toBeGreaterThan(400 * share);
    expect(settles).toBeGreaterThan(100 * share);
    if (kind === "both") expect(callTrades).toBeGreaterThan(trades / 4);
    expect(rejected).toBeLessThan(steps);
    // Heavier than the default timeout on a loaded 2-core machine (measured 45 s alone, over 120 s under the full suite).
  }, 300_000);
});

describe("async pricing against a moving ledger", () => {
  it("navAsync and GreeksMonitor.refresh return figures of the ledger state they resolve at, or LEDGER_MOVED, whatever runs during the await (200 sequences)", async () => {
    let resolvedCurrent = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(opArb, fc.nat(6)), { minLength: 3, maxLength: 12 }), async (steps) => {
        const { pool, clock, oracle } = newPool("quote");
        pool.deposit("lp-a", 10n ** 11n);
        for (const expiry of EXPIRIES) pool.trade("t-1", { type: "put", strike: 1900, expiry, size: 500n, side: "buy", maxCost: 10n ** 12n });
        const monitor = new GreeksMonitor(pool);
        for (const [o, races] of steps) {
          // An async pricer that lets `races` operations of the sequence run while it prices (as a worker pool would).
          let left = races;
          const racing = {
            async blackScholes(batch: OptionBatch): Promise<Greeks> {
              const g = pricer.blackScholes(batch);
              await Promise.resolve();
              if (left-- > 0) {
                try {
                  prepare(clock, oracle, o);
                  run(pool, clock, oracle, o);
                } catch (e) {
                  if (!(e instanceof PoolError)) throw e;
                }
              }
              return g;
            },
          };
          try {
            const nav = await pool.navAsync(racing);
            expect(nav).toBe(pool.nav());
            const g = await monitor.refresh(racing);
            expect(g.seq).toBe(pool.seq);
            resolvedCurrent++;
          } catch (e) {
            if (!(e instanceof PoolError)) throw e;
            if (e.code === "LEDGER_MOVED") refused++;
            else expect(["INVALID_INPUT", "STALE_ORACLE"]).toContain(e.code); // a view over a bad or stale oracle
          }
        }
      }),
      { numRuns: 200, seed: 20260103 },
    );
    expect(resolvedCurrent).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(0);
  });
});
