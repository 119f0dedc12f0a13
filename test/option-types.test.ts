// The per-type collateral and payoff rules (pool/option-types.ts): the one-type pools' rules are today's
// collateralFor / payoutFor exactly; a call on quote collateral under the cap rule never pays more than it locks, pays
// its capped intrinsic value rounded down, and its pricing legs (a call spread) value it between 0 and its cap, close to
// the expected capped payoff; a put on base collateral is refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collateralFor, payoutFor, PoolError } from "../pool/index.js";
import { callCapUnits, collateralForType, legsOf, payoutForType } from "../pool/option-types.js";
import { bsm } from "./support/black-scholes.js";

const scales = fc.record({ decimals: fc.integer({ min: 0, max: 18 }), sizeDecimals: fc.integer({ min: 0, max: 8 }), priceDecimals: fc.integer({ min: 0, max: 10 }) });
const units = fc.bigInt({ min: 1n, max: 10n ** 14n });
const size = fc.bigInt({ min: 1n, max: 10n ** 12n });
const capPpm = fc.bigInt({ min: 1n, max: 5_000_000n });

describe("collateral and payoff per option type", () => {
  it("quote puts and base calls are collateralFor / payoutFor exactly (a one-type pool keeps today's numbers)", () => {
    fc.assert(fc.property(scales, units, units, size, capPpm, (s, k, price, q, cap) => {
      expect(collateralForType("quote", "put", k, q, s, { capPpm: cap })).toBe(collateralFor("quote", k, q, s));
      expect(collateralForType("base", "call", k, q, s, { capPpm: cap })).toBe(collateralFor("base", k, q, s));
      expect(payoutForType("quote", "put", k, price, q, s, { capPpm: cap })).toBe(payoutFor("quote", k, price, q, s));
      expect(payoutForType("base", "call", k, price, q, s, { capPpm: cap })).toBe(payoutFor("base", k, price, q, s));
    }), { numRuns: 1000 });
  });

  it("a capped call on quote collateral pays min((S − K)⁺, C) rounded down, never more than its lock (rounded up)", () => {
    fc.assert(fc.property(scales, units, units, size, capPpm, (s, k, price, q, cap) => {
      const c = mulDivDown(k, cap, 1_000_000n);
      fc.pre(c >= 1n);
      const lock = collateralForType("quote", "call", k, q, s, { capPpm: cap });
      const paid = payoutForType("quote", "call", k, price, q, s, { capPpm: cap });
      const intrinsic = price > k ? price - k : 0n;
      const capped = intrinsic < c ? intrinsic : c;
      // Exact: paid = ⌊capped · q · 10^d / 10^(p + sd)⌋, lock = ⌈C · q · 10^d / 10^(p + sd)⌉.
      const scale = 10n ** BigInt(s.decimals);
      const denominator = 10n ** BigInt(s.priceDecimals + s.sizeDecimals);
      expect(paid).toBe((capped * q * scale) / denominator);
      expect(lock).toBe((c * q * scale + denominator - 1n) / denominator);
      expect(paid).toBeLessThanOrEqual(lock);
      // One lock of 2q rounds up once: never more than two locks of q.
      expect(collateralForType("quote", "call", k, 2n * q, s, { capPpm: cap })).toBeLessThanOrEqual(2n * lock);
    }), { numRuns: 1000 });
  });

  it("prices a capped call as the spread call(K) − call(K + C): between 0 and the discounted cap, and the risk-neutral capped payoff", () => {
    const s = 2000;
    const t = 30 / 365;
    const v = 0.6;
    const r = 0.03;
    for (const [strike, cap] of [[2200, 500_000n], [1800, 1_000_000n], [2000, 100_000n]] as const) {
      const k = BigInt(strike) * 10n ** 8n;
      const legs = legsOf("quote", "call", strike, k, 8, { capPpm: cap });
      const c = Number(callCapUnits(k, { capPpm: cap })) / 1e8;
      expect(legs).toEqual([{ type: "call", strike, weight: 1 }, { type: "call", strike: strike + c, weight: -1 }]);
      const value = legs.reduce((sum, l) => sum + l.weight * bsm(l.type, s, l.strike, t, v, r), 0);
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThan(c * Math.exp(-r * t));
      // E[min((S_T − K)⁺, C)] by the trapezoid rule on the lognormal density, discounted (1e-6 relative).
      const mu = Math.log(s) + (r - 0.5 * v * v) * t;
      const sd = v * Math.sqrt(t);
      let sum = 0;
      const n = 200_000;
      const lo = mu - 10 * sd;
      const h = (20 * sd) / n;
      for (let i = 0; i <= n; i++) {
        const x = lo + i * h;
        const payoff = Math.min(Math.max(Math.exp(x) - strike, 0), c);
        const density = Math.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));
        sum += (i === 0 || i === n ? 0.5 : 1) * payoff * density * h;
      }
      expect(Math.abs(value - sum * Math.exp(-r * t))).toBeLessThan(1e-6 * c);
    }
    expect(legsOf("quote", "put", 1800, 1800n * 10n ** 8n, 8)).toEqual([{ type: "put", strike: 1800, weight: 1 }]);
  });

  it("refuses a put on base collateral and a cap below one price unit, naming the field", () => {
    const s = { decimals: 18, sizeDecimals: 2, priceDecimals: 8 };
    for (const f of [() => collateralForType("base", "put", 1n, 1n, s), () => payoutForType("base", "put", 1n, 1n, 1n, s), () => legsOf("base", "put", 1, 1n, 8)]) {
      expect(f).toThrow(PoolError);
      expect(fieldOf(f)).toBe("type");
    }
    expect(fieldOf(() => collateralForType("quote", "call", 1n, 1n, s, { capPpm: 999_999n }))).toBe("strike");
    expect(fieldOf(() => collateralForType("quote", "call", 10n, 1n, s, { capPpm: 0n }))).toBe("capPpm");
  });
});

function mulDivDown(a: bigint, b: bigint, d: bigint): bigint {
  return (a * b) / d;
}

function fieldOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof PoolError) return e.field;
    throw e;
  }
  throw new Error("did not throw");
}
