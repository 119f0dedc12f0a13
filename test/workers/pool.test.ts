// The worker pool against the single-thread pricer: bit-identical results for 1, 2 and 3 workers in both data
// paths (SharedArrayBuffer and transferred buffers), micro-batching, errors with whole-batch indices, progress,
// abort, crash recovery. The reference is the single-thread pricer itself: the pool must not change one bit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, PricingInputError, type OptionBatch, type Pricer } from "../../bindings/index.js";
import { planColumnJob, unwrapReply, type ColumnSource } from "../../workers/chunking.js";
import { compileWasmCore, importsMemory, loadWasmCore, sharedWasmMemory } from "../../bindings/wasm.js";
import { blackScholesTask, impliedVolTask } from "../../workers/kernels.js";
import { IMPLIED_VOL_INPUTS as IV_INPUTS, OPTION_INPUTS as BS_INPUTS } from "../../bindings/kernel/columns.js";
import { REGION_COLUMNS, regionColumn, type ColumnTask } from "../../workers/protocol.js";
import { createPricingPool, WorkerCrashError, type PricingPool } from "../../workers/pool.js";
import { createCrashablePool, crashWorker } from "../support/crashable-pool.js";
import { expectSameBits, randomBatch, type Columns } from "../support/batches.js";


let pricer: Pricer;
// 100,001 options: odd (a scalar tail) and, with 16k chunks, seven chunks of which the last is short.
const N = 100_001;
const CHUNK = 16_384;
let batch: Columns;
let ivBatch: Omit<Columns, "vol"> & { price: Float64Array };

beforeAll(async () => {
  pricer = await createPricer();
  batch = randomBatch(N, 42);
  const { vol: _vol, ...rest } = batch;
  const price = pricer.blackScholes(batch).price.slice();
  // Add prices outside the no-arbitrage bounds so every status code travels through the pool.
  price[7] = 0; // at or below intrinsic
  price[11] = 1e6; // above the upper bound
  ivBatch = { ...rest, price };
});

const pools: PricingPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

async function pool(options: Parameters<typeof createPricingPool>[0], create = createPricingPool): Promise<PricingPool> {
  const p = await create({ module: pricer.core.module, ...options });
  pools.push(p);
  return p;
}

