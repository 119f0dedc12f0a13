// The fleet backend end to end: a real redis-server on 127.0.0.1 and three `pool2peer worker` processes.
// References are the single-thread pricer's own results: the fleet must return the same bits (columns are
// compared byte for byte, NaN payloads included; Monte Carlo estimates with toEqual, i.e. Object.is per number).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { createPricer, PricingInputError, type ImpliedVolBatch, type OptionBatch, type Pricer } from "../../bindings/index.js";
import type { MonteCarloSpec } from "../../bindings/montecarlo.js";
import { createFleetPricingPool, FleetTimeoutError, type FleetPricingPool } from "../../fleet/client.js";
import { buildWorkerLauncher, killWorker, startWorkerProcess, type WorkerProcess } from "../support/fleet.js";
import { freePort, startRedis, type TestRedis } from "../support/redis.js";

let redis: TestRedis;
let pricer: Pricer;
let fleet: FleetPricingPool;
let launcher: { launcher: string; remove(): void };
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [redis, pricer, launcher] = await Promise.all([startRedis(), createPricer(), buildWorkerLauncher()]);
  // One local-pool thread per process: three processes on this 2-core machine are plenty.
  for (let k = 0; k < 3; k++) workers.push(await startWorkerProcess(launcher.launcher, redis.url, ["--concurrency", "1"]));
  // At most 3 jobs of a call in flight: the window that queues the next job as one finishes is exercised too.
  fleet = await createFleetPricingPool({ redis: redis.url, optionsPerJob: 65_536, blocksPerJob: 4, maxJobsInFlight: 3 });
});

afterAll(async () => {
  await fleet?.close();
  await Promise.all(workers.map(killWorker));
  await redis?.stop();
  launcher?.remove();
});

/** Byte-for-byte equality of every typed-array column (toEqual on 10^5-element arrays is needlessly slow). */
function expectSameBits(got: object, expected: object): void {
  const g = got as Record<string, ArrayBufferView>;
  const e = expected as Record<string, ArrayBufferView>;
  expect(Object.keys(g).sort()).toEqual(Object.keys(e).sort());
  for (const key of Object.keys(e)) {
    const a = Buffer.from(g[key]!.buffer, g[key]!.byteOffset, g[key]!.byteLength);
    const b = Buffer.from(e[key]!.buffer, e[key]!.byteOffset, e[key]!.byteLength);
    expect(a.equals(b), `column ${key} differs`).toBe(true);
  }
}

/** A deterministic batch of n options spanning moneyness, expiries and both types (LCG, no Math.random). */
function optionBatch(n: number): OptionBatch {
  let s = 12345;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const strike = new Float64Array(n);
  const expiry = new Float64Array(n);
  const vol = new Float64Array(n);
  const type = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    strike[i] = 50 + 100 * u();
    expiry[i] = 0.02 + 2 * u();
    vol[i] = 0.05 + 0.8 * u();
    type[i] = u() < 0.5 ? 1 : -1;
  }
  return { type, spot: 100, strike, expiry, vol, rate: 0.03, dividend: 0.01 };
}

