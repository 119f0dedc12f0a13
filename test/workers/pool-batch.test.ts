// The worker pool's zero-copy batches (pool.createOptionBatch): priced in place across 1, 2 and 3 workers,
// bit-identical to the single-thread pricer; errors named as the pricer names them for its own zero-copy batch;
// outputs all NaN after any rejected call; crash recovery; close(); refused outside shared-memory mode.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, PricingInputError, type Greeks, type Pricer } from "../../bindings/index.js";
import { loadWasmCore } from "../../bindings/wasm.js";
import { MAX_POOL_BATCH, PoolOptionBatch } from "../../workers/pool-batch.js";
import { createPricingPool, WorkerCrashError, type PricingPool } from "../../workers/pool.js";
import { createCrashablePool, crashWorker } from "../support/crashable-pool.js";
import { expectSameBits, randomBatch, type Columns } from "../support/batches.js";

const BS_INPUTS = ["spot", "strike", "expiry", "vol", "rate", "dividend"] as const;
// Odd (a scalar tail) and, with 16k chunks, ranges of unequal length.
const N = 100_001;
const CHUNK = 16_384;

let pricer: Pricer;
let columns: Columns;
const pools: PricingPool[] = [];

async function pool(options: Parameters<typeof createPricingPool>[0], create = createPricingPool): Promise<PricingPool> {
  const p = await create({ module: pricer.core.module, ...options });
  pools.push(p);
  return p;
}

function fill(batch: PoolOptionBatch | Awaited<ReturnType<Pricer["createOptionBatch"]>>, from: Columns): void {
  batch.type.set(from.type);
  for (const field of BS_INPUTS) batch[field].set(from[field]);
}

function allNaN(greeks: Greeks): boolean {
  return Object.values(greeks).every((column: Float64Array) => column.every(Number.isNaN));
}

