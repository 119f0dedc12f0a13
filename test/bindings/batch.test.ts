// Every invalid input named in issue 2 throws PricingInputError with the right field and element index,
// for Black-Scholes and implied-vol batches, and nothing is returned half-computed.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type ImpliedVolBatch, type OptionBatch, type Pricer } from "../../bindings/index.js";
import { loadWasmCore } from "../../bindings/wasm.js";
import { expectInputError } from "../support/errors.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const base: OptionBatch = {
  type: ["call", "put", "call"],
  spot: [100, 100, 100],
  strike: [90, 100, 110],
  expiry: [0.5, 0.5, 0.5],
  vol: [0.2, 0.2, 0.2],
  rate: 0.03,
  dividend: 0.01,
};

describe("blackScholes rejects invalid input, naming field and element", () => {
  // [what, field, column with one bad element, index of that element]
  const cases: Array<[string, keyof OptionBatch, unknown[], number]> = [
    ["NaN spot", "spot", [100, NaN, 100], 1],
    ["negative spot", "spot", [100, 100, -5], 2],
    ["zero spot", "spot", [0, 100, 100], 0],
    ["zero strike", "strike", [90, 0, 110], 1],
    ["negative strike", "strike", [90, 100, -110], 2],
    ["zero vol", "vol", [0.2, 0, 0.2], 1],
    ["negative vol", "vol", [-0.2, 0.2, 0.2], 0],
    ["NaN vol", "vol", [0.2, 0.2, NaN], 2],
    ["zero expiry", "expiry", [0.5, 0.5, 0], 2],
    ["negative expiry", "expiry", [0.5, -1, 0.5], 1],
    ["infinite rate", "rate", [0.03, Infinity, 0.03], 1],
    ["NaN dividend", "dividend", [0.01, 0.01, NaN], 2],
    ["string in a numeric column", "spot", [100, "100", 100], 1],
  ];
  for (const [name, field, column, index] of cases) {
    it(`${name}: field ${field}, element ${index}`, () => {
      expectInputError(() => pricer.blackScholes({ ...base, [field]: column } as OptionBatch), field, index);
    });
  }

  it("a scalar that is invalid is reported without an index", () => {
    expectInputError(() => pricer.blackScholes({ ...base, vol: -0.1 }), "vol", undefined);
    expectInputError(() => pricer.blackScholes({ ...base, spot: NaN }), "spot", undefined);
  });

  it("mismatched lengths name the field whose length differs", () => {
    const error = expectInputError(() => pricer.blackScholes({ ...base, strike: [90, 100] }), "strike", undefined);
    expect(error.message).toMatch(/length 2/);
  });

  it("unknown option types name the element", () => {
    expectInputError(() => pricer.blackScholes({ ...base, type: ["call", "straddle", "put"] as never }), "type", 1);
    expectInputError(() => pricer.blackScholes({ ...base, type: "Call" as never }), "type", undefined);
    expectInputError(() => pricer.blackScholes({ ...base, type: new Int8Array([1, -1, 0]) }), "type", 2);
  });

  it("missing required fields are named", () => {
    const { vol: _vol, ...withoutVol } = base;
    expectInputError(() => pricer.blackScholes(withoutVol as OptionBatch), "vol", undefined);
    expectInputError(() => pricer.blackScholes(null as never), "batch", undefined);
  });

  it("an error in a late chunk of a large batch reports the whole-batch index", () => {
    const n = 200_000;
    const vol = new Float64Array(n).fill(0.25);
    vol[150_001] = -1;
    expectInputError(() => pricer.blackScholes({ ...base, type: "call", spot: 100, strike: 100, expiry: 1, vol }), "vol", 150_001);
  });
});