describe("fleet results are the single-thread pricer's bits", () => {
  it("blackScholes of 200,003 options split into 4 jobs over 3 worker processes equals createPricer() bit for bit", async () => {
    const batch = optionBatch(200_003);
    const expected = pricer.blackScholes(batch);
    const got = await fleet.blackScholes(batch);
    expectSameBits(got, expected);
  });

  it("impliedVol of 150,000 prices (incl. below-intrinsic ones giving NaN + status) equals createPricer() bit for bit", async () => {
    const options = optionBatch(150_000);
    const price = Float64Array.from(pricer.blackScholes(options).price);
    for (let i = 0; i < price.length; i += 97) price[i] = 0; // below intrinsic for ITM options: NaN with status 1
    const batch: ImpliedVolBatch = { ...options, price };
    delete (batch as Partial<OptionBatch>).vol;
    const expected = pricer.impliedVol(batch);
    const got = await fleet.impliedVol(batch);
    expectSameBits(got, expected);
    expect(got.status.some((s) => s === 1)).toBe(true);
  });

  it("monteCarlo (pseudo and sobol, greeks, control variate) over 3 processes equals pricer.monteCarlo exactly", async () => {
    const specs: MonteCarloSpec[] = [
      { payoff: "european", type: "put", spot: 100, strike: 105, expiry: 0.5, vol: 0.25, rate: 0.02, paths: 250_000, seed: 11, greeks: true },
      { payoff: "asian-arithmetic", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.03, steps: 12, paths: 120_000, seed: 3, sampler: "sobol", controlVariate: true },
    ];
    for (const spec of specs) {
      const expected = pricer.monteCarlo(spec);
      const progress: number[] = [];
      const got = await fleet.monteCarlo(spec, { onProgress: (done) => progress.push(done) });
      expect(got).toEqual(expected);
      expect(Object.is(got.price, expected.price)).toBe(true);
      expect(progress.at(-1)).toBe(spec.paths);
    }
  });

  it("in a fault-free run no job was lost or queued twice (every note arrived, no audit resubmission)", () => {
    expect(fleet.stats().jobsQueued).toBeGreaterThan(0);
    expect(fleet.stats().jobsResubmitted).toBe(0);
  });

  it("an empty batch resolves at once with empty columns and queues nothing", async () => {
    const got = await fleet.blackScholes({ type: [], spot: [], strike: 100, expiry: 1, vol: 0.2, rate: 0 });
    expect(got.price.length).toBe(0);
  });
});

describe("fleet errors", () => {
  it("an invalid element validated on the workers rejects with the pricer's PricingInputError (field, index) and is not retried", async () => {
    const workersValidate = await createFleetPricingPool({ redis: redis.url, validate: "workers", attempts: 3 });
    try {
      const batch = optionBatch(140_000);
      (batch.vol as Float64Array)[70_001] = -0.2; // in job 1 (elements 65,536..131,071)
      let expected: unknown;
      try {
        pricer.blackScholes(batch);
      } catch (e) {
        expected = e;
      }
      const error = await workersValidate.blackScholes(batch).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PricingInputError);
      expect(expected).toBeInstanceOf(PricingInputError);
      expect((error as PricingInputError).field).toBe("vol");
      expect((error as PricingInputError).index).toBe(70_001);
      expect((error as PricingInputError).message).toBe((expected as PricingInputError).message);
      // BullMQ recorded one attempt only: UnrecoverableError skipped the 2 retries.
      const queue = new Queue("pool2peer", { connection: { host: "127.0.0.1", port: redis.port } as never });
      const failed = await queue.getJobs(["failed"]);
      await queue.close();
      const job = failed.find((j) => j.data.kind === "blackScholes" && j.data.index === 1);
      expect(job?.attemptsMade).toBe(1);
    } finally {
      await workersValidate.close();
    }
  });

  it("with client validation an invalid type string rejects before any job is queued, like the pricer", async () => {
    const batch = { type: ["call", "straddle"], spot: 100, strike: [90, 110], expiry: 1, vol: 0.2, rate: 0 } as unknown as OptionBatch;
    const error = await fleet.blackScholes(batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PricingInputError);
    expect((error as PricingInputError).field).toBe("type");
    expect((error as PricingInputError).index).toBe(1);
  });

  it("a call on a queue no worker serves rejects with FleetTimeoutError after progressTimeoutMs instead of hanging", async () => {
    const lonely = await createFleetPricingPool({ redis: redis.url, queue: "nobody-serves-this", progressTimeoutMs: 1500 });
    try {
      const started = Date.now();
      const error = await lonely.blackScholes(optionBatch(10)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FleetTimeoutError);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await lonely.close();
    }
  });

  it("maxJobsInFlight bounds the jobs of a call sitting in Redis (2 of 6 queued while nothing runs them)", async () => {
    const queueName = "window-test";
    const client = await createFleetPricingPool({ redis: redis.url, queue: queueName, optionsPerJob: 1000, maxJobsInFlight: 2 });
    const queue = new Queue(queueName, { connection: { host: "127.0.0.1", port: redis.port } as never });
    try {
      const controller = new AbortController();
      const call = client.blackScholes(optionBatch(6000), { signal: controller.signal });
      for (let k = 0; k < 100 && (await queue.getWaitingCount()) < 2; k++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      expect(await queue.getWaitingCount()).toBe(2);
      controller.abort();
      await expect(call).rejects.toThrow();
      expect(await queue.getWaitingCount()).toBe(0);
    } finally {
      await queue.close();
      await client.close();
    }
  });

  it("aborting a call rejects with the signal's reason and removes its remaining jobs from the queue", async () => {
    const queueName = "abort-test";
    const client = await createFleetPricingPool({ redis: redis.url, queue: queueName, blocksPerJob: 1 });
    const queue = new Queue(queueName, { connection: { host: "127.0.0.1", port: redis.port } as never });
    try {
      const controller = new AbortController();
      const spec: MonteCarloSpec = { payoff: "european", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0, paths: 40 * 4096 };
      const call = client.monteCarlo(spec, { signal: controller.signal });
      // No worker serves this queue: wait until the 40 jobs are queued, then abort.
      for (let k = 0; k < 100 && (await queue.getWaitingCount()) < 40; k++) await new Promise((r) => setTimeout(r, 20));
      expect(await queue.getWaitingCount()).toBe(40);
      const reason = new Error("user cancelled");
      controller.abort(reason);
      await expect(call).rejects.toBe(reason);
      expect(await queue.getWaitingCount()).toBe(0);
    } finally {
      await queue.close();
      await client.close();
    }
  });
});

