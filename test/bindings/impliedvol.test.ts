// Implied volatility (Let's Be Rational, assembly/implied_vol.ts) through createPricer().impliedVol:
// round trips σ → price → σ on mainstream and wing inputs, the iteration budget, the status codes.
// Prices are made from the core's normalisedBlackCall, which test/assembly/normalised-black.test.ts checks against
// 80-digit mpmath values, as e^{−rT}·(intrinsic + √(F·K)·b(−|x|, s)): the out-of-the-money b carries the
// time value to full relative accuracy, so the price holds all the information the inversion needs.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, ImpliedVolStatus, type Pricer } from "../../bindings/index.js";

interface Case {
  type: Int8Array; spot: Float64Array; strike: Float64Array; expiry: Float64Array; rate: Float64Array;
  dividend: Float64Array; sigma: Float64Array; price: Float64Array; conditioning: Float64Array;
}

function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

/** Builds n options from a sampler and prices them; `conditioning` = ε·(u/vega_u + σ), the Δσ that one ulp of the price causes. */
function makeCases(
  pricer: Pricer, n: number, seed: number,
  sample: (random: () => number) => { type: number; strike: number; expiry: number; sigma: number },
): Case {
  const random = lcg(seed);
  const c: Case = {
    type: new Int8Array(n), spot: new Float64Array(n).fill(100), strike: new Float64Array(n), expiry: new Float64Array(n),
    rate: new Float64Array(n), dividend: new Float64Array(n), sigma: new Float64Array(n), price: new Float64Array(n),
    conditioning: new Float64Array(n),
  };
  const b = pricer.core.exports.normalisedBlackCall;
  const vega = pricer.core.exports.normalisedVega;
  for (let i = 0; i < n; i++) {
    const o = sample(random);
    c.type[i] = o.type; c.strike[i] = o.strike; c.expiry[i] = o.expiry; c.sigma[i] = o.sigma;
    c.rate[i] = 0.06 * random() - 0.01; c.dividend[i] = 0.03 * random();
    const F = 100 * Math.exp((c.rate[i]! - c.dividend[i]!) * o.expiry);
    const x = Math.log(F / o.strike);
    const s = o.sigma * Math.sqrt(o.expiry);
    const sqrtFK = Math.sqrt(F) * Math.sqrt(o.strike);
    const undiscounted = Math.max(o.type * (F - o.strike), 0) + sqrtFK * b(-Math.abs(x), s);
    c.price[i] = Math.exp(-c.rate[i]! * o.expiry) * undiscounted;
    c.conditioning[i] = Number.EPSILON * (undiscounted / (sqrtFK * vega(x, s) * Math.sqrt(o.expiry)) + o.sigma);
  }
  return c;
}

function invert(pricer: Pricer, c: Case) {
  return pricer.impliedVol({
    type: c.type, spot: c.spot, strike: c.strike, expiry: c.expiry, rate: c.rate, dividend: c.dividend, price: c.price,
  });
}