describe("impliedVol rejects malformed input but reports out-of-bounds prices as status", () => {
  const ivBase: ImpliedVolBatch = { type: "call", price: [10, 5, 1], spot: 100, strike: [90, 100, 110], expiry: 1, rate: 0.02 };

  it("negative or NaN prices throw with the element", () => {
    expectInputError(() => pricer.impliedVol({ ...ivBase, price: [10, -1, 1] }), "price", 1);
    expectInputError(() => pricer.impliedVol({ ...ivBase, price: [10, 5, NaN] }), "price", 2);
  });

  it("non-positive spot, strike, expiry throw with the element", () => {
    expectInputError(() => pricer.impliedVol({ ...ivBase, spot: [100, 0, 100] }), "spot", 1);
    expectInputError(() => pricer.impliedVol({ ...ivBase, strike: [90, 100, -110] }), "strike", 2);
    expectInputError(() => pricer.impliedVol({ ...ivBase, expiry: [1, 1, 0] }), "expiry", 2);
  });

  it("mismatched lengths and unknown types throw", () => {
    expectInputError(() => pricer.impliedVol({ ...ivBase, strike: [90, 100] }), "strike", undefined);
    expectInputError(() => pricer.impliedVol({ ...ivBase, type: ["call", "put", "digital"] as never }), "type", 2);
  });
});

describe("blackScholes output reuse", () => {
  it("writes into caller-provided arrays and rejects arrays of the wrong length by name", () => {
    const n = 3;
    const output = {
      price: new Float64Array(n), delta: new Float64Array(n), gamma: new Float64Array(n),
      vega: new Float64Array(n), theta: new Float64Array(n), rho: new Float64Array(n),
    };
    const returned = pricer.blackScholes(base, output);
    expect(returned).toBe(output);
    expect(Array.from(output.price)).toEqual(Array.from(pricer.blackScholes(base).price));
    expectInputError(() => pricer.blackScholes(base, { ...output, vega: new Float64Array(2) }), "output.vega", undefined);
  });

  it("an invalid element in a late chunk leaves caller-provided arrays untouched (every chunk is checked first)", () => {
    const n = 150_000;
    const vol = new Float64Array(n).fill(0.25);
    vol[140_000] = NaN;
    const output = {
      price: new Float64Array(n).fill(7), delta: new Float64Array(n).fill(7), gamma: new Float64Array(n).fill(7),
      vega: new Float64Array(n).fill(7), theta: new Float64Array(n).fill(7), rho: new Float64Array(n).fill(7),
    };
    expectInputError(() => pricer.blackScholes({ type: "put", spot: 100, strike: 95, expiry: 1, vol, rate: 0.01 }, output), "vol", 140_000);
    for (const column of Object.values(output)) expect(column.every((v) => v === 7)).toBe(true);
  });
});

describe("impliedVol output reuse", () => {
  const ivOutput = (n: number, fill = 0) => ({ vol: new Float64Array(n).fill(fill), status: new Int32Array(n).fill(fill), iterations: new Int32Array(n).fill(fill) });

  it("writes into caller-provided arrays (same bits as fresh ones) and rejects wrong types or lengths by name", () => {
    const n = 5;
    const batch = { type: "call" as const, price: [0.5, 2, 5, 11, 30], spot: 100, strike: [120, 110, 100, 90, 70], expiry: 0.75, rate: 0.02 };
    const output = ivOutput(n, 7);
    expect(pricer.impliedVol(batch, output)).toBe(output);
    const fresh = pricer.impliedVol(batch);
    expect(Array.from(output.vol)).toEqual(Array.from(fresh.vol));
    expect(Array.from(output.status)).toEqual(Array.from(fresh.status));
    expect(Array.from(output.iterations)).toEqual(Array.from(fresh.iterations));
    expectInputError(() => pricer.impliedVol(batch, { ...output, vol: new Float64Array(4) }), "output.vol", undefined);
    expectInputError(() => pricer.impliedVol(batch, { ...output, status: new Float64Array(n) as never }), "output.status", undefined);
    expectInputError(() => pricer.impliedVol(batch, { ...output, iterations: new Int32Array(6) }), "output.iterations", undefined);
  });

  it("an invalid element in a late chunk leaves caller-provided arrays untouched (every chunk is checked first)", () => {
    const n = 150_000;
    const price = new Float64Array(n).fill(8);
    price[140_000] = -1;
    const output = ivOutput(n, 7);
    expectInputError(() => pricer.impliedVol({ type: "put", price, spot: 100, strike: 95, expiry: 1, rate: 0.01 }, output), "price", 140_000);
    expect(output.vol.every((v) => v === 7) && output.status.every((v) => v === 7) && output.iterations.every((v) => v === 7)).toBe(true);
  });
});

