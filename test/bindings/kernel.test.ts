// The kernel contract (bindings/kernel/) against the builds themselves: the sizes the TypeScript side declares are
// the globals the core exports, and both builds export exactly the functions CoreExports declares.
import { beforeAll, describe, expect, it } from "vitest";
import { loadWasmCore, type WasmCore } from "../../bindings/wasm.js";
import { MC_BLOCK_ACCUMULATORS, MC_BLOCK_PATHS, MC_PARAM, MC_PARAMS, SOBOL_MAX_DIMENSIONS } from "../../bindings/kernel/montecarlo.js";

/** Functions of CoreExports (bindings/kernel/exports.ts). */
const FUNCTIONS = [
  "simdEnabled", "scratchPointer", "reserveScratch", "blackScholesBatch", "blackScholesPriceBatch", "impliedVolBatch", "americanBatch", "americanBoundaryNodes",
  "blackScholesWorkBytes", "useBlackScholesWorkArea", "normalisedBlackCall", "normalisedVega", "monteCarloBlocks", "monteCarloWorkBytes",
  "philoxNormals", "firstInvalid", "surfaceParamsPointer", "surfaceVolBatch", "surfaceVolStrikeBatch", "surfaceShapeBatch", "surfaceGridMinima",
];

for (const simd of [true, false]) {
  describe(`kernel contract (${simd ? "SIMD" : "scalar"} build)`, () => {
    let core: WasmCore;
    beforeAll(async () => {
      core = await loadWasmCore({ simd });
    });

    it("exports every function CoreExports declares and no other (test-only kernels are in the test build)", () => {
      const exported = WebAssembly.Module.exports(core.module).filter((e) => e.kind === "function").map((e) => e.name);
      expect(FUNCTIONS.filter((name) => !exported.includes(name))).toEqual([]);
      expect(exported.filter((name) => !FUNCTIONS.includes(name) && name !== "_initialize")).toEqual([]);
    });

    it("declares the Monte Carlo sizes the core exports (block paths, accumulators, parameter words, Sobol dimensions)", () => {
      const global = (name: string) => Number((core.exports[name] as WebAssembly.Global).value);
      expect(global("MC_BLOCK_PATHS")).toBe(MC_BLOCK_PATHS);
      expect(global("MC_BLOCK_ACCUMULATORS")).toBe(MC_BLOCK_ACCUMULATORS);
      expect(global("MC_PARAMS")).toBe(MC_PARAMS);
      expect(global("SOBOL_MAX_DIMENSIONS")).toBe(SOBOL_MAX_DIMENSIONS);
      // The named words are distinct and fit the vector.
      const words = Object.values(MC_PARAM);
      expect(new Set(words).size).toBe(words.length);
      expect(Math.max(...words)).toBeLessThan(MC_PARAMS);
    });
  });
}