describe("fleet workers", () => {
  it("every worker process publishes a live heartbeat with its engine and concurrency", async () => {
    const infos = await fleet.fleetWorkers();
    expect(infos.length).toBe(3);
    for (const info of infos) {
      expect(info.state).toBe("running");
      expect(info.concurrency).toBe(1);
      expect(Date.now() - info.at).toBeLessThan(10_000);
    }
    expect(infos.reduce((a, w) => a + w.jobsCompleted, 0)).toBeGreaterThan(0);
  });

  it("`pool2peer worker` with a bad flag prints usage and exits 2", async () => {
    await expect(startWorkerProcess(launcher.launcher, redis.url, ["--concurrency", "zero"])).rejects.toThrow(/usage: pool2peer worker/);
  });

  it("`pool2peer worker` pointed at a port where no Redis listens exits 1 saying it cannot connect", async () => {
    const port = await freePort();
    await expect(startWorkerProcess(launcher.launcher, `redis://127.0.0.1:${port}`)).rejects.toThrow(/exited \(1\)[\s\S]*cannot connect to Redis/);
  });

  it("SIGTERM during a call: the worker finishes its running job, removes its heartbeat, exits 0, and the call completes", async () => {
    const extra = await startWorkerProcess(launcher.launcher, redis.url, ["--concurrency", "1"]);
    const spec: MonteCarloSpec = { payoff: "asian-arithmetic", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.03, steps: 32, paths: 400_000, seed: 5 };
    const expected = pricer.monteCarlo(spec);
    const queue = new Queue("pool2peer", { connection: { host: "127.0.0.1", port: redis.port } as never });
    const call = fleet.monteCarlo(spec);
    // SIGTERM while the extra process holds a job (BullMQ records the holder, whose name contains its pid).
    let held = false;
    for (let k = 0; k < 500 && !held; k++) {
      held = (await queue.getActive()).some((job) => job.processedBy?.includes(`-${extra.child.pid}-`));
      if (!held) await new Promise((r) => setTimeout(r, 5));
    }
    await queue.close();
    expect(held).toBe(true);
    extra.child.kill("SIGTERM");
    const got = await call;
    expect(got).toEqual(expected);
    expect(await extra.exited).toBe(0);
    expect(extra.output()).toMatch(/SIGTERM: finishing running jobs/);
    expect(extra.output()).toMatch(/stopped after [1-9]\d* job/); // it finished the job it held
    expect(extra.output()).not.toMatch(/leaving them to other workers/);
    const ids = (await fleet.fleetWorkers()).map((w) => w.pid);
    expect(ids).not.toContain(extra.child.pid);
  });
});
