// The WASM core's test build (build/pool2peer.test.{simd,scalar}.wasm, entry assembly/test-exports.ts): the shipped
// exports plus the building blocks only tests call, so those are checked in the same code the product runs.
import { readFileSync } from "node:fs";
import { loadWasmCore, type WasmCore } from "../../bindings/wasm.js";

/** Exports of the test build beyond CoreExports. Pointers are byte offsets into the core's memory. */
export interface TestExports {
  /** Applies math function `fn` (test/assembly/math.test.ts FN) to n f64 inputs. */
  mathBatch(fn: number, n: number, input: number, output: number): void;
  /** (cos 2πu, sin 2πu), u = (word + ½)·2⁻³², for n words, interleaved. */
  turnCosSinBatch(n: number, input: number, output: number): void;
  /** The four Philox4x32-10 words of counter (c0..c3) under key (k0, k1), written at `out`. */
  philox4x32Into(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: number): void;
  /** Sobol points first..first + count − 1 of `dims` dimensions (f64, row-major) at `out`; `state` is work space. */
  sobolFill(dims: number, first: number, count: number, out: number, state: number): void;
  inverseNormalCdf(p: number): number;
}

/** A core of the test build with its extra exports (SIMD build unless `simd` is false). */
export async function loadTestCore(simd = true): Promise<{ core: WasmCore; test: TestExports }> {
  const bytes = readFileSync(new URL(`../../build/pool2peer.test.${simd ? "simd" : "scalar"}.wasm`, import.meta.url));
  const core = await loadWasmCore({ bytes });
  return { core, test: core.exports as unknown as TestExports };
}
