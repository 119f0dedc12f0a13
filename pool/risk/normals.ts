// Standard normals of the Monte Carlo risk run, from the WASM core's counter-based generator: Philox4x32-10
// (Salmon et al., SC'11) with Box-Muller, the pseudo-random stream of the Monte Carlo pricer
// (assembly/montecarlo.ts `philoxNormals`). Counter-based, so path p's normals depend only on (seed, p): a run
// gives the same numbers however its paths are split into blocks or spread over workers.
import type { Greeks, OptionBatch } from "../../bindings/types.js";
import { loadWasmCore, type WasmCore } from "../../bindings/wasm.js";

/** A synchronous pricer with its WASM core (createPricer() satisfies it). */
export interface RiskPricer {
  readonly core: WasmCore;
  /** Prices a batch; `output` (six columns of the batch length) is written instead of new arrays when given. */
  blackScholes(batch: OptionBatch, output?: Greeks): Greeks;
}

/**
 * Paths per generator call: the normals of path p are z[2r], z[2r + 1] (r = p mod NORMAL_BLOCK_PATHS) of sample
 * ⌊p / NORMAL_BLOCK_PATHS⌋, where z[4g + j] comes from Philox counter (sample, 0, g, 0) under key (seed low
 * 32 bits, seed high bits). Fixed: part of the stream's definition (changing it changes every figure).
 */
export const NORMAL_BLOCK_PATHS = 2048;

const TWO_POW_32 = 4294967296;

/**
 * The two standard normals of each path 0 … paths − 1 of stream `seed` (integer, 0 ≤ seed < 2^53): returns
 * z with path p's pair at z[2p], z[2p + 1]. Uses `core`'s scratch region for the duration of the call.
 */
export function pathNormals(core: WasmCore, seed: number, paths: number): Float64Array {
  const generate = core.exports.philoxNormals;
  const count = 2 * NORMAL_BLOCK_PATHS;
  // Output column, then the kernel's work space: W(t_i) and z columns of `count` (a multiple of 4) each.
  const out = core.reserve(count * 8 * 3);
  const work = out + count * 8;
  const z = new Float64Array(2 * paths);
  const seedLo = seed >>> 0;
  const seedHi = Math.floor(seed / TWO_POW_32) >>> 0;
  for (let sample = 0; sample * NORMAL_BLOCK_PATHS < paths; sample++) {
    generate(seedLo, seedHi, sample, count, out, work);
    const start = 2 * sample * NORMAL_BLOCK_PATHS;
    z.set(core.f64(out, Math.min(count, z.length - start)), start);
  }
  return z;
}

const coresByModule = new WeakMap<WebAssembly.Module, Promise<WasmCore>>();
let defaultCore: Promise<WasmCore> | undefined;

/**
 * A WASM core on this thread for `pricer`: its own (createPricer()), one instantiated from its compiled module
 * (createPricingPool(): instantiated once per module), or the bundled build.
 */
export function coreOf(pricer: object): Promise<WasmCore> {
  const { core, module } = pricer as { core?: unknown; module?: unknown };
  if (core !== null && typeof core === "object" && typeof (core as WasmCore).reserve === "function") return Promise.resolve(core as WasmCore);
  if (module instanceof WebAssembly.Module) {
    let loaded = coresByModule.get(module);
    if (!loaded) coresByModule.set(module, (loaded = loadWasmCore({ module })));
    return loaded;
  }
  return (defaultCore ??= loadWasmCore());
}