describe("bit-identical to the single-thread pricer", () => {
  for (const workers of [1, 2, 3]) {
    for (const sharedMemory of [true, false]) {
      it(`${workers} worker(s), ${sharedMemory ? "SharedArrayBuffer" : "transferred buffers"}: Black-Scholes greeks and implied vols equal pricer's bit for bit on 100,001 options`, async () => {
        const p = await pool({ workers, sharedMemory, chunkSize: CHUNK });
        expect(p.workers).toBe(workers);
        expect(p.sharedMemory).toBe(sharedMemory);
        expect(p.simd).toBe(pricer.simd);
        const [greeks, iv] = await Promise.all([p.blackScholes(batch), p.impliedVol(ivBatch)]);
        expectSameBits(greeks, pricer.blackScholes(batch));
        // Results are ordinary memory the caller owns, as the pricer's: no SharedArrayBuffer per call that the
        // workers would also hold (V8 would not count it towards a collection, so repeated calls would pile them up).
        for (const column of [...Object.values(greeks), ...Object.values(iv)]) expect(column.buffer instanceof ArrayBuffer).toBe(true);
        const expectedIv = pricer.impliedVol(ivBatch);
        expectSameBits(iv, expectedIv);
        // The status codes really vary (otherwise the comparison of that column would prove little).
        expect(new Set(expectedIv.status).size).toBeGreaterThan(1);
        await p.close();
      });
    }
  }

  for (const sharedMemory of [true, false]) {
    it(`writes into caller-provided output arrays (${sharedMemory ? "shared" : "transferred"} buffers) only once the whole call succeeded`, async () => {
      const p = await pool({ workers: 2, sharedMemory, chunkSize: CHUNK });
      const columns = () => Array.from({ length: 6 }, () => new Float64Array(N).fill(7));
      const [price, delta, gamma, vega, theta, rho] = columns() as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
      const output = { price, delta, gamma, vega, theta, rho };
      expect(await p.blackScholes(batch, { output })).toBe(output);
      expectSameBits(output, pricer.blackScholes(batch));
      // A bad element in the last chunk: the call rejects and the arrays keep what they held.
      output.price.fill(7);
      const bad = { ...batch, vol: batch.vol.slice() };
      bad.vol[N - 1] = -1;
      await expect(p.blackScholes(bad, { output })).rejects.toMatchObject({ name: "PricingInputError", field: "vol", index: N - 1 });
      expect(output.price.every((v) => v === 7)).toBe(true);
      await expect(p.blackScholes(batch, { output: { ...output, gamma: new Float64Array(3) } })).rejects.toMatchObject({ field: "output.gamma" });
      // A small (coalesced) call copies its slice of the shared micro-batch into the given arrays.
      const one = { type: "call" as const, spot: 100, strike: 95, expiry: 0.5, vol: 0.25, rate: 0.01 };
      const small = { price: new Float64Array(1), delta: new Float64Array(1), gamma: new Float64Array(1), vega: new Float64Array(1), theta: new Float64Array(1), rho: new Float64Array(1) };
      expectSameBits(await p.blackScholes(one, { output: small }), pricer.blackScholes(one));
    });
  }

  /** Six output columns as views over one SharedArrayBuffer (column c at f64 offset c·n + 3). */
  function sharedGreeks(n: number) {
    const buffer = new SharedArrayBuffer((6 * n + 3) * 8);
    const [price, delta, gamma, vega, theta, rho] = Array.from({ length: 6 }, (_, c) => new Float64Array(buffer, (c * n + 3) * 8, n).fill(7)) as [
      Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
    ];
    return { price, delta, gamma, vega, theta, rho };
  }

  it("writes output columns that are SharedArrayBuffer views in place, bit-identically; a rejected or aborted call settles only after its running chunks ended", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const output = sharedGreeks(N);
    expect(await p.blackScholes(batch, { output })).toBe(output);
    expectSameBits(output, pricer.blackScholes(batch));
    // A rejected call leaves the arrays all NaN, not half-written, and nothing writes into them once it has settled:
    // check at rejection and again a while later.
    const unchangedAfter = async (call: Promise<unknown>, expected: object) => {
      await expect(call).rejects.toMatchObject(expected);
      const allNaN = () => Object.values(output).every((column) => column.every((v) => Number.isNaN(v)));
      expect(allNaN()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(allNaN()).toBe(true);
    };
    for (const column of Object.values(output)) column.fill(7);
    const bad = { ...batch, vol: batch.vol.slice() };
    bad.vol[3 * CHUNK + 5] = -1;
    await unchangedAfter(p.blackScholes(bad, { output }), { name: "PricingInputError", field: "vol", index: 3 * CHUNK + 5 });
    for (const column of Object.values(output)) column.fill(7);
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    await unchangedAfter(p.blackScholes(batch, { output, signal: controller.signal, onProgress: () => controller.abort(reason) }), reason);
    // Overlapping columns would be read and written by different workers at once: refused, naming the column.
    const overlapping = { ...output, delta: new Float64Array(output.price.buffer, output.price.byteOffset + 8, N) };
    await expect(p.blackScholes(batch, { output: overlapping })).rejects.toMatchObject({ name: "PricingInputError", field: "output.delta" });
    const spot = new Float64Array(new SharedArrayBuffer(N * 8));
    spot.set(batch.spot);
    await expect(p.blackScholes({ ...batch, spot }, { output: { ...output, rho: spot } })).rejects.toMatchObject({ name: "PricingInputError", field: "output.rho" });
    // The pool keeps working, and the arrays take the next call's results.
    expectSameBits(await p.blackScholes(batch, { output }), pricer.blackScholes(batch));
  });

  it("a worker prices a chunk in its task region and writes the outputs into the caller's in-place columns (whole-batch positions)", async () => {
    const n = 10;
    // The chunk (6 options from element 4 of a batch of 10) in a task region of capacity 8: column c at c·8.
    const core = await loadWasmCore({ module: pricer.core.module });
    const region = { pointer: core.claim(8 * REGION_COLUMNS * 8), capacity: 8 };
    const inputs = [1, 100, 95, 0.5, 0.25, 0.01, 0];
    inputs.forEach((v, c) => core.f64(regionColumn(region, c), 6).fill(v));
    const own = new SharedArrayBuffer((6 * n + 2) * 8);
    const outPlace = Object.fromEntries(Array.from({ length: 6 }, (_, c) => [c, { buffer: own, offset: c * n + 2 }]));
    const reply = blackScholesTask(core, { region, start: 4, count: 6, outPlace });
    expect(reply).toEqual({ output: undefined, invalid: false });
    const expected = pricer.blackScholes({ type: "call", spot: 100, strike: 95, expiry: 0.5, vol: 0.25, rate: 0.01 });
    const price = new Float64Array(own, 2 * 8, n);
    expect([...price.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...price.subarray(4)]).toEqual(Array(6).fill(expected.price[0]));
    expect(new Float64Array(own, (5 * n + 2) * 8, n)[9]).toBe(expected.rho[0]);
    // The outputs are also in the region (column 7 on), for the calling thread when it gives no columns of its own.
    expect([...core.f64(regionColumn(region, 7), 6)]).toEqual(Array(6).fill(expected.price[0]));
    // A region smaller than the task is refused, not overrun.
    expect(() => blackScholesTask(core, { region, start: 0, count: 9 })).toThrow(/exceeds its region of 8/);
  });

  it("reads columns that already live in a SharedArrayBuffer in place (mixed with copied and broadcast columns), bit-identically", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const onShared = (column: Float64Array, offset: number) => {
      // Not at the start of its buffer, to exercise the offset.
      const view = new Float64Array(new SharedArrayBuffer((column.length + offset) * 8), offset * 8, column.length);
      view.set(column);
      return view;
    };
    const type = onShared(Float64Array.from(batch.type), 3);
    const mixed = { ...batch, type, spot: onShared(batch.spot, 1), vol: onShared(batch.vol, 0), dividend: 0.01 };
    expectSameBits(await p.blackScholes(mixed), pricer.blackScholes(mixed));
    const ivMixed = { ...ivBatch, type, price: onShared(ivBatch.price, 5), strike: Array.from(ivBatch.strike) };
    expectSameBits(await p.impliedVol(ivMixed), pricer.impliedVol(ivMixed));
    // The SharedArrayBuffer columns really travel by reference: the plan copies only the others.
    const copiedColumns = new Set<number>();
    const source: ColumnSource = {
      length: 4,
      copyColumn: (c) => void copiedColumns.add(c),
      sharedColumn: (c) => (c === 1 || c === 4 ? onShared(new Float64Array(4).fill(1), 2) : undefined),
      broadcastValue: (c) => (c === 6 ? 0.02 : undefined),
    };
    const job = planColumnJob("blackScholes", source, 4, { shared: {} });
    let sent: ColumnTask | undefined;
    const memory = sharedWasmMemory();
    const region = { pointer: 4096, capacity: 6 };
    const api = {
      blackScholes: async (task: ColumnTask) => {
        sent = task;
        if (task.region) new Float64Array(memory.buffer, regionColumn(task.region, 8), 4).set([1, 2, 3, 4]); // the worker's delta column of the chunk
        return { ok: true, value: { output: undefined, invalid: false } };
      },
    };
    await job.tasks[0]!.run({ api: api as never, index: 0, shared: { memory, region } });
    // Nothing but the task's description travels: the inputs were written into the worker's region, and the calling
    // thread copied the outputs from there into the results (ordinary ArrayBuffers).
    expect(sent!.region).toEqual(region);
    expect(sent!.input).toBeUndefined();
    const result = job.result();
    expect(result[1]!.buffer).toBeInstanceOf(ArrayBuffer);
    expect(Array.from(result[1]!)).toEqual([1, 2, 3, 4]);
    expect(Object.keys(sent!.inPlace!).map(Number)).toEqual([1, 4]);
    expect(sent!.inPlace![1]!.offset).toBe(2);
    // A broadcast scalar travels as one number, filled by the worker: the calling thread copies only the rest.
    expect(sent!.broadcast).toEqual({ 6: 0.02 });
    expect([...copiedColumns].sort()).toEqual([0, 2, 3, 5]);
    copiedColumns.clear();
    await planColumnJob("blackScholes", source, 4).tasks[0]!.run({ api: api as never, index: 0 });
    expect(sent!.broadcast).toEqual({ 6: 0.02 });
    expect([...copiedColumns].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // A bad element in a column read in place is found by the kernel and reported like any other.
    mixed.vol[77_777] = Number.NaN;
    await expect(p.blackScholes(mixed)).rejects.toMatchObject({ name: "PricingInputError", field: "vol", index: 77_777 });
  });

  for (const sharedMemory of [true, false]) {
    it(`broadcast scalars (filled by the workers) and string types price the same as in the pricer (${sharedMemory ? "shared" : "transferred"} buffers)`, async () => {
      const p = await pool({ workers: 2, chunkSize: 4_096, sharedMemory });
      const strikes = Float64Array.from({ length: 10_000 }, (_, i) => 50 + i / 100);
      const b: OptionBatch = { type: "put", spot: 100, strike: strikes, expiry: 0.75, vol: 0.3, rate: 0.02 };
      const greeks = await p.blackScholes(b);
      expectSameBits(greeks, pricer.blackScholes(b));
      const iv = { type: "put" as const, price: greeks.price, spot: 100, strike: strikes, expiry: 0.75, rate: 0.02 };
      expectSameBits(await p.impliedVol(iv), pricer.impliedVol(iv));
    });
  }

  it("micro-batched single-option calls (fired together, coalesced) each equal the pricer's result for that option", async () => {
    const p = await pool({ workers: 2 });
    const count = 2_001;
    const calls = Array.from({ length: count }, (_, i) =>
      p.blackScholes({
        type: batch.type[i] === 1 ? "call" : "put",
        spot: batch.spot[i]!,
        strike: batch.strike[i]!,
        expiry: batch.expiry[i]!,
        vol: batch.vol[i]!,
        rate: batch.rate[i]!,
        dividend: batch.dividend[i]!,
      }),
    );
    const ivCalls = Array.from({ length: 301 }, (_, i) =>
      p.impliedVol({ type: [batch.type[i] === 1 ? "call" : "put"], price: [ivBatch.price[i]!], spot: batch.spot[i]!, strike: batch.strike[i]!, expiry: batch.expiry[i]!, rate: batch.rate[i]!, dividend: batch.dividend[i]! }),
    );
    const results = await Promise.all(calls);
    const ivResults = await Promise.all(ivCalls);
    for (let i = 0; i < count; i++) {
      const single = pricer.blackScholes({ type: batch.type.subarray(i, i + 1), spot: batch.spot[i]!, strike: batch.strike[i]!, expiry: batch.expiry[i]!, vol: batch.vol[i]!, rate: batch.rate[i]!, dividend: batch.dividend[i]! });
      expect(results[i]!.price.length).toBe(1);
      expectSameBits(results[i]!, single);
    }
    for (let i = 0; i < ivResults.length; i++) {
      const single = pricer.impliedVol({ type: batch.type.subarray(i, i + 1), price: ivBatch.price[i]!, spot: batch.spot[i]!, strike: batch.strike[i]!, expiry: batch.expiry[i]!, rate: batch.rate[i]!, dividend: batch.dividend[i]! });
      expectSameBits(ivResults[i]!, single);
    }
  });
});

