// Suite "blackscholes": price + 5 greeks per option, WASM (SIMD and scalar) against plain JS and npm peers.
// Every task prices a whole batch per call; figures are per option. The WASM rows go through the public
// createPricer() API (validation, copies in and out, fresh output arrays); "wasm simd kernel" calls the
// kernel on columns already in WASM memory, to show what the API around it costs.
import { createPricer, type Pricer } from "../bindings/pricer.js";
import { loadWasmCore } from "../bindings/wasm.js";
import { randomOptions } from "./inputs.js";
import { measureBatches, samplingBudget, type BatchTask } from "./measure.js";
import { missingPeers, peers } from "./peers.js";
import { blackScholesPlain, type PlainGreeksColumns } from "./plain-js.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "blackscholes";
const BASELINE = "plain js";

function greeksColumns(n: number): PlainGreeksColumns {
  return {
    price: new Float64Array(n),
    delta: new Float64Array(n),
    gamma: new Float64Array(n),
    vega: new Float64Array(n),
    theta: new Float64Array(n),
    rho: new Float64Array(n),
  };
}

/** Keeps results observable so the engine cannot drop the work. */
let sink = 0;

/** Runs the suite: batch of 100k options (2k for the slow peers); quick: 4k (256). */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const budget = samplingBudget(options.quick);
  const n = options.quick ? 4096 : 100_000;
  const peerN = options.quick ? 256 : 2000;
  if (missingPeers.length > 0) log(`  peer rows left out (dev dependencies not installed: ${missingPeers.join(", ")})`);
  const { columns, batch } = randomOptions(n);

  const simd: Pricer = await createPricer({ simd: true });
  const scalar: Pricer = await createPricer({ simd: false });

  // Kernel-only: a core of its own whose scratch holds the inputs once, outside the timed call.
  const core = await loadWasmCore({ simd: true });
  const base = core.reserve(n * 8 * 13);
  const ptr = (k: number) => base + k * n * 8;
  const inputColumns = [columns.type, columns.spot, columns.strike, columns.expiry, columns.vol, columns.rate, columns.dividend];
  inputColumns.forEach((column, k) => core.f64(ptr(k), n).set(column));
  const kernel = core.exports.blackScholesBatch;

  // Zero-copy: the same inputs in a batch the pricer created in WASM memory, filled once outside the timed call.
  const inPlace = await simd.createOptionBatch(n);
  const inPlaceColumns = [inPlace.type, inPlace.spot, inPlace.strike, inPlace.expiry, inPlace.vol, inPlace.rate, inPlace.dividend];
  inputColumns.forEach((column, k) => inPlaceColumns[k]!.set(column));

  const out = greeksColumns(n);
  const reused = greeksColumns(n);
  const peerOut = greeksColumns(peerN);
  const tasks: BatchTask[] = [
    {
      suite: SUITE, name: "wasm simd", units: n, unit: "option", baseline: BASELINE,
      note: "createPricer(): price + 5 greeks, incl. validation and copies",
      run: () => { sink += simd.blackScholes(batch).price[0]!; },
    },
    {
      suite: SUITE, name: "wasm simd, reused output", units: n, unit: "option", baseline: BASELINE,
      note: "createPricer(): blackScholes(batch, output) into arrays reused across calls, as plain js does",
      run: () => { sink += simd.blackScholes(batch, reused).price[0]!; },
    },
    {
      suite: SUITE, name: "wasm simd, zero-copy batch", units: n, unit: "option", baseline: BASELINE,
      note: "createOptionBatch(): inputs filled in place, validated by the kernel, greeks read from WASM views",
      run: () => { sink += simd.blackScholes(inPlace).price[0]!; },
    },
    {
      suite: SUITE, name: "wasm scalar", units: n, unit: "option", baseline: BASELINE,
      note: "createPricer({ simd: false })",
      run: () => { sink += scalar.blackScholes(batch).price[0]!; },
    },
    {
      suite: SUITE, name: "wasm simd kernel", units: n, unit: "option", baseline: BASELINE,
      note: "blackScholesBatch on columns already in WASM memory",
      run: () => {
        kernel(n, ptr(0), ptr(1), ptr(2), ptr(3), ptr(4), ptr(5), ptr(6), ptr(7), ptr(8), ptr(9), ptr(10), ptr(11), ptr(12));
        sink += core.f64(ptr(7), 1)[0]!;
      },
    },
    {
      suite: SUITE, name: BASELINE, units: n, unit: "option", baseline: BASELINE,
      note: "bench/plain-js.ts: price + 5 greeks over Float64Arrays",
      run: () => { blackScholesPlain(n, columns, out); sink += out.price[0]!; },
    },
    ...peers.map((peer): BatchTask => ({
      suite: SUITE, name: peer.name, units: peerN, unit: "option", baseline: BASELINE,
      note: `${peer.outputs.length === 6 ? "price + 5 greeks" : peer.outputs.join(", ") + " only"}${peer.dividendYield ? "" : ", no dividend yield"}`,
      run: () => { peer.price(peerN, columns, peerOut); sink += peerOut.price[0]!; },
    })),
  ];

  const rows = await measureBatches(tasks, budget, log);
  if (!Number.isFinite(sink)) log(`  ${SUITE}: non-finite checksum ${sink}`);
  return rows;
}
