// The oracle's per-print aggregates (pool/oracle-record.ts) against the straightforward definitions
// (test/support/oracle-reference.ts: an array pruned by splice, TWAP / move / IV jump by walking every print), on
// random print sequences with equal timestamps, gaps, fractional times, windows longer than the history, pruning and
// retain pins. Exact equality where the fast path computes the same floating-point operations (history, extremes,
// moves, IV-jump trips, settlement prices, the history-only fallback); for the TWAP the stated bound below.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { CircuitBreakers, ManualOracle, spotMove, type OracleField, type OracleSnapshot, type SpotVolOracle } from "../pool/index.js";
import { largestLogMove, timeWeightedGeometric } from "../pool/oracle.js";
import { lookupSettlementPrice } from "../pool/settlement.js";
import { printedOracle } from "../bench/oracle.js";
import { makePool } from "./support/pool.js";
import { ReferenceOracle, referenceIvJump, referenceMove, referenceTwap, twapWork } from "./support/oracle-reference.js";

const EPS = 2 ** -53;
const T0 = 1_767_225_600;
const FIELDS: OracleField[] = ["spot", "baseVol"];

/**
 * Bound on |ln(fast / reference)| for a TWAP over `pieces` pieces whose |ln x| are at most maxLog. The reference sums
 * the pieces one by one (error ≤ pieces·ε·Σ|piece|, and as much again on the covered time when timestamps are
 * fractional); the fast path sums the same rounded pieces through a compensated prefix sum (a difference of two
 * hi + lo pairs and two partial pieces: ≤ 5ε·Σ|piece|); dividing by the covered time leaves ≤ (2·pieces + 5)·ε·maxLog
 * in the mean log, and exp adds one rounding on each side.
 */
function twapBound(pieces: number, maxLog: number): number {
  return (2 * pieces + 5) * EPS * Math.max(1, maxLog) + 4 * EPS;
}

/** A view of `oracle` offering only latest and history: what an oracle without the fast paths gives the pool. */
function historyOnly(oracle: SpotVolOracle, reads?: { prints: number }): SpotVolOracle {
  return {
    latest: () => oracle.latest(),
    history: (since: number) => {
      const prints = oracle.history!(since);
      if (reads) reads.prints += prints.length;
      return prints;
    },
  };
}

type Op =
  | { kind: "push"; dt: number; spot?: number; baseVol?: number }
  | { kind: "retain"; holder: number; back?: number }
  | { kind: "read"; back: number; window: number; ahead: number };

const logUniform = (lo: number, hi: number) => fc.double({ min: Math.log(lo), max: Math.log(hi), noNaN: true }).map(Math.exp);
const dtArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 40, max: 400 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 40, noNaN: true }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("push" as const), dt: dtArb, spot: fc.option(logUniform(1e-3, 1e6), { nil: undefined }), baseVol: fc.option(logUniform(0.01, 5), { nil: undefined }) }, { requiredKeys: ["kind", "dt"] }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retain" as const), holder: fc.integer({ min: 0, max: 2 }), back: fc.option(fc.integer({ min: -50, max: 40_000 }), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("read" as const), back: fc.integer({ min: -100, max: 60_000 }), window: fc.oneof(fc.integer({ min: -5, max: 4000 }), fc.constant(1e9), fc.double({ min: 0, max: 500, noNaN: true })), ahead: fc.integer({ min: -60, max: 600 }) }) },
);
const keepArb = fc.oneof(fc.constantFrom(-10, 0, 60, 600, 3600, Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 50_000 }));

/** Runs `ops` on a ManualOracle and a ReferenceOracle side by side, calling `check` after each. */
function drive(keep: number, ops: Op[], check: (fast: ManualOracle, ref: ReferenceOracle, op: Op) => void): void {
  const first: OracleSnapshot = { spot: 2000, timestamp: T0, baseVol: 0.6 };
  const fast = new ManualOracle(first, { keepSeconds: keep });
  const ref = new ReferenceOracle(first, keep);
  const holders = [{}, {}, {}];
  for (const op of ops) {
    const t = fast.latest().timestamp;
    if (op.kind === "push") {
      const update = { timestamp: t + op.dt, ...(op.spot === undefined ? {} : { spot: op.spot }), ...(op.baseVol === undefined ? {} : { baseVol: op.baseVol }) };
      fast.push(update);
      ref.push(update);
    } else if (op.kind === "retain") {
      fast.retain(holders[op.holder]!, op.back === undefined ? undefined : t - op.back);
      ref.retain(holders[op.holder]!, op.back === undefined ? undefined : t - op.back);
    }
    check(fast, ref, op);
  }
}