describe("micro-batches split across chunks", () => {
  it("calls of 1 and 3 options coalesced into 1,000-option batches cut into 64-option chunks (calls straddle chunk edges) equal the pricer", async () => {
    const p = await pool({ workers: 3, chunkSize: 64, microBatch: { maxBatchOptions: 1_000, windowMs: 2 } });
    const calls: Promise<unknown>[] = [];
    const expected: object[] = [];
    for (let i = 0, k = 0; i + 3 <= 3_000; k++) {
      const len = k % 3 === 0 ? 3 : 1;
      const part = { type: batch.type.subarray(i, i + len), spot: batch.spot.subarray(i, i + len), strike: batch.strike.subarray(i, i + len), expiry: batch.expiry.subarray(i, i + len), vol: batch.vol.subarray(i, i + len), rate: batch.rate.subarray(i, i + len), dividend: batch.dividend.subarray(i, i + len) };
      calls.push(p.blackScholes(part));
      expected.push(pricer.blackScholes(part));
      i += len;
    }
    const results = await Promise.all(calls);
    results.forEach((r, k) => expectSameBits(r as object, expected[k]!));
  });
});

describe("errors", () => {
  it("an invalid element deep in a multi-chunk batch rejects with the pricer's PricingInputError (field and whole-batch index)", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const vol = batch.vol.slice();
    vol[70_123] = -0.2;
    const bad = { ...batch, vol };
    let expected: unknown;
    try {
      pricer.blackScholes(bad);
    } catch (error) {
      expected = error;
    }
    expect(expected).toBeInstanceOf(PricingInputError);
    const actual = await p.blackScholes(bad).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(actual).toBeInstanceOf(PricingInputError);
    const e = actual as PricingInputError;
    expect([e.field, e.index, e.message]).toEqual(["vol", 70_123, (expected as PricingInputError).message]);
  });

  it("with several invalid elements the pool reports the same one as the pricer (its chunk-then-column order), not merely the first column's", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const spot = batch.spot.slice();
    const vol = batch.vol.slice();
    const dividend = batch.dividend.slice();
    vol[5] = Number.NaN; // block 0, a later column
    spot[60_000] = 0; // block 0 (the pricer's first 65,536 options), an earlier column: reported
    dividend[70_000] = Infinity; // block 1
    const bad = { ...batch, spot, vol, dividend };
    const expected = (() => {
      try {
        pricer.blackScholes(bad);
      } catch (error) {
        return error as PricingInputError;
      }
      throw new Error("the pricer accepted an invalid batch");
    })();
    expect([expected.field, expected.index]).toEqual(["spot", 60_000]);
    await expect(p.blackScholes(bad)).rejects.toMatchObject({ field: "spot", index: 60_000, message: expected.message });
  });

  it("plain JS arrays (validated on the calling thread, chunk by chunk) give the pricer's error, e.g. a string at element 40,000, and exact results when valid", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const strike: unknown[] = Array.from(batch.strike);
    const plain = { ...batch, type: Array.from(batch.type, (t) => (t === 1 ? "call" : "put")), strike: strike as number[] };
    expectSameBits(await p.blackScholes(plain), pricer.blackScholes(batch));
    strike[40_000] = "105"; // a Float64Array copy would read it as 105: only the validator can catch it
    const expected = (() => {
      try {
        pricer.blackScholes(plain);
      } catch (error) {
        return error as PricingInputError;
      }
      throw new Error("the pricer accepted an invalid batch");
    })();
    await expect(p.blackScholes(plain)).rejects.toMatchObject({ name: "PricingInputError", field: "strike", index: 40_000, message: expected.message });
  });

  it("the workers' screening (in the kernels, in WASM) accepts exactly what the validator accepts, column by column, on edge values", () => {
    const edges = [1, 0.5, 1e-300, 5e-324, 0, -0, -5e-324, -1, 1e308, Number.MAX_VALUE, Infinity, -Infinity, Number.NaN];
    const kinds = [
      { kind: "blackScholes" as const, task: blackScholesTask, names: BS_INPUTS, price: (b: Record<string, unknown>) => pricer.blackScholes(b as never) },
      { kind: "impliedVol" as const, task: impliedVolTask, names: IV_INPUTS, price: (b: Record<string, unknown>) => pricer.impliedVol(b as never) },
    ];
    let cases = 0;
    for (const { kind, task, names, price } of kinds) {
      names.forEach((field, c) => {
        const values = field === "type" ? [1, -1, 0, 2, -2, 127] : edges;
        for (const v of values) {
          const valid: Record<string, unknown> = { type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.01, dividend: 0, price: 5 };
          valid[field] = field === "type" ? Int8Array.of(v) : Float64Array.of(v);
          let accepted = true;
          try {
            price(valid);
          } catch (error) {
            expect(error).toBeInstanceOf(PricingInputError);
            accepted = false;
          }
          const columns = new Float64Array(names.length);
          names.forEach((name, k) => (columns[k] = k === c ? v : name === "type" ? 1 : (valid[name] as number)));
          const screened = !task(pricer.core, { input: columns.buffer, start: 0, count: 1 }).invalid;
          expect(screened, `${kind} ${field} = ${v}`).toBe(accepted);
          cases++;
        }
      });
    }
    expect(cases).toBeGreaterThan(150);
  });

  it("a small invalid call rejects alone and does not poison the micro-batch it would have joined", async () => {
    const p = await pool({ workers: 1 });
    const good = p.blackScholes({ type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.01 });
    const bad = p.impliedVol({ type: ["call", "put"], price: [5, NaN], spot: 100, strike: 100, expiry: 1, rate: 0.01 });
    await expect(bad).rejects.toMatchObject({ name: "PricingInputError", field: "price", index: 1 });
    await expect(bad).rejects.toBeInstanceOf(PricingInputError);
    expectSameBits(await good, pricer.blackScholes({ type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.01 }));
  });

  it("a PricingInputError raised inside a worker is rebuilt on the calling thread as the same class with field, index and message", () => {
    const original = new PricingInputError("paths", 3, "must be a positive integer, got -1");
    let rebuilt: unknown;
    try {
      unwrapReply({ ok: false, inputError: { field: original.field, index: original.index, message: original.message } });
    } catch (error) {
      rebuilt = error;
    }
    expect(rebuilt).toBeInstanceOf(PricingInputError);
    expect(rebuilt).toBeInstanceOf(RangeError);
    expect(rebuilt).toMatchObject({ field: "paths", index: 3, message: original.message, name: "PricingInputError" });
  });

  it("bad pool options are rejected with PricingInputError naming the option", async () => {
    await expect(createPricingPool({ workers: 0 })).rejects.toMatchObject({ field: "workers" });
    await expect(createPricingPool({ chunkSize: 1.5 })).rejects.toMatchObject({ field: "chunkSize" });
    // A chunk's task regions must fit in a worker's memory.
    await expect(createPricingPool({ chunkSize: 2 ** 20 + 2 })).rejects.toMatchObject({ field: "chunkSize", message: /\[1, 1048576\]/ });
  });
});

