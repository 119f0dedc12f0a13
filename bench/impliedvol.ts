// Suite "impliedvol": WASM Let's Be Rational (SIMD and scalar, through createPricer()) against the
// plain-JS Newton of bench/plain-js.ts, on the same prices (WASM prices of a random realistic batch).
// "wasm simd kernel" calls the kernel on columns already in WASM memory. Each row's note carries its round-trip accuracy and mean iterations, checked outside the timed calls.
import { createPricer } from "../bindings/pricer.js";
import { loadWasmCore } from "../bindings/wasm.js";
import type { ImpliedVolBatch } from "../bindings/types.js";
import { randomOptions } from "./inputs.js";
import { measureBatches, samplingBudget, type BatchTask } from "./measure.js";
import { impliedVolPlain, type PlainImpliedVolOutput } from "./plain-js.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "impliedvol";
const BASELINE = "plain js newton";

let sink = 0;

/** max |σ̂ − σ| over elements with status ok, and the mean iteration count. */
function accuracy(vol: Float64Array, iterations: Int32Array, status: Int32Array, truth: Float64Array): string {
  let maxError = 0;
  let iterationSum = 0;
  let ok = 0;
  for (let i = 0; i < vol.length; i++) {
    if (status[i] !== 0) continue;
    ok++;
    maxError = Math.max(maxError, Math.abs(vol[i]! - truth[i]!));
    iterationSum += iterations[i]!;
  }
  return `max |Δσ| ${maxError.toExponential(1)}, ${(iterationSum / Math.max(ok, 1)).toFixed(2)} iterations, ${ok}/${vol.length} ok`;
}

/**
 * Kernel-only: a core of its own with the input `columns` placed in its scratch once, outside the timed call; the
 * returned call runs impliedVolBatch on them and returns the first vol.
 */
async function kernelOnly(n: number, columns: ArrayLike<number>[]): Promise<() => number> {
  const core = await loadWasmCore({ simd: true });
  const base = core.reserve(n * 8 * 8 + n * 4 * 2);
  const ptr = (k: number) => base + k * n * 8;
  const statusPtr = ptr(8);
  const iterationsPtr = statusPtr + n * 4;
  columns.forEach((column, k) => core.f64(ptr(k), n).set(column));
  const kernel = core.exports.impliedVolBatch;
  return () => {
    kernel(n, ptr(0), ptr(1), ptr(2), ptr(3), ptr(4), ptr(5), ptr(6), ptr(7), statusPtr, iterationsPtr);
    return core.f64(ptr(7), 1)[0]!;
  };
}

/** Runs the suite: 100k prices per call (quick: 4k). */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const budget = samplingBudget(options.quick);
  const n = options.quick ? 4096 : 100_000;
  const { columns, batch } = randomOptions(n, 7_654_321);
  const simd = await createPricer({ simd: true });
  const scalar = await createPricer({ simd: false });
  const prices = simd.blackScholes(batch).price;

  const ivBatch: ImpliedVolBatch = {
    type: batch.type, price: prices, spot: columns.spot, strike: columns.strike,
    expiry: columns.expiry, rate: columns.rate, dividend: columns.dividend,
  };
  const plainInput = { ...columns, price: prices };
  const plainOut: PlainImpliedVolOutput = { vol: new Float64Array(n), status: new Int32Array(n), iterations: new Int32Array(n) };

  const simdCheck = simd.impliedVol(ivBatch);
  const reusedOut = { vol: new Float64Array(n), status: new Int32Array(n), iterations: new Int32Array(n) };
  const scalarCheck = scalar.impliedVol(ivBatch);
  impliedVolPlain(n, plainInput, plainOut);

  const kernel = await kernelOnly(n, [columns.type, prices, columns.spot, columns.strike, columns.expiry, columns.rate, columns.dividend]);

  // Zero-copy: the same inputs in a batch the pricer created in WASM memory, filled once outside the timed call.
  const inPlace = await simd.createImpliedVolBatch(n);
  inPlace.type.set(columns.type);
  inPlace.price.set(prices);
  inPlace.spot.set(columns.spot);
  inPlace.strike.set(columns.strike);
  inPlace.expiry.set(columns.expiry);
  inPlace.rate.set(columns.rate);
  inPlace.dividend.set(columns.dividend);
  const inPlaceCheck = simd.impliedVol(inPlace);

  const tasks: BatchTask[] = [
    {
      suite: SUITE, name: "wasm simd", units: n, unit: "option", baseline: BASELINE,
      note: `LBR, ${accuracy(simdCheck.vol, simdCheck.iterations, simdCheck.status, columns.vol)}`,
      run: () => { sink += simd.impliedVol(ivBatch).vol[0]!; },
    },
    {
      suite: SUITE, name: "wasm simd, reused output", units: n, unit: "option", baseline: BASELINE,
      note: "createPricer(): impliedVol(batch, output) into arrays reused across calls, as plain js does",
      run: () => { sink += simd.impliedVol(ivBatch, reusedOut).vol[0]!; },
    },
    {
      suite: SUITE, name: "wasm simd, zero-copy batch", units: n, unit: "option", baseline: BASELINE,
      note: `createImpliedVolBatch(): inputs filled in place, validated in WASM, no copies; ${accuracy(inPlaceCheck.vol, inPlaceCheck.iterations, inPlaceCheck.status, columns.vol)}`,
      run: () => { sink += simd.impliedVol(inPlace).vol[0]!; },
    },
    {
      suite: SUITE, name: "wasm scalar", units: n, unit: "option", baseline: BASELINE,
      note: `LBR, ${accuracy(scalarCheck.vol, scalarCheck.iterations, scalarCheck.status, columns.vol)}`,
      run: () => { sink += scalar.impliedVol(ivBatch).vol[0]!; },
    },
    {
      suite: SUITE, name: "wasm simd kernel", units: n, unit: "option", baseline: BASELINE,
      note: "impliedVolBatch on columns already in WASM memory",
      run: () => { sink += kernel(); },
    },
    {
      suite: SUITE, name: BASELINE, units: n, unit: "option", baseline: BASELINE,
      note: `Newton, ${accuracy(plainOut.vol, plainOut.iterations, plainOut.status, columns.vol)}`,
      run: () => { impliedVolPlain(n, plainInput, plainOut); sink += plainOut.vol[0]!; },
    },
  ];

  const rows = await measureBatches(tasks, budget, log);
  if (!Number.isFinite(sink)) log(`  ${SUITE}: non-finite checksum ${sink}`);
  return rows;
}
