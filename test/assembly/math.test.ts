// assembly/math.ts: exp, log, φ and Φ against 60-digit mpmath references (test/fixtures/bsm-golden.json,
// made by test/fixtures/make-bsm-golden.py), in both builds, and the f64x2 forms against the scalar forms.
import { beforeAll, describe, expect, it } from "vitest";
import { readFixture } from "../support/fixtures.js";
import type { WasmCore } from "../../bindings/index.js";
import { loadTestCore } from "../support/test-core.js";

interface Golden {
  math: Record<"exp" | "log" | "normPdf" | "normCdf", [number, number][]>;
}
const golden = readFixture<Golden>("bsm-golden.json");
/** Rows [word, cos 2πu, sin 2πu] (test/fixtures/make-turn-golden.py). */
const turnGolden = readFixture<{ turn: [number, number, number][] }>("turn-golden.json");

const FN = { exp: 0, log: 1, normPdf: 2, normCdf: 3, normCdfMills: 4, expTable: 5, logUnit: 6, minusTwoLogWord: 7 } as const;
type FnName = keyof typeof FN;

/** Applies one of the math.ts functions to every element through the exported mathBatch kernel. */
function apply(core: WasmCore, fn: FnName, input: ArrayLike<number>): Float64Array {
  const n = input.length;
  const base = core.reserve(16 * n);
  core.f64(base, n).set(input);
  (core.exports.mathBatch as (fn: number, n: number, input: number, output: number) => void)(FN[fn], n, base, base + 8 * n);
  return core.f64(base + 8 * n, n).slice();
}

/** trig.ts's (cos 2πu, sin 2πu), u = (word + ½)·2⁻³², for each word, interleaved, through turnCosSinBatch. */
function applyTurn(core: WasmCore, words: ArrayLike<number>): Float64Array {
  const n = words.length;
  const base = core.reserve(24 * n);
  core.f64(base, n).set(words);
  (core.exports.turnCosSinBatch as (n: number, input: number, output: number) => void)(n, base, base + 8 * n);
  return core.f64(base + 8 * n, 2 * n).slice();
}

/** Distance in units in the last place of the reference (ulp of |reference|). */
function ulps(actual: number, expected: number): number {
  if (actual === expected) return 0;
  const ulp = Math.max(Number.MIN_VALUE, Math.abs(expected) * Number.EPSILON);
  // ulp(e) is between |e|·ε/2 and |e|·ε; dividing by |e|·ε/2 would over-count by at most 2×.
  return Math.abs(actual - expected) / (ulp / 2) / 2;
}

// A deterministic generator so failures reproduce.
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const cores: Record<"simd" | "scalar", WasmCore> = {} as never;
beforeAll(async () => {
  cores.simd = (await loadTestCore(true)).core;
  cores.scalar = (await loadTestCore(false)).core;
});