describe("the workers' module", () => {
  it("in shared mode is the shared-memory twin of the module given (same build, compiled once), as is in transfer mode", async () => {
    const shared = await pool({ workers: 1, sharedMemory: true });
    const again = await pool({ workers: 1, sharedMemory: true });
    const transfer = await pool({ workers: 1, sharedMemory: false });
    expect(importsMemory(pricer.core.module)).toBe(false);
    expect(importsMemory(shared.module)).toBe(true);
    expect(again.module).toBe(shared.module);
    expect(transfer.module).toBe(pricer.core.module);
    expect(shared.simd).toBe(pricer.simd);
    // A shared-memory module given is used as it is, in either mode.
    const given = await compileWasmCore({ simd: false, sharedMemory: true });
    const scalar = await pool({ workers: 2, module: given, chunkSize: 4_096 });
    expect(scalar.module).toBe(given);
    expect(scalar.simd).toBe(false);
    const strikes = Float64Array.from({ length: 9_999 }, (_, i) => 40 + i / 80);
    const b: OptionBatch = { type: "call", spot: 100, strike: strikes, expiry: 0.4, vol: 0.35, rate: 0.02 };
    const scalarPricer = await createPricer({ simd: false });
    expectSameBits(await scalar.blackScholes(b), scalarPricer.blackScholes(b));
  });
});