describe("the kernels' own input checks (no separate validation pass)", () => {
  // The pricer relies on blackScholesBatch reporting any input outside its domain, then finds the element with
  // firstInvalid: the two must agree on every edge value, in a SIMD pair or the scalar tail, in both builds.
  const edges = [NaN, Infinity, -Infinity, 0, -0, -1, -5e-324, 5e-324, 1e308, -1e308, 2, 0.5];
  const valid = [1, 100, 100, 0.5, 0.2, 0.03, 0.01];
  const rules = [3, 1, 1, 1, 1, 0, 0]; // firstInvalid codes: sign, positive ×4, finite ×2
  for (const simd of [true, false]) {
    it(`flags a batch exactly when firstInvalid finds an element (${simd ? "SIMD" : "scalar"} build, 7 columns × 12 edge values × 9 positions)`, async () => {
      const core = await loadWasmCore({ simd });
      const n = 9;
      const base = core.reserve(n * 8 * 13);
      const at = (k: number) => base + k * n * 8;
      let flagged = 0;
      for (let column = 0; column < 7; column++) {
        for (const value of edges) {
          for (let position = 0; position < n; position++) {
            valid.forEach((v, k) => core.f64(at(k), n).fill(v));
            core.f64(at(column), n)[position] = value;
            const flag = core.exports.blackScholesBatch(n, at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), at(9), at(10), at(11), at(12));
            const first = core.exports.firstInvalid(at(column), n, rules[column]!);
            expect(flag !== 0, `column ${column} = ${value} at ${position}`).toBe(first >= 0);
            if (first >= 0) expect(first).toBe(position);
            flagged += flag;
          }
        }
      }
      expect(flagged).toBeGreaterThan(300); // most edge values are invalid somewhere: the check is exercised
    });

    it(`implied vol: flags a batch exactly when firstInvalid finds an element (${simd ? "SIMD" : "scalar"} build, 7 columns × 12 edge values × 11 positions)`, async () => {
      const core = await loadWasmCore({ simd });
      const n = 11; // two quads and a 3-option tail in the SIMD build
      const base = core.reserve(n * 8 * 10);
      const at = (k: number) => base + k * n * 8;
      const ivValid = [1, 5, 100, 100, 0.5, 0.03, 0.01]; // type, price, spot, strike, expiry, rate, dividend
      const ivRules = [3, 2, 1, 1, 1, 0, 0]; // sign, non-negative, positive ×3, finite ×2
      let flagged = 0;
      for (let column = 0; column < 7; column++) {
        for (const value of edges) {
          for (let position = 0; position < n; position++) {
            ivValid.forEach((v, k) => core.f64(at(k), n).fill(v));
            core.f64(at(column), n)[position] = value;
            const flag = core.exports.impliedVolBatch(n, at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), at(8) + n * 4);
            const first = core.exports.firstInvalid(at(column), n, ivRules[column]!);
            expect(flag !== 0, `column ${column} = ${value} at ${position}`).toBe(first >= 0);
            if (first >= 0) expect(first).toBe(position);
            flagged += flag;
          }
        }
      }
      expect(flagged).toBeGreaterThan(300);
    });
  }
});