beforeAll(async () => {
  pricer = await createPricer();
  columns = randomBatch(N, 7);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe("pool.createOptionBatch", () => {
  for (const workers of [1, 2, 3]) {
    it(`${workers} worker(s): priced in place, bit-identical to the pricer, and again after the inputs change`, async () => {
      const p = await pool({ workers, chunkSize: CHUNK });
      const batch = await p.createOptionBatch(N);
      expect(batch).toBeInstanceOf(PoolOptionBatch);
      expect(batch.spot.buffer).toBeInstanceOf(SharedArrayBuffer);
      fill(batch, columns);
      const greeks = await p.blackScholes(batch);
      expect(greeks).toBe(batch.greeks);
      expectSameBits(greeks, pricer.blackScholes(columns));
      const own = await pricer.createOptionBatch(N);
      fill(own, columns);
      expectSameBits(greeks, pricer.blackScholes(own));
      // New inputs in the same views: the next call prices them.
      const next = randomBatch(N, 8);
      fill(batch, next);
      expectSameBits(await p.blackScholes(batch), pricer.blackScholes(next));
    });
  }

  it("calls on one batch run one after another; calls on two batches run together", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const a = await p.createOptionBatch(N);
    const b = await p.createOptionBatch(N);
    const other = randomBatch(N, 9);
    fill(a, columns);
    fill(b, other);
    const first = p.blackScholes(a);
    const second = p.blackScholes(a);
    const onB = p.blackScholes(b);
    await first;
    // The second call on `a` has not started yet: changing an input now is what it prices.
    a.spot[5] = 123.25;
    await second;
    const expected = pricer.blackScholes({ ...columns, spot: Float64Array.from(columns.spot, (s, i) => (i === 5 ? 123.25 : s)) });
    expectSameBits(a.greeks, expected);
    expectSameBits(await onB, pricer.blackScholes(other));
  });

  it("invalid input rejects with the pricer's error for its own zero-copy batch; the greeks are then all NaN", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const batch = await p.createOptionBatch(N);
    const own = await pricer.createOptionBatch(N);
    fill(batch, columns);
    fill(own, columns);
    await p.blackScholes(batch);
    for (const [field, index, value] of [["vol", 77_777, Number.NaN], ["spot", 3, -1], ["type", N - 1, 0]] as const) {
      batch[field][index] = value;
      own[field][index] = value;
      let expected: unknown;
      try {
        pricer.blackScholes(own);
      } catch (error) {
        expected = error;
      }
      expect(expected).toBeInstanceOf(PricingInputError);
      const error = await p.blackScholes(batch).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PricingInputError);
      expect((error as PricingInputError).field).toBe(field);
      expect((error as PricingInputError).index).toBe(index);
      expect((error as Error).message).toBe((expected as Error).message);
      expect(allNaN(batch.greeks)).toBe(true);
      batch[field][index] = columns[field][index]!;
      own[field][index] = columns[field][index]!;
    }
    expectSameBits(await p.blackScholes(batch), pricer.blackScholes(columns));
  });

  it("is an ordinary OptionBatch for the pricer and for another pool; `output` gets a copy", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const q = await pool({ workers: 1, chunkSize: CHUNK });
    const batch = await p.createOptionBatch(N);
    fill(batch, columns);
    const expected = pricer.blackScholes(columns);
    expectSameBits(pricer.blackScholes(batch), expected);
    expectSameBits(await q.blackScholes(batch), expected);
    const output = { price: new Float64Array(N), delta: new Float64Array(N), gamma: new Float64Array(N), vega: new Float64Array(N), theta: new Float64Array(N), rho: new Float64Array(N) };
    expect(await p.blackScholes(batch, { output })).toBe(output);
    expectSameBits(output, expected);
    await expect(p.blackScholes(batch, { output: { ...output, rho: new Float64Array(3) } })).rejects.toThrow(/output\.rho/);
  });

  it("reports progress, and an abort rejects with the signal's reason and leaves the greeks NaN", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const batch = await p.createOptionBatch(N);
    fill(batch, columns);
    const progress: number[] = [];
    await p.blackScholes(batch, { onProgress: (done, total) => progress.push(done / total) });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(1);
    const controller = new AbortController();
    const reason = new Error("stop");
    const call = p.blackScholes(batch, { signal: controller.signal, onProgress: () => controller.abort(reason) });
    await expect(call).rejects.toBe(reason);
    expect(allNaN(batch.greeks)).toBe(true);
  });

  it("a worker crashing under a call: the call rejects with WorkerCrashError, the replacement prices the batch exactly", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK }, createCrashablePool);
    const batch = await p.createOptionBatch(N);
    fill(batch, columns);
    await p.blackScholes(batch); // both workers have attached the batch
    // The crash message reaches worker 0 before the call's ranges queued behind it, which are lost with the worker.
    crashWorker(p, 0, "throw");
    await expect(p.blackScholes(batch)).rejects.toBeInstanceOf(WorkerCrashError);
    expect(allNaN(batch.greeks)).toBe(true);
    for (let k = 0; k < 3; k++) expectSameBits(await p.blackScholes(batch), pricer.blackScholes(columns));
  });

  it("close(): the running call ends normally, later calls reject, the views stay readable", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const batch = await p.createOptionBatch(N);
    fill(batch, columns);
    const running = p.blackScholes(batch);
    batch.close();
    expectSameBits(await running, pricer.blackScholes(columns));
    await expect(p.blackScholes(batch)).rejects.toThrow(/pool batch was closed/);
    expect(batch.spot[0]).toBe(columns.spot[0]);
    batch.close(); // idempotent
  });

  it("bad lengths and pools without shared memory are refused by name", async () => {
    const p = await pool({ workers: 1 });
    for (const length of [0, -1, 1.5, Number.NaN, MAX_POOL_BATCH + 1]) {
      const error = await p.createOptionBatch(length).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PricingInputError);
      expect((error as PricingInputError).field).toBe("length");
    }
    const transfer = await pool({ workers: 1, sharedMemory: false });
    await expect(transfer.createOptionBatch(10)).rejects.toThrow(/shared-memory mode/);
    const closed = await createPricingPool({ workers: 1 });
    await closed.close();
    await expect(closed.createOptionBatch(10)).rejects.toThrow(/closed/);
  });
});

describe("useBlackScholesWorkArea (what lets instances share one memory)", () => {
  it("moves the kernel's work area: same bits, and the area given is where the kernel worked", async () => {
    const core = await loadWasmCore({ module: pricer.core.module });
    const n = 1_001;
    const bytes = core.exports.blackScholesWorkBytes();
    expect(bytes % 16).toBe(0);
    const area = core.claim(bytes);
    const p = Array.from({ length: 13 }, () => core.claim(n * 8));
    const small = randomBatch(n, 11);
    core.f64(p[0]!, n).set(small.type);
    BS_INPUTS.forEach((field, k) => core.f64(p[k + 1]!, n).set(small[field]));
    const run = (): Float64Array[] => {
      expect(core.exports.blackScholesBatch(n, ...(p as [number, number, number, number, number, number, number, number, number, number, number, number, number]))).toBe(0);
      return p.slice(7).map((pointer) => core.f64(pointer, n).slice());
    };
    const atStatic = run();
    expect(core.f64(area, bytes / 8).every((v) => v === 0)).toBe(true);
    core.exports.useBlackScholesWorkArea(area);
    const moved = run();
    expect(core.f64(area, bytes / 8).some((v) => v !== 0)).toBe(true);
    core.exports.useBlackScholesWorkArea(0);
    const names = ["price", "delta", "gamma", "vega", "theta", "rho"] as const;
    const asGreeks = (columns: Float64Array[]) => Object.fromEntries(names.map((name, k) => [name, columns[k]!])) as unknown as Greeks;
    expectSameBits(asGreeks(moved), asGreeks(atStatic));
    expectSameBits(asGreeks(atStatic), pricer.blackScholes(small));
  });
});