for (const simd of [true, false]) {
  describe(`impliedVol (${simd ? "SIMD" : "scalar"} build)`, () => {
    let pricer: Pricer;
    beforeAll(async () => {
      pricer = await createPricer({ simd });
    });

    it("round-trips σ → price → σ to 1e-12 on 20k mainstream options, in at most 3 (mostly 2) iterations", () => {
      const c = makeCases(pricer, 20_000, 11, (r) => ({
        type: r() < 0.5 ? 1 : -1, strike: 100 * Math.exp(0.6 * (r() - 0.5)), expiry: 0.05 + 2.95 * r(), sigma: 0.05 + 0.95 * r(),
      }));
      const result = invert(pricer, c);
      let twoOrFewer = 0;
      for (let i = 0; i < c.price.length; i++) {
        expect(result.iterations[i]).toBeLessThanOrEqual(3);
        if (result.iterations[i]! <= 2) twoOrFewer++;
        if (result.status[i] === ImpliedVolStatus.atIntrinsic) {
          // Deep in the money with a time value below 4ε of the price: no volatility can be read from it.
          expect(c.conditioning[i]).toBeGreaterThan(1e-6);
          continue;
        }
        expect(result.status[i]).toBe(ImpliedVolStatus.ok);
        // 1e-12 absolute; where one ulp of the price already moves σ by more, allow 64 such ulps (the time value is
        // then below ~1e-4 of the price; observed worst ≈ 14).
        expect(Math.abs(result.vol[i]! - c.sigma[i]!)).toBeLessThanOrEqual(Math.max(1e-12, 64 * c.conditioning[i]!));
      }
      expect(twoOrFewer / c.price.length).toBeGreaterThan(0.99);
    });

    it("round-trips out-of-the-money wings (K/F up to e^±6, σ 0.0025…5, T 0.0025…20) to 1e-9", () => {
      const c = makeCases(pricer, 20_000, 23, (r) => {
        const strike = 100 * Math.exp(12 * (r() - 0.5));
        return { type: strike > 100 ? 1 : -1, strike, expiry: Math.exp(-6 + 9 * r()), sigma: Math.exp(-6 + 7.6 * r()) };
      });
      const result = invert(pricer, c);
      let checked = 0;
      for (let i = 0; i < c.price.length; i++) {
        expect(result.iterations[i]).toBeLessThanOrEqual(3);
        const forward = 100 * Math.exp((c.rate[i]! - c.dividend[i]!) * c.expiry[i]!);
        // Out of the money by construction except within the drift; prices that underflow below 1e-280 are skipped.
        if (c.type[i]! * (forward - c.strike[i]!) > 0 || c.price[i]! < 1e-280) continue;
        // Huge σ√T: within 1e-10 of the upper bound (F or K) the price no longer determines σ.
        const upper = c.type[i]! > 0 ? forward : c.strike[i]!;
        if (c.price[i]! * Math.exp(c.rate[i]! * c.expiry[i]!) >= upper * (1 - 1e-10)) continue;
        checked++;
        expect(result.status[i]).toBe(ImpliedVolStatus.ok);
        expect(Math.abs(result.vol[i]! - c.sigma[i]!)).toBeLessThanOrEqual(Math.max(1e-9 * Math.max(1, c.sigma[i]!), 64 * c.conditioning[i]!));
      }
      // About half of the draws underflow (far strikes with small σ√T) or sit at the bound; ~9.5k remain.
      expect(checked).toBeGreaterThan(8_000);
    });

    it("round-trips deep in-the-money options (via put-call symmetry) wherever the time value is resolvable", () => {
      const c = makeCases(pricer, 10_000, 37, (r) => {
        const strike = 100 * Math.exp(8 * (r() - 0.5));
        return { type: strike > 100 ? -1 : 1, strike, expiry: Math.exp(-4 + 6 * r()), sigma: Math.exp(-3 + 4 * r()) };
      });
      const result = invert(pricer, c);
      for (let i = 0; i < c.price.length; i++) {
        expect(result.iterations[i]).toBeLessThanOrEqual(3);
        if (result.status[i] === ImpliedVolStatus.atIntrinsic) {
          expect(c.conditioning[i]).toBeGreaterThan(1e-6);
          continue;
        }
        expect(result.status[i]).toBe(ImpliedVolStatus.ok);
        expect(Math.abs(result.vol[i]! - c.sigma[i]!)).toBeLessThanOrEqual(Math.max(1e-9, 64 * c.conditioning[i]!));
      }
    });

    it("reports out-of-bounds prices as NaN with a status instead of throwing", () => {
      const r = 0.05, q = 0.02, T = 1, S = 100, K = 90;
      const F = S * Math.exp((r - q) * T);
      const df = Math.exp(-r * T);
      const result = pricer.impliedVol({
        type: ["call", "call", "put", "call", "put", "call", "put", "put"], // negative prices are rejected by validation
        spot: S, strike: [K, K, K, K, K, 120, 120, 120], expiry: T, rate: r, dividend: q,
        price: [
          df * (F - K) * 0.999, // below intrinsic
          df * F, // at the call's upper bound (discounted forward)
          df * K * 1.0001, // above the put's upper bound (discounted strike)
          df * (F - K), // exactly intrinsic
          0, // out-of-the-money put worth 0: at intrinsic
          0, // out-of-the-money call worth 0
          df * (120 - F), // in-the-money put at intrinsic
          df * (120 - F) * 0.5, // in-the-money put below intrinsic
        ],
      });
      expect(Array.from(result.status)).toEqual([1, 2, 2, 3, 3, 3, 3, 1]);
      expect(Number.isNaN(result.vol[0])).toBe(true);
      expect(Number.isNaN(result.vol[1])).toBe(true);
      expect(Number.isNaN(result.vol[2])).toBe(true);
      expect(Array.from(result.vol.subarray(3, 7))).toEqual([0, 0, 0, 0]);
      expect(Number.isNaN(result.vol[7])).toBe(true);
      expect(Array.from(result.iterations)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    });

    it("gives the same volatility for a call and the put priced from it by put-call parity (to 1e-12)", () => {
      const r = 0.03, q = 0.01, T = 0.75, S = 100;
      const strikes = [60, 85, 100, 115, 160];
      const b = pricer.core.exports.normalisedBlackCall;
      const F = S * Math.exp((r - q) * T);
      const callPrices = strikes.map((K) => Math.exp(-r * T) * Math.sqrt(F * K) * b(Math.log(F / K), 0.3 * Math.sqrt(T)));
      const putPrices = strikes.map((K, i) => callPrices[i]! - S * Math.exp(-q * T) + K * Math.exp(-r * T));
      const both = pricer.impliedVol({
        type: [...strikes.map(() => "call" as const), ...strikes.map(() => "put" as const)],
        spot: S, strike: [...strikes, ...strikes], expiry: T, rate: r, dividend: q, price: [...callPrices, ...putPrices],
      });
      for (let i = 0; i < strikes.length; i++) {
        expect(Math.abs(both.vol[i]! - 0.3)).toBeLessThan(1e-12);
        expect(Math.abs(both.vol[i + strikes.length]! - 0.3)).toBeLessThan(1e-12);
      }
    });
  });
}

describe("impliedVol: SIMD and scalar builds", () => {
  it("are bit-identical (vol, status, iterations) on 60k random mainstream + wing inputs", async () => {
    const simd = await createPricer({ simd: true });
    const scalar = await createPricer({ simd: false });
    expect(simd.simd).toBe(true);
    expect(scalar.simd).toBe(false);
    // Odd lengths: the SIMD build's last n mod 4 options take the one-lane path, the rest go four at a time.
    const mainstream = makeCases(simd, 30_001, 101, (r) => ({
      type: r() < 0.5 ? 1 : -1, strike: 100 * Math.exp(0.6 * (r() - 0.5)), expiry: 0.05 + 2.95 * r(), sigma: 0.05 + 0.95 * r(),
    }));
    // Wings, calls and puts on either side (in-the-money ones too), σ√T from ~1e-4 to ~20: every branch of the guess
    // and the scalar fallback are exercised.
    const wings = makeCases(simd, 30_003, 103, (r) => {
      const strike = 100 * Math.exp(12 * (r() - 0.5));
      return { type: r() < 0.5 ? 1 : -1, strike, expiry: Math.exp(-6 + 9 * r()), sigma: Math.exp(-6 + 7.6 * r()) };
    });
    let ok = 0;
    for (const c of [mainstream, wings]) {
      const a = invert(simd, c);
      const b = invert(scalar, c);
      const bitsA = new BigUint64Array(a.vol.buffer, a.vol.byteOffset, a.vol.length);
      const bitsB = new BigUint64Array(b.vol.buffer, b.vol.byteOffset, b.vol.length);
      for (let i = 0; i < c.price.length; i++) {
        if (bitsA[i] !== bitsB[i] || a.status[i] !== b.status[i] || a.iterations[i] !== b.iterations[i]) {
          expect({ i, vol: a.vol[i], status: a.status[i], iterations: a.iterations[i] })
            .toEqual({ i, vol: b.vol[i], status: b.status[i], iterations: b.iterations[i] });
        }
        if (a.status[i] === ImpliedVolStatus.ok) ok++;
      }
    }
    // Most rows are ordinary inversions (not all NaN or 0 by a shared failure).
    expect(ok).toBeGreaterThan(40_000);
  });

  it("give each option the same bits whatever its neighbours (shuffled and shifted batches, SIMD build)", async () => {
    // The SIMD kernel regroups each block's options by branch of the initial guess before pairing them, so every
    // option's result must depend on its own inputs only: a permuted batch must return the permuted results exactly.
    const simd = await createPricer({ simd: true });
    const c = makeCases(simd, 20_001, 107, (r) => {
      const strike = 100 * Math.exp(8 * (r() - 0.5));
      return { type: r() < 0.5 ? 1 : -1, strike, expiry: Math.exp(-5 + 6 * r()), sigma: Math.exp(-4 + 5 * r()) };
    });
    const n = c.price.length;
    const reference = invert(simd, c);
    const random = lcg(109);
    const shuffled = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const shifted = Array.from({ length: n }, (_, i) => (i + 1) % n);
    for (const order of [shuffled, shifted]) {
      const pick = <T extends Float64Array | Int8Array>(column: T) => column.map((_, i) => column[order[i]!]!) as T;
      const permuted: Case = {
        type: pick(c.type), spot: pick(c.spot), strike: pick(c.strike), expiry: pick(c.expiry), rate: pick(c.rate),
        dividend: pick(c.dividend), sigma: pick(c.sigma), price: pick(c.price), conditioning: pick(c.conditioning),
      };
      const out = invert(simd, permuted);
      const bits = new BigUint64Array(out.vol.buffer, out.vol.byteOffset, n);
      const referenceBits = new BigUint64Array(reference.vol.buffer, reference.vol.byteOffset, n);
      let mismatches = 0;
      for (let i = 0; i < n; i++) {
        const k = order[i]!;
        if (bits[i] !== referenceBits[k] || out.status[i] !== reference.status[k] || out.iterations[i] !== reference.iterations[k]) mismatches++;
      }
      expect(mismatches).toBe(0);
    }
  });
});
