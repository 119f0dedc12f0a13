// Fleet fault tolerance with real processes: a worker SIGKILLed mid-job (its job is retried elsewhere once
// BullMQ's stall check sees the lock expire) and a Redis restart without persistence (every job and frame is
// lost; the client reconnects and resubmits). In both cases the result must still be the pricer's bits.
// Lock 1 s / stall check 0.5 s keep the recovery short; production defaults are 30 s / 15 s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue, QueueEvents } from "bullmq";
import { createPricer, type Pricer } from "../../bindings/index.js";
import type { MonteCarloSpec } from "../../bindings/montecarlo.js";
import { createFleetPricingPool, FleetConnectionError } from "../../fleet/client.js";
import { buildWorkerLauncher, killWorker, startWorkerProcess, type WorkerProcess } from "../support/fleet.js";
import { startRedis, type TestRedis } from "../support/redis.js";

let redis: TestRedis;
let pricer: Pricer;
let launcher: { launcher: string; remove(): void };
const started: WorkerProcess[] = [];
const FAST_STALLS = ["--concurrency", "1", "--lock-ms", "1000", "--stalled-ms", "500", "--heartbeat-ms", "500"];

async function worker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess(launcher.launcher, redis.url, FAST_STALLS);
  started.push(w);
  return w;
}

beforeAll(async () => {
  [redis, pricer, launcher] = await Promise.all([startRedis(), createPricer(), buildWorkerLauncher()]);
});

afterAll(async () => {
  await Promise.all(started.map(killWorker));
  await redis?.stop();
  launcher?.remove();
});

// ~1.2 s of single-thread work in 30 jobs of 8 blocks: long enough to kill or restart something mid-run.
const spec: MonteCarloSpec = {
  payoff: "asian-arithmetic", type: "call", spot: 100, strike: 95, expiry: 1, vol: 0.3, rate: 0.02, steps: 24, paths: 30 * 8 * 4096, seed: 42,
};

describe("fleet faults", () => {
  it("a worker SIGKILLed mid-job: its job is retried by another process after the stall timeout and the result is bit-identical", async () => {
    const expected = pricer.monteCarlo(spec);
    const [victim] = [await worker(), await worker()];
    const fleet = await createFleetPricingPool({ redis: redis.url, blocksPerJob: 8 });
    const events = new QueueEvents("pool2peer", { connection: { host: "127.0.0.1", port: redis.port } as never });
    const stalled: string[] = [];
    events.on("stalled", ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    const queue = new Queue("pool2peer", { connection: { host: "127.0.0.1", port: redis.port } as never });
    try {
      const call = fleet.monteCarlo(spec);
      // Kill the victim while it holds a job (BullMQ records the holder's name, which contains its pid).
      let victimJob: string | undefined;
      for (let k = 0; k < 500 && !victimJob; k++) {
        const active = await queue.getActive();
        victimJob = active.find((job) => job.processedBy?.includes(`-${victim!.child.pid}-`))?.id;
        if (!victimJob) await new Promise((r) => setTimeout(r, 5));
      }
      expect(victimJob).toBeDefined();
      victim!.child.kill("SIGKILL");
      const got = await call;
      expect(await victim!.exited).toBe("SIGKILL");
      expect(got).toEqual(expected);
      expect(Object.is(got.price, expected.price)).toBe(true);
      // BullMQ's stall check saw the dead worker's lock expire and put its job back for the other process.
      expect(stalled).toContain(victimJob);
    } finally {
      await queue.close();
      await events.close();
      await fleet.close();
    }
  });

  it("Redis restarting (all data lost) during a run: the client reconnects, resubmits lost jobs and the result is bit-identical", async () => {
    const expected = pricer.monteCarlo(spec);
    await worker();
    const fleet = await createFleetPricingPool({ redis: redis.url, blocksPerJob: 8, connectTimeoutMs: 15_000 });
    try {
      let restarted: Promise<void> | undefined;
      const got = await fleet.monteCarlo(spec, {
        onProgress: () => {
          restarted ??= redis.restart(300);
        },
      });
      await restarted;
      expect(got).toEqual(expected);
      expect(fleet.stats().jobsResubmitted).toBeGreaterThan(0);
    } finally {
      await fleet.close();
    }
  });

  it("Redis gone for good during a call: the call rejects with FleetConnectionError within connectTimeoutMs, never hangs", async () => {
    const fleet = await createFleetPricingPool({ redis: redis.url, queue: "nobody-serves-this", connectTimeoutMs: 1500 });
    try {
      const call = fleet.monteCarlo(spec);
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      await redis.stop();
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FleetConnectionError);
      expect((error as Error).message).toMatch(/unreachable/);
      expect(Date.now() - t0).toBeLessThan(8000);
    } finally {
      await fleet.close();
    }
  });
});