const runs = { numRuns: 200, seed: 20260116 };
const opsArb = fc.array(opArb, { minLength: 1, maxLength: 300, size: "max" });

describe("ManualOracle's record equals the array-and-splice reference", () => {
  it("history(since) and history(since, until) return the same observations after every push, prune and pin", () => {
    fc.assert(
      fc.property(keepArb, opsArb, (keep, ops) => {
        drive(keep, ops, (fast, ref, op) => {
          expect(fast.latest()).toEqual(ref.latest());
          if (op.kind !== "read") return;
          expect(fast.history(Number.NEGATIVE_INFINITY)).toEqual(ref.observations);
          const since = fast.latest().timestamp - op.back;
          expect(fast.history(since)).toEqual(ref.history(since));
          expect(fast.history(since, since + op.window)).toEqual(ref.history(since).filter((o) => o.timestamp <= since + op.window));
        });
      }),
      runs,
    );
  });

  it("extremes, spotMove and the base-vol move equal the walk exactly (|ln(latest / x)| is largest at the least or greatest x)", () => {
    fc.assert(
      fc.property(keepArb, opsArb, (keep, ops) => {
        drive(keep, ops, (fast, ref, op) => {
          if (op.kind !== "read") return;
          const since = fast.latest().timestamp - op.back;
          for (const field of FIELDS) {
            const inWindow = ref.history(since).map((o) => o[field]);
            expect(fast.extremes(field, since)).toEqual(inWindow.length ? { min: Math.min(...inWindow), max: Math.max(...inWindow) } : undefined);
            expect(largestLogMove(fast, field, since)).toBe(referenceMove(ref.observations, field, since));
            expect(largestLogMove(historyOnly(fast), field, since)).toBe(referenceMove(ref.observations, field, since));
          }
          expect(spotMove(fast, op.back)).toBe(referenceMove(ref.observations, "spot", since));
        });
      }),
      runs,
    );
  });

  it("the TWAP from the prefix integrals is within twapBound of the walk; the history-only fallback equals the walk exactly", () => {
    let worst = 0;
    fc.assert(
      fc.property(keepArb, opsArb, (keep, ops) => {
        drive(keep, ops, (fast, ref, op) => {
          if (op.kind !== "read") return;
          const now = fast.latest().timestamp + op.ahead;
          for (const field of FIELDS) {
            const expected = referenceTwap(ref.observations, field, op.window, now);
            const { pieces, maxLog } = twapWork(ref.observations, field, op.window, now);
            const got = timeWeightedGeometric(fast, field, op.window, now);
            const error = Math.abs(Math.log(got / expected));
            worst = Math.max(worst, error / twapBound(pieces, maxLog));
            expect(error, `${field} over ${op.window} s at ${now}, ${pieces} pieces`).toBeLessThanOrEqual(twapBound(pieces, maxLog));
            expect(timeWeightedGeometric(historyOnly(fast), field, op.window, now)).toBe(expected);
          }
        });
      }),
      runs,
    );
    expect(worst).toBeLessThanOrEqual(1); // the largest error seen, as a fraction of its bound
  });
});

