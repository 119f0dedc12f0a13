// Implied vol of tiny prices, whose normalised value β = price·e^{rT}/√(F·K) is below the double range (issue 22:
// price 1e-298, K = 2.1e58, T = 5 came back atIntrinsic with vol 0). References: 50-digit mpmath roots
// (test/fixtures/impliedvol-tiny-golden.json, made by test/fixtures/make-impliedvol-tiny-golden.py).
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { readFixture } from "../support/fixtures.js";
import { createPricer, ImpliedVolStatus, type Pricer } from "../../bindings/index.js";

type Row = [type: number, spot: number, strike: number, expiry: number, rate: number, dividend: number, price: number];
interface TinyCase { input: Row; vol: string; totalVol: number }
const golden = readFixture<{ cases: TinyCase[] }>("impliedvol-tiny-golden.json");
const cases = golden.cases;
const DBL_MIN = 2.2250738585072014e-308;

function batch(rows: readonly Row[]) {
  const column = (k: number) => Float64Array.from(rows, (r) => r[k]!);
  return { type: Int8Array.from(rows, (r) => r[0]), spot: column(1), strike: column(2), expiry: column(3), rate: column(4), dividend: column(5), price: column(6) };
}

/** β = u/√(F·K) in logarithms (it underflows in doubles for most cases). */
function log10Beta([, S, K, T, r, q, price]: Row): number {
  return (Math.log(price) + r * T - 0.5 * (Math.log(S) + (r - q) * T + Math.log(K))) / Math.LN10;
}

const pricers: Record<"simd" | "scalar", Pricer> = {} as never;
beforeAll(async () => {
  pricers.simd = await createPricer({ simd: true });
  pricers.scalar = await createPricer({ simd: false });
});

describe.each(["simd", "scalar"] as const)("impliedVol of tiny prices, %s build", (build) => {
  it("the references reach prices of 2.2e-308 (and subnormal ones) with β from 1e-207 to below 1e-380", () => {
    const betas = cases.map((c) => log10Beta(c.input));
    expect(Math.min(...cases.map((c) => c.input[6]))).toBeLessThan(DBL_MIN);
    expect(cases.some((c) => c.input[6] === DBL_MIN)).toBe(true);
    expect(betas.filter((b) => b < -308).length).toBeGreaterThan(30);
    expect(betas.filter((b) => b >= -308).length).toBeGreaterThan(20);
    expect(Math.min(...betas)).toBeLessThan(-380);
  });

  // Error budget: x = ln(F/K) rounds by ε·|x|, which moves s by ε·|x|/|h|·(1/h) relative ≈ ε·s/|x|; ln β carries
  // ~ε·|ln β| absolute, which moves s by ε·|ln β|/(s·∂ln b/∂s) ≈ ε·|ln β|/h² ≈ ε/2 relative (ln b ≈ −h²/2): the
  // inversion is better conditioned the deeper the wing. Measured worst 3.3e-16 (1.5 ulp); allowed 8ε = 1.8e-15.
  it("every reference vol is recovered with status ok to 8ε relative, in at most 3 iterations", () => {
    const result = pricers[build].impliedVol(batch(cases.map((c) => c.input)));
    cases.forEach((c, i) => {
      const at = `${i}: ${c.input.join(", ")}`;
      expect(result.status[i], at).toBe(ImpliedVolStatus.ok);
      expect(result.iterations[i], at).toBeLessThanOrEqual(3);
      expect(Math.abs(result.vol[i]! / Number(c.vol) - 1), at).toBeLessThanOrEqual(8 * Number.EPSILON);
    });
  });

  it("issue 22: call price 1e-298, S = 100, K = 2.1e58, T = 5 gives σ = 1.50030233799192 (was atIntrinsic, 0)", () => {
    const result = pricers[build].impliedVol({ type: "call", price: 1e-298, spot: 100, strike: 2.1e58, expiry: 5, rate: 0 });
    expect(result.status[0]).toBe(ImpliedVolStatus.ok);
    expect(Math.abs(result.vol[0]! / 1.5003023379919206494 - 1)).toBeLessThanOrEqual(8 * Number.EPSILON);
  });

  // Round trip through the pricer: far out-of-the-money options (d₂ of a call, d₁ of a put, 28..55 standard
  // deviations out) whose Black-Scholes price lies in [2.2e-308, 1e-200]. The price carries the kernel's relative
  // error ~ε·d² (blackscholes-far-wing.test.ts), which moves σ by ~ε·d²/(d·h) ≈ ε relative; 1e-14 allows for it.
  it("prices from the Black-Scholes kernel down to 2.2e-308 invert to their vol to 1e-14 (property, 300 draws)", () => {
    const pricer = pricers[build];
    fc.assert(fc.property(
      fc.boolean(), fc.double({ min: 28, max: 55, noNaN: true }), fc.double({ min: 0.05, max: 8, noNaN: true }),
      fc.double({ min: 0.02, max: 10, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -0.02, max: 0.08, noNaN: true }),
      (call, depth, totalVol, expiry, log10Spot, rate) => {
        const type = call ? "call" : "put";
        const sign = call ? 1 : -1;
        const spot = 10 ** log10Spot;
        const vol = totalVol / Math.sqrt(expiry);
        // ln(F/K) = −θ·s·(depth ± s/2) puts the call's d₂ (the put's d₁) at −depth (+depth).
        const strike = spot * Math.exp(rate * expiry + sign * totalVol * (depth + (call ? -0.5 : 0.5) * totalVol));
        fc.pre(Number.isFinite(strike) && strike > 0);
        const price = pricer.blackScholes({ type, spot, strike, expiry, vol, rate }).price[0]!;
        fc.pre(price >= DBL_MIN && price <= 1e-200);
        const result = pricer.impliedVol({ type, price, spot, strike, expiry, rate });
        expect(result.status[0]).toBe(ImpliedVolStatus.ok);
        expect(Math.abs(result.vol[0]! / vol - 1)).toBeLessThanOrEqual(1e-14);
      },
    ), { numRuns: 300, seed: 22 });
  });
});

describe("impliedVol of tiny prices, SIMD against scalar", () => {
  it("the builds agree bit for bit, tiny lanes mixed with mainstream ones", () => {
    const rows: Row[] = [];
    cases.forEach((c, i) => {
      rows.push(c.input);
      if (i % 2) rows.push([1, 100, 105, 0.5, 0.03, 0.01, 4.2]);
    });
    const a = pricers.simd.impliedVol(batch(rows));
    const b = pricers.scalar.impliedVol(batch(rows));
    rows.forEach((_, i) => {
      expect(Object.is(a.vol[i], b.vol[i]), `vol ${i}`).toBe(true);
      expect([a.status[i], a.iterations[i]], `${i}`).toEqual([b.status[i], b.iterations[i]]);
    });
  });
});
