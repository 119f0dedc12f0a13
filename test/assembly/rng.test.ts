import { beforeAll, describe, expect, it } from "vitest";
import type { WasmCore } from "../../bindings/wasm.js";
import { loadTestCore } from "../support/test-core.js";

interface RngExports {
  philox4x32Into(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: number): void;
  sobolFill(dims: number, first: number, count: number, out: number, state: number): void;
  inverseNormalCdf(p: number): number;
  philoxNormals(seedLo: number, seedHi: number, sample: number, count: number, out: number, work: number): void;
}
let core: WasmCore;
let x: RngExports;
beforeAll(async () => { core = (await loadTestCore()).core; x = core.exports as unknown as RngExports; });

describe("Philox4x32-10", () => {
  it("matches the Random123 known-answer vectors", () => {
    const p = core.reserve(16);
    const run = (c: number[], k: number[]) => { x.philox4x32Into(c[0]!, c[1]!, c[2]!, c[3]!, k[0]!, k[1]!, p); return Array.from(new Uint32Array(core.exports.memory.buffer, p, 4)); };
    expect(run([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(run([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect(run([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });
  it("Box-Muller normals: mean, variance, skew, kurtosis within 5 sampling SE over 2^18 draws; streams uncorrelated", () => {
    const count = 1 << 18;
    const base = core.reserve(count * 8 * 4 + 1024);
    const out = base, out2 = base + count * 8, work = base + count * 16;
    x.philoxNormals(7, 0, 0, count, out, work);
    x.philoxNormals(7, 0, 1, count, out2, work);
    const z = core.f64(out, count).slice();
    const z2 = core.f64(out2, count).slice();
    const m = (f: (v: number) => number) => z.reduce((a, v) => a + f(v), 0) / count;
    // Sampling SEs for N(0,1): mean 1/√N, E z² √2/√N, E z³ √15/√N, E z⁴ √96/√N.
    const s = Math.sqrt(count);
    expect(Math.abs(m((v) => v))).toBeLessThan(5 / s);
    expect(Math.abs(m((v) => v * v) - 1)).toBeLessThan(5 * Math.SQRT2 / s);
    expect(Math.abs(m((v) => v ** 3))).toBeLessThan(5 * Math.sqrt(15) / s);
    expect(Math.abs(m((v) => v ** 4) - 3)).toBeLessThan(5 * Math.sqrt(96) / s);
    // Independence across streams (paths 0 and 1) and within a stream (lag 1): correlations within 5/√N.
    let c = 0, lag = 0;
    for (let i = 0; i < count; i++) { c += z[i]! * z2[i]!; if (i > 0) lag += z[i]! * z[i - 1]!; }
    expect(Math.abs(c / count)).toBeLessThan(5 / s);
    expect(Math.abs(lag / count)).toBeLessThan(5 / s);
    // Uniformity of Φ(z) in 64 bins: chi-square with 63 dof below 63 + 5·√126.
    const bins = new Float64Array(64);
    for (const v of z) {
      const t = 1 / (1 + 0.2316419 * Math.abs(v));
      const tail = Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI) * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
      const u = v >= 0 ? 1 - tail : tail;
      bins[Math.min(63, Math.floor(u * 64))]! += 1;
    }
    const e = count / 64;
    const chi2 = bins.reduce((a, b) => a + (b - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(63 + 5 * Math.sqrt(126));
  });
});

describe("Box-Muller normals (trig.ts sin/cos of a turn)", () => {
  it("philoxNormals equal √(−2 ln u₁)·(cos, sin)(2πu₂) of the Philox words computed with JS Math, to 4e-15 absolute, in both builds", async () => {
    // Independent reference: the documented mapping (counter (s, 0, g, 0), key seed; pairs (w0, w1), (w2, w3);
    // u = (w + ½)·2⁻³²) evaluated with V8's Math.log/cos/sin. |z| < 6.7 here and both sides are within a few ulp
    // of the exact value (trig.ts: fdlibm kernels on [−π/4, π/4]; the 2π·f rounding adds < 1 ulp of the angle),
    // so 4e-15 ≈ 8 ulp at |z| ≈ 4 bounds the difference with margin while a wrong quadrant or sign fails by O(1).
    for (const simd of [true, false]) {
      const c = (await loadTestCore(simd)).core;
      const e = c.exports as unknown as RngExports;
      const count = 4096;
      const base = c.reserve(count * 8 * 3 + 1024);
      const out = base, work = base + count * 8, words = base + count * 24 + 512;
      for (const sample of [0, 12345]) {
        e.philoxNormals(3, 1, sample, count, out, work);
        const z = c.f64(out, count).slice();
        let worst = 0;
        for (let g = 0; g < count / 4; g++) {
          e.philox4x32Into(sample, 0, g, 0, 3, 1, words);
          const w = new Uint32Array(c.exports.memory.buffer, words, 4);
          const u = (k: number) => (w[k]! + 0.5) * 2 ** -32;
          const r0 = Math.sqrt(-2 * Math.log(u(0))), r1 = Math.sqrt(-2 * Math.log(u(2)));
          const ref = [r0 * Math.cos(2 * Math.PI * u(1)), r0 * Math.sin(2 * Math.PI * u(1)), r1 * Math.cos(2 * Math.PI * u(3)), r1 * Math.sin(2 * Math.PI * u(3))];
          for (let k = 0; k < 4; k++) worst = Math.max(worst, Math.abs(z[4 * g + k]! - ref[k]!));
        }
        expect(worst).toBeLessThan(4e-15);
      }
    }
  });
});

describe("Sobol (Joe-Kuo) and AS241", () => {
  it("first 8 points of 8 dimensions equal SciPy's unscrambled Joe-Kuo Sobol (Gray-code order)", () => {
    // scipy.stats.qmc.Sobol(d=8, scramble=False, bits=32).random(8)
    const ref = [[0, 0, 0, 0, 0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.75, 0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75], [0.25, 0.75, 0.75, 0.75, 0.25, 0.25, 0.75, 0.25], [0.375, 0.375, 0.625, 0.875, 0.375, 0.125, 0.375, 0.875], [0.875, 0.875, 0.125, 0.375, 0.875, 0.625, 0.875, 0.375], [0.625, 0.125, 0.875, 0.625, 0.625, 0.875, 0.125, 0.125], [0.125, 0.625, 0.375, 0.125, 0.125, 0.375, 0.625, 0.625]];
    const p = core.reserve(8 * 8 * 8 + 64);
    x.sobolFill(8, 0, 8, p, p + 512);
    expect(Array.from(core.f64(p, 64))).toEqual(ref.flat());
  });
  it("skip-ahead to point 1,000,000 equals SciPy's fast_forward in dimensions 1-4, 512 and 1024", () => {
    // scipy.stats.qmc.Sobol(d=1024, scramble=False, bits=32); fast_forward(1000000); random(2)[:, [0,1,2,3,511,1023]]
    const ref = [[0.026474952697753906, 0.3119192123413086, 0.8279962539672852, 0.6682462692260742, 0.7965154647827148, 0.2988424301147461], [0.5264749526977539, 0.8119192123413086, 0.32799625396728516, 0.16824626922607422, 0.29651546478271484, 0.7988424301147461]];
    const p = core.reserve(2 * 1024 * 8 + 4096);
    x.sobolFill(1024, 1_000_000, 2, p, p + 2 * 1024 * 8);
    const v = core.f64(p, 2048);
    for (let r = 0; r < 2; r++) [0, 1, 2, 3, 511, 1023].forEach((d, j) => expect(v[r * 1024 + d]).toBe(ref[r]![j]));
  });
  it("AS241 inverse CDF round-trips through Φ and hits known quantiles to 1e-15", () => {
    expect(x.inverseNormalCdf(0.5)).toBe(0);
    expect(x.inverseNormalCdf(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(x.inverseNormalCdf(0.025)).toBeCloseTo(-1.959963984540054, 14);
    expect(x.inverseNormalCdf(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(x.inverseNormalCdf(1e-300)).toBeCloseTo(-37.0471, 3);
  });
});