describe("what the pool reads", () => {
  let pricer: Pricer;
  beforeAll(async () => {
    pricer = await createPricer();
  });

  it("settlement prices (print, TWAP fallback, pending) from a bounded history equal those from the whole history", () => {
    const timing = { maxSettlementDelaySeconds: 45, settlementFallbackWindowSeconds: 300 };
    const scales = { decimals: 6, sizeDecimals: 2, priceDecimals: 6 };
    fc.assert(
      fc.property(keepArb, opsArb, fc.integer({ min: -3000, max: 3000 }), (keep, ops, offset) => {
        drive(keep, ops, (fast, ref, op) => {
          if (op.kind !== "read") return;
          const held = fast.history(Number.NEGATIVE_INFINITY);
          const expiry = held[Math.abs(offset) % held.length]!.timestamp + (op.ahead % 120);
          const now = expiry + (op.back % 2500);
          for (const kind of ["quote", "base"] as const) {
            expect(lookupSettlementPrice(expiry, fast, timing, kind, scales, now)).toEqual(lookupSettlementPrice(expiry, historyOnly(ref), timing, kind, scales, now));
          }
        });
      }),
      { numRuns: 150, seed: 20260117 },
    );
  });

  it("the IV-jump breaker trips exactly when the walk does, naming the same (oldest) jump", () => {
    const paused = { liquidity: 0, ivJump: 0, settlement: 0 };
    fc.assert(
      fc.property(keepArb, opsArb, fc.double({ min: 0.01, max: 2, noNaN: true }), (keep, ops, threshold) => {
        drive(keep, ops, (fast, ref, op) => {
          if (op.kind !== "read") return;
          const options = { ivJumpThreshold: threshold, ivJumpWindowSeconds: Math.max(0, op.back) };
          const breakers = new CircuitBreakers(makePool(pricer, { config: { oracle: fast } }).pool, options);
          const trips = breakers.evaluate({ free: 0n, locked: 0n, breakerPausedUntil: paused }, [], T0);
          const jump = referenceIvJump(ref.observations, fast.latest().timestamp - options.ivJumpWindowSeconds, threshold);
          const expected = jump === undefined ? [] : [expect.objectContaining({ breaker: "ivJump", reason: `base vol moved ${(jump * 100).toFixed(1)}% (log) within ${options.ivJumpWindowSeconds} s` })];
          expect(trips).toEqual(expected);
        });
      }),
      { numRuns: 150, seed: 20260118 },
    );
  });
});

describe("at scale", () => {
  it("a year of 60 s prints, 30 days kept: TWAPs over 30 min and 30 days stay within twapBound of the walk (the prefix sums have grown to ~2.4e8)", () => {
    const oracle = printedOracle(365 * 1440, 60, 1, 30 * 86_400);
    const held = oracle.history(Number.NEGATIVE_INFINITY);
    expect(held.length).toBe(30 * 1440 + 1); // pruned at the 30-day horizon all year
    const now = oracle.latest().timestamp;
    for (const field of FIELDS) {
      for (const [window, ahead] of [[1800, 0], [1800, 37], [1799.5, 12], [30 * 86_400, 0], [40 * 86_400, 5]] as const) {
        const expected = referenceTwap(held, field, window, now + ahead);
        const { pieces, maxLog } = twapWork(held, field, window, now + ahead);
        expect(Math.abs(Math.log(oracle.twap(field, now + ahead - window, now + ahead)! / expected))).toBeLessThanOrEqual(twapBound(pieces, maxLog));
        // 30 minutes of 60 s prints: within 1e-13 of the log price, as the bound says (31 pieces, |ln x| ≤ ~9).
        if (window < 2000) expect(Math.abs(Math.log(oracle.twap(field, now + ahead - window, now + ahead)! / expected))).toBeLessThanOrEqual(1e-13);
      }
    }
  });

  it("without the fast paths the TWAP reads two windows of prints and the move one, not the whole history", () => {
    const oracle = printedOracle(20_000, 12, 2);
    const reads = { prints: 0 };
    const view = historyOnly(oracle, reads);
    const now = oracle.latest().timestamp + 5;
    expect(timeWeightedGeometric(view, "spot", 1800, now)).toBe(referenceTwap(oracle.history(Number.NEGATIVE_INFINITY), "spot", 1800, now));
    expect(reads.prints).toBeLessThanOrEqual(2 * (1800 / 12) + 1); // history from now − 2 windows: the window and the one before
    reads.prints = 0;
    spotMove(view, 600);
    expect(reads.prints).toBe(600 / 12 + 1);
  });
});
