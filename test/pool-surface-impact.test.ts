// IV impact as a move of the expiry's smile (fees.ts smileImpact): level from the expiry's same-side flow X, skew
// from Y = Σ cᵢkᵢ, paid as the average over the trade of the potential Φ = rate·G(X) + skewRate·Y²/2. Checked: the
// closed form, telescoping of split trades (exact algebra, 1e-12 in floats), and in the pool on a skewed surface.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { resolveParams, SECONDS_PER_YEAR } from "../pool/index.js";
import { ivImpact } from "../pool/fees.js";
import { smileImpact } from "../pool/fees.js";
import { DAY, makePool, T0, USDC } from "./support/pool.js";
import { skewedSurface } from "./support/pool-surface.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const P = resolveParams({ ivImpactRate: 0.05, ivImpactSkewRate: 0.4 });
const G = (x: number) => x * Math.min(1, x);
const phi = (x: number, y: number) => P.ivImpactRate * G(x) + (P.ivImpactSkewRate * y * y) / 2;

describe("smileImpact", () => {
  it("is ivImpact over the expiry's flow when ivImpactSkewRate is 0 (bit for bit)", () => {
    const p0 = resolveParams({ ivImpactSkewRate: 0 });
    fc.assert(fc.property(fc.double({ min: 0, max: 2e6, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0, max: 2e6, noNaN: true }), (c, k, r) => {
      expect(smileImpact(c, k, 1e6, p0, { collateral: r, moneyness: r * k })).toBe(ivImpact(c, 1e6, p0, r));
    }));
  });

  it("pays (Φ(X + c, Y + ck) − Φ(X, Y)) / c, floored at 0, and n pieces telescope to the whole (1e-12 of liquidity·vol)", () => {
    fc.assert(fc.property(
      fc.double({ min: 1e-4, max: 0.5, noNaN: true }), fc.double({ min: -0.7, max: 0.7, noNaN: true }),
      fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: -0.3, max: 0.3, noNaN: true }), fc.integer({ min: 2, max: 12 }),
      (c, k, x, y, pieces) => {
        const L = 1;
        const expected = Math.max(0, (phi(x + c, y + c * k) - phi(x, y)) / c);
        expect(smileImpact(c, k, L, P, { collateral: x, moneyness: y })).toBeCloseTo(expected, 12);
        // Split: each piece at the flow the previous pieces left.
        let paid = 0;
        let floored = false;
        for (let i = 0; i < pieces; i++) {
          const done = (c * i) / pieces;
          const [x0, y0] = [x + done, y + done * k];
          floored ||= phi(x0 + c / pieces, y0 + (c / pieces) * k) < phi(x0, y0);
          paid += (c / pieces) * smileImpact(c / pieces, k, L, P, { collateral: x0, moneyness: y0 });
        }
        // Without the floor the pieces pay exactly Φ(end) − Φ(start), what one trade pays; the floor only adds.
        if (!floored) expect(paid).toBeCloseTo(phi(x + c, y + c * k) - phi(x, y), 12);
        expect(paid).toBeGreaterThanOrEqual(c * smileImpact(c, k, L, P, { collateral: x, moneyness: y }) - 1e-12);
      },
    ));
  });
});

describe("in the pool, on a skewed surface", () => {
  const EXPIRY = T0 + 30 * DAY;
  const years = (EXPIRY - T0) / SECONDS_PER_YEAR;
  const put = (strike: number) => ({ type: "put" as const, strike, expiry: EXPIRY });
  const params = { ivImpactSkewRate: 0.4 };

  /** Buys `total` of the 1600 put in `pieces` equal trades in one second; returns the total paid. */
  function buyInPieces(total: bigint, pieces: number): bigint {
    const { pool } = makePool(pricer, { params, oracle: { volSurface: skewedSurface(pricer) } });
    pool.deposit("lp", 1_000_000n * USDC);
    let paid = 0n;
    for (let i = 0; i < pieces; i++) paid += pool.trade("splitter", { ...put(1600), size: total / BigInt(pieces), side: "buy", maxCost: 10n ** 15n }).total;
    return paid;
  }

  it("split trades: ten pieces cost no less than one trade (2 and 400 contracts of a 20%-OTM put)", () => {
    for (const total of [200n, 40_000n]) expect(buyInPieces(total, 10)).toBeGreaterThanOrEqual(buyInPieces(total, 1));
  });

  it("a put buy moves the expiry's smile: level for every strike, skew raising puts below the forward and lowering strikes above it", () => {
    const f = makePool(pricer, { params, oracle: { volSurface: skewedSurface(pricer) } });
    f.pool.deposit("lp", 1_000_000n * USDC);
    const before = (strike: number) => f.pool.quote({ ...put(strike), size: 100n, side: "buy" });
    const quotes = [1600, 2000, 2400].map(before);
    const bought = f.pool.trade("t", { ...put(1600), size: 20_000n, side: "buy", maxCost: 10n ** 15n });
    const after = [1600, 2000, 2400].map(before);
    // Each impact from Φ: X = the bought collateral, Y = X·k(1600), liquidity = locked / utilization as quoted.
    const X = Number(bought.collateral);
    const k = (strike: number) => Math.log(strike / 2000) - (P.rate - P.dividend) * years;
    after.forEach((q, i) => {
      const strike = [1600, 2000, 2400][i]!;
      const L = X / q.utilizationBefore;
      const [x, y, c] = [X / L, (X * k(1600)) / L, Number(q.collateral) / L];
      const expected = Math.max(0, (phi(x + c, y + c * k(strike)) - phi(x, y)) / c);
      // L is recovered through one division: 1e-12 relative.
      expect(Math.abs(q.ivImpact - expected)).toBeLessThan(1e-12 * Math.max(expected, 1e-3));
      expect(q.ivImpact).not.toBe(quotes[i]!.ivImpact);
    });
    expect(after[0]!.ivImpact).toBeGreaterThan(after[1]!.ivImpact);
    expect(after[1]!.ivImpact).toBeGreaterThan(after[2]!.ivImpact);
  });
});