describe("progress and abort", () => {
  it("onProgress reports each finished chunk, increasing, ending at (n, n)", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const seen: [number, number][] = [];
    const greeks = await p.blackScholes(batch, { onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBe(Math.ceil(N / CHUNK));
    for (let k = 1; k < seen.length; k++) expect(seen[k]![0]).toBeGreaterThan(seen[k - 1]![0]);
    expect(seen.at(-1)).toEqual([N, N]);
    expectSameBits(greeks, pricer.blackScholes(batch));
  });

  it("aborting after the first chunk rejects with the signal's reason, stops progress, and the pool keeps working", async () => {
    const p = await pool({ workers: 1, chunkSize: 4_096 });
    const controller = new AbortController();
    let progressCalls = 0;
    const reason = new Error("user cancelled");
    const call = p.impliedVol(ivBatch, {
      signal: controller.signal,
      onProgress: () => {
        progressCalls++;
        controller.abort(reason);
      },
    });
    await expect(call).rejects.toBe(reason);
    expect(progressCalls).toBe(1);
    // Already-aborted signals reject at once.
    await expect(p.blackScholes(batch, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expectSameBits(await p.blackScholes(batch), pricer.blackScholes(batch));
  });
});

describe("crashed workers", () => {
  const small = (n: number, seed: number): Columns => randomBatch(n, seed);

  for (const mode of ["exit", "throw", "kill"] as const) {
    it(`a worker that dies (${mode}) under a call rejects that call with WorkerCrashError, a call on the other worker completes, and the pool is replaced and keeps pricing`, async () => {
      // One chunk per call, large enough (≈ 10+ ms of work) that the kill lands while worker 0 is pricing it.
      const p = await pool({ workers: 2, microBatch: false, chunkSize: 1 << 20 }, createCrashablePool);
      const a = small(200_000, 1);
      const b = small(50_000, 2);
      // Both workers idle: the first call goes to worker 0, the second to worker 1.
      if (mode === "kill") {
        const onA = p.blackScholes(a);
        const onB = p.blackScholes(b);
        crashWorker(p, 0, "kill");
        await expect(onA).rejects.toBeInstanceOf(WorkerCrashError);
        expectSameBits(await onB, pricer.blackScholes(b));
      } else {
        // The crash message reaches worker 0 before the task queued behind it, which is lost with the worker.
        crashWorker(p, 0, mode);
        const onA = p.blackScholes(a);
        const onB = p.blackScholes(b);
        await expect(onA).rejects.toThrow(/crashed while running this call/);
        expectSameBits(await onB, pricer.blackScholes(b));
      }
      // Later calls, spread across the replacement and the survivor, are exact.
      expectSameBits(await p.blackScholes(batch), pricer.blackScholes(batch));
    });
  }

  it("a crash in the middle of a long call and a concurrent call: every call settles, failures are WorkerCrashError only", async () => {
    const p = await pool({ workers: 2, chunkSize: 8_192 }, createCrashablePool);
    let injected = false;
    const long = p.blackScholes(batch, {
      onProgress: () => {
        if (!injected) {
          injected = true;
          crashWorker(p, 0, "kill");
        }
      },
    });
    const other = p.impliedVol(ivBatch);
    const settled = await Promise.allSettled([long, other]);
    const failures = settled.filter((s) => s.status === "rejected");
    expect(failures.length).toBeGreaterThanOrEqual(1);
    for (const f of failures) expect((f as PromiseRejectedResult).reason).toBeInstanceOf(WorkerCrashError);
    expectSameBits(await p.impliedVol(ivBatch), pricer.impliedVol(ivBatch));
  });

  it("close() rejects calls still waiting and later calls", async () => {
    const p = await createPricingPool({ module: pricer.core.module, workers: 1, chunkSize: 4_096 });
    const pending = p.blackScholes(batch).then(
      () => "resolved",
      (error: unknown) => error,
    );
    await p.close();
    expect(await pending).toMatchObject({ message: expect.stringMatching(/closed/) });
    await expect(p.blackScholes(batch)).rejects.toThrow(/closed/);
  });
});