describe.each(["simd", "scalar"] as const)("math.ts, %s build", (build) => {
  // fdlibm's exp and log are documented below 1 ulp; allow 1 ulp (measured maximum is printed on failure).
  it.each(["exp", "log"] as const)("%s is within 1 ulp of the 60-digit reference over its range", (fn) => {
    const points = golden.math[fn];
    const got = apply(cores[build], fn, points.map((p) => p[0]));
    const worst = Math.max(...points.map((p, i) => (p[1] < 2.2250738585072014e-308 ? 0 : ulps(got[i]!, p[1]))));
    expect(worst).toBeLessThanOrEqual(1);
  });

  // exp_table.ts (the Monte Carlo Asian's exp per date, |x| ≤ 708): ½ ulp in the table entry, ½ in the last
  // add, < 0.3 from the rest: < 1.5 ulp, checked as ≤ 2 against the references (all |x| ≤ 708 among them) and
  // as ≤ 3 against Math.exp (itself < 1 ulp) on 200k points of the range a path actually visits, |x| ≤ 5.
  it("expTable is within 2 ulp of the 60-digit reference on |x| ≤ 708 and within 3 ulp of Math.exp on |x| ≤ 5", () => {
    const points = golden.math.exp.filter((p) => Math.abs(p[0]) <= 708);
    expect(points.length).toBeGreaterThan(300);
    const got = apply(cores[build], "expTable", points.map((p) => p[0]));
    const worst = Math.max(...points.map((p, i) => ulps(got[i]!, p[1])));
    expect(worst).toBeLessThanOrEqual(2);
    const next = lcg(3);
    const xs = Array.from({ length: 200_000 }, () => (next() - 0.5) * 10);
    const dense = apply(cores[build], "expTable", xs);
    let worstDense = 0;
    xs.forEach((x, i) => { worstDense = Math.max(worstDense, ulps(dense[i]!, Math.exp(x))); });
    expect(worstDense, `worst ${worstDense} ulp`).toBeLessThanOrEqual(3);
    // The ends of the domain: 2^⌊k/64⌋ and the result stay normal numbers.
    const ends = apply(cores[build], "expTable", [0, 708, -708]);
    expect(ends[0]).toBe(1);
    expect(ulps(ends[1]!, Math.exp(708))).toBeLessThanOrEqual(3);
    expect(ulps(ends[2]!, Math.exp(-708))).toBeLessThanOrEqual(3);
  });

  // log_table.ts (Box-Muller's ln u, u = (word + ½)·2⁻³²): ½ ulp in each table value and the final add,
  // truncation < 1e-18: ≤ 2 ulp against the references below 1; ≤ 3 ulp against Math.log (itself < 1 ulp) on
  // 200k uniforms of the Box-Muller form, the 2000 words nearest 2³² (u → 1, where ln u → 0 and only an exact
  // c = 1 keeps the relative error small) and the 2000 smallest words (u down to 2⁻³³).
  it("logUnit is within 2 ulp of the 60-digit reference below 1 and within 3 ulp of Math.log on Box-Muller's uniforms", () => {
    const points = golden.math.log.filter((p) => p[0] < 1 && p[0] >= 2.2250738585072014e-308);
    expect(points.length).toBeGreaterThan(100);
    const got = apply(cores[build], "logUnit", points.map((p) => p[0]));
    expect(Math.max(...points.map((p, i) => ulps(got[i]!, p[1])))).toBeLessThanOrEqual(2);
    const next = lcg(9);
    const words = [
      ...Array.from({ length: 200_000 }, () => Math.floor(next() * 4294967296)),
      ...Array.from({ length: 2000 }, (_, i) => 4294967295 - i),
      ...Array.from({ length: 2000 }, (_, i) => i),
    ];
    const us = words.map((w) => (w + 0.5) * 2.3283064365386963e-10);
    const dense = apply(cores[build], "logUnit", us);
    let worst = 0;
    us.forEach((u, i) => { worst = Math.max(worst, ulps(dense[i]!, Math.log(u))); });
    expect(worst, `worst ${worst} ulp`).toBeLessThanOrEqual(3);
  });

  // minusTwoLogWord (Box-Muller's −2 ln u from v = word + ½) is logUnit's operations scaled by powers of two, so
  // it must equal −2·logUnit(v·2⁻³²) bit for bit (both scalings are exact); the same words as above.
  it("minusTwoLogWord(w + ½) equals −2·logUnit((w + ½)·2⁻³²) bit for bit on Box-Muller's words", () => {
    const next = lcg(17);
    const words = [
      ...Array.from({ length: 100_000 }, () => Math.floor(next() * 4294967296)),
      ...Array.from({ length: 2000 }, (_, i) => 4294967295 - i),
      ...Array.from({ length: 2000 }, (_, i) => i),
    ];
    const got = apply(cores[build], "minusTwoLogWord", words.map((w) => w + 0.5));
    const ref = apply(cores[build], "logUnit", words.map((w) => (w + 0.5) * 2.3283064365386963e-10));
    let mismatches = 0;
    words.forEach((_, i) => { if (!Object.is(got[i], -2 * ref[i]!)) mismatches++; });
    expect(mismatches).toBe(0);
    // And it is −2 ln u: word 0 (u = 2⁻³³, the largest radius) against Math.log, to 3 ulp of 45.7.
    expect(Math.abs(got[102_000]! - -2 * Math.log(0.5 * 2.3283064365386963e-10))).toBeLessThan(3 * 45.75 * Number.EPSILON);
  });

  // trig.ts (Box-Muller's angle, u = (word + ½)·2⁻³²): ½ ulp in the table entry, ~1 ulp of a correction at most
  // twice the result, ½ in the last add and ½ of the result from rounding x = f·2π: ≤ 2 ulp against the 40-digit
  // references (test/fixtures/make-turn-golden.py: random words, every table interval's ends and centre, the
  // words next to quarter turns). Against Math.cos/Math.sin(2π·u) on 200k words the comparison is absolute:
  // rounding 2π·u moves the argument by up to ~7e-16, so 1.5e-15 (the two errors plus Math's 1 ulp) has
  // margin, while a wrong table entry, quadrant or sign is off by ≥ 1e-3.
  it("turn cos/sin is within 2 ulp of the 40-digit reference and within 1.5e-15 of Math.cos/sin(2πu)", () => {
    const rows = turnGolden.turn;
    const got = applyTurn(cores[build], rows.map((r) => r[0]));
    let worst = 0;
    rows.forEach(([, c, s], i) => { worst = Math.max(worst, ulps(got[2 * i]!, c), ulps(got[2 * i + 1]!, s)); });
    expect(worst, `worst ${worst} ulp`).toBeLessThanOrEqual(2);
    const next = lcg(13);
    const words = Array.from({ length: 200_000 }, () => Math.floor(next() * 4294967296));
    const dense = applyTurn(cores[build], words);
    let worstAbs = 0;
    words.forEach((w, i) => {
      const a = 2 * Math.PI * ((w + 0.5) * 2.3283064365386963e-10);
      worstAbs = Math.max(worstAbs, Math.abs(dense[2 * i]! - Math.cos(a)), Math.abs(dense[2 * i + 1]! - Math.sin(a)));
    });
    expect(worstAbs).toBeLessThan(1.5e-15);
  });

  // φ: one exp (≤1 ulp), the (1 − lo/2) factor and two roundings of products: ≤ 4 ulp (8e-16).
  // Φ: Cody's rationals are good to ~1e-18; the tail multiplies them by e^{−x²/2} (a few ulp), so 1e-15
  // relative holds down to Φ(−38) ≈ 3e-316 where results become subnormal (checked absolutely there).
  it.each([["normPdf", 8e-16], ["normCdf", 1e-15]] as const)("%s keeps relative error ≤ %s down to underflow", (fn, tol) => {
    const points = golden.math[fn];
    const got = apply(cores[build], fn, points.map((p) => p[0]));
    points.forEach(([x, ref], i) => {
      if (ref < 1e-300) expect(Math.abs(got[i]! - ref), `x=${x}`).toBeLessThan(1e-315);
      else expect(Math.abs(got[i]! / ref - 1), `x=${x}`).toBeLessThanOrEqual(tol);
    });
  });

  // normCdfMills (the Black-Scholes kernel's Φ): one 8/8 rational for |x| ≤ √32 whose double evaluation
  // is good to 7.4e-16 (test/fixtures/fit-mills-rational.py), times e^{−x²/2} (a few ulp from expNegHalfSquare):
  // 1e-15 relative as normCdf (measured 5.6e-16); Cody's asymptotic tail beyond √32. Same reference points.
  it("normCdfMills keeps relative error ≤ 1e-15 down to underflow (same references as normCdf)", () => {
    const points = golden.math.normCdf;
    const got = apply(cores[build], "normCdfMills", points.map((p) => p[0]));
    points.forEach(([x, ref], i) => {
      if (ref < 1e-300) expect(Math.abs(got[i]! - ref), `x=${x}`).toBeLessThan(1e-315);
      else expect(Math.abs(got[i]! / ref - 1), `x=${x}`).toBeLessThanOrEqual(1e-15);
    });
  });

  it("normCdfMills: Φ(±∞), Φ(0), Φ(±1e300), and Φ(x) + Φ(−x) = 1 to 2 ulp of 1 for |x| ≤ 6", () => {
    expect(Array.from(apply(cores[build], "normCdfMills", [Infinity, -Infinity, 0, 1e300, -1e300]))).toEqual([1, 0, 0.5, 1, 0]);
    const next = lcg(5);
    const xs = Array.from({ length: 2000 }, () => (next() - 0.5) * 12);
    const plus = apply(cores[build], "normCdfMills", xs);
    const minus = apply(cores[build], "normCdfMills", xs.map((x) => -x));
    plus.forEach((p, i) => expect(Math.abs(p + minus[i]! - 1)).toBeLessThanOrEqual(2 * Number.EPSILON));
  });

  it("special values: exp(±∞), exp(NaN), log(0), log(<0), log(∞), Φ(±∞), φ(±∞)", () => {
    const core = cores[build];
    expect(Array.from(apply(core, "exp", [Infinity, -Infinity, NaN, 0, 710, -746, -740]))).toEqual(
      [Infinity, 0, NaN, 1, Infinity, 0, Math.exp(-740)],
    );
    expect(Array.from(apply(core, "log", [0, -1, Infinity, NaN, 1, 5e-324]))).toEqual(
      [-Infinity, NaN, Infinity, NaN, 0, Math.log(5e-324)],
    );
    expect(Array.from(apply(core, "normCdf", [Infinity, -Infinity, 0, 1e300, -1e300]))).toEqual([1, 0, 0.5, 1, 0]);
    expect(Array.from(apply(core, "normPdf", [Infinity, -Infinity, 1e300]))).toEqual([0, 0, 0]);
  });

  it("Φ(x) + Φ(−x) = 1 to 2 ulp of 1 over the central and middle ranges", () => {
    const next = lcg(7);
    const xs = Array.from({ length: 2000 }, () => (next() - 0.5) * 12);
    const plus = apply(cores[build], "normCdf", xs);
    const minus = apply(cores[build], "normCdf", xs.map((x) => -x));
    plus.forEach((p, i) => expect(Math.abs(p + minus[i]! - 1)).toBeLessThanOrEqual(2 * Number.EPSILON));
  });
});

describe("math.ts, SIMD forms against scalar forms", () => {
  // Both forms perform the same IEEE operations per lane (no FMA in wasm SIMD), so the results are identical.
  it.each(["exp", "log", "normPdf", "normCdf", "normCdfMills", "expTable", "logUnit"] as const)("%s agrees bit for bit on 100k random inputs", (fn) => {
    const next = lcg(11 + FN[fn]);
    const xs = new Float64Array(100_000);
    for (let i = 0; i < xs.length; i++) {
      const u = next();
      xs[i] = fn === "log" ? Math.exp((u - 0.5) * 1400) : fn === "exp" ? (u - 0.5) * 1500 : fn === "expTable" ? (u - 0.5) * 1416 : fn === "logUnit" ? Math.exp(-u * 700) : (u - 0.5) * 90;
    }
    const simd = apply(cores.simd, fn, xs);
    const scalar = apply(cores.scalar, fn, xs);
    let mismatches = 0;
    for (let i = 0; i < xs.length; i++) if (!Object.is(simd[i], scalar[i])) mismatches++;
    expect(mismatches).toBe(0);
  });
});
