// Suite "fleet": the BullMQ/Redis backend against the local worker pool on the same machine, with a throwaway
// redis-server on 127.0.0.1 and two `pool2peer worker` processes (one job at a time each, so two cores are
// busy as with a 2-worker local pool). Rows: a 1M-path Monte Carlo (local pool = baseline), 1M Black-Scholes
// options (data-heavy: the case where a fleet does not pay on one machine), the latency of a
// one-job call, and the overhead per job when many small jobs are pipelined (wall time per job minus the
// block's own compute time, scaled by the two processes working in parallel).
import { createPricer } from "../bindings/pricer.js";
import { monteCarlo, type MonteCarloSpec } from "../bindings/montecarlo.js";
import { createFleetPricingPool, DEFAULT_BLOCKS_PER_JOB } from "../fleet/client.js";
import { killWorker, startWorkerProcess, workerLauncherPath, type WorkerProcess } from "../fleet/launcher.js";
import { startRedis } from "../fleet/local-redis.js";
import { createPricingPool } from "../workers/pool.js";
import { randomOptions } from "./inputs.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "fleet";

/** Median wall time in ms of `samples` awaited runs after `warmup` unmeasured ones. */
async function medianMs(run: () => Promise<unknown> | unknown, samples: number, warmup = 1): Promise<number> {
  for (let k = 0; k < warmup; k++) await run();
  const times: number[] = [];
  for (let k = 0; k < samples; k++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function row(name: string, units: number, ms: number, unit: string, baseline: string, note: string): BenchRow {
  const nsPerOp = (ms * 1e6) / units;
  return { suite: SUITE, name, opsPerSecond: 1e9 / nsPerOp, nsPerOp, unit, baseline, note };
}

let sink = 0;

/** Runs the suite. Full: 1M paths, 7 samples, 256 one-block jobs; quick: 100k paths, 3 samples, 64 jobs. */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const quick = options.quick;
  const samples = quick ? 3 : 7;
  const rows: BenchRow[] = [];
  const redis = await startRedis();
  const launcher = workerLauncherPath();
  const processes: WorkerProcess[] = [];
  const pricer = await createPricer();
  const pool = await createPricingPool({ workers: 2, module: pricer.core.module });
  let fleet: Awaited<ReturnType<typeof createFleetPricingPool>> | undefined;
  try {
    log(`  ${SUITE}: redis-server on ${redis.url}, starting 2 worker processes`);
    for (let k = 0; k < 2; k++) processes.push(await startWorkerProcess(launcher, redis.url, ["--concurrency", "1"]));
    fleet = await createFleetPricingPool({ redis: redis.url });
    const f = fleet;

    // The same spec as the workers suite: arithmetic Asian call, 16 dates.
    const paths = quick ? 100_000 : 1_000_000;
    const spec: MonteCarloSpec = { payoff: "asian-arithmetic", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.03, steps: 16, paths, seed: 5 };
    const base = "mc local pool 2w";
    log(`  ${SUITE}: ${base} (${paths} paths)`);
    rows.push(row(base, paths, await medianMs(async () => (sink += (await pool.monteCarlo(spec)).price), samples), "path", base, `createPricingPool({ workers: 2 }).monteCarlo, Asian call, 16 dates, ${paths} paths`));
    log(`  ${SUITE}: mc 1 thread`);
    rows.push(row("mc 1 thread", paths, await medianMs(() => (sink += monteCarlo(pricer.core, spec).price), samples), "path", base, "single-thread pricer, same spec"));
    const jobs = Math.ceil(paths / 4096 / DEFAULT_BLOCKS_PER_JOB);
    log(`  ${SUITE}: mc fleet 2 processes (${jobs} jobs of ${DEFAULT_BLOCKS_PER_JOB} blocks)`);
    rows.push(row("mc fleet 2 processes", paths, await medianMs(async () => (sink += (await f.monteCarlo(spec)).price), samples), "path", base, `createFleetPricingPool, 2 \`pool2peer worker --concurrency 1\`, ${jobs} jobs of ${DEFAULT_BLOCKS_PER_JOB * 4096} paths, Redis on loopback`));

    // Black-Scholes: 1M options, 16 jobs of 65,536 (3.7 MB of inputs and 3.1 MB of outputs each through Redis).
    const n = quick ? 131_072 : 1_048_576;
    const { batch } = randomOptions(n);
    const bsBase = "bs local pool 2w";
    log(`  ${SUITE}: ${bsBase} (${n} options)`);
    rows.push(row(bsBase, n, await medianMs(async () => (sink += (await pool.blackScholes(batch)).price[0]!), samples), "option", bsBase, `createPricingPool({ workers: 2 }).blackScholes, ${n} options`));
    log(`  ${SUITE}: bs fleet 2 processes`);
    rows.push(row("bs fleet 2 processes", n, await medianMs(async () => (sink += (await f.blackScholes(batch)).price[0]!), samples), "option", bsBase, `${n / 65_536} jobs of 65,536 options: 7 MB of frames per job through Redis`));

    // Job overhead: one-block European jobs (4096 paths, ~1 ms of compute each).
    const block: MonteCarloSpec = { payoff: "european", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.03, paths: 4096, seed: 9 };
    const blockMs = await medianMs(() => (sink += monteCarlo(pricer.core, block).price), quick ? 21 : 101, 5);
    const oneJob = await createFleetPricingPool({ redis: redis.url, blocksPerJob: 1 });
    try {
      log(`  ${SUITE}: one-job call latency`);
      const latencyMs = await medianMs(async () => (sink += (await oneJob.monteCarlo(block)).price), quick ? 21 : 101, 5);
      rows.push(row("1-job call latency", 1, latencyMs, "job", "1-job call latency", `one 4096-path job: queue, run (${blockMs.toFixed(2)} ms of compute), note, result; end to end`));
      const many = quick ? 64 : 256;
      const manySpec: MonteCarloSpec = { ...block, paths: many * 4096 };
      log(`  ${SUITE}: ${many} pipelined one-block jobs`);
      const manyMs = await medianMs(async () => (sink += (await oneJob.monteCarlo(manySpec)).price), samples);
      // Two processes work in parallel: each job holds a process for 2·wall/jobs; minus the compute itself.
      const overheadMs = Math.max((2 * manyMs) / many - blockMs, 0);
      rows.push(row("job overhead pipelined", 1, overheadMs, "job", "1-job call latency", `${many} one-block jobs on 2 processes in ${manyMs.toFixed(1)} ms: 2·wall/jobs − ${blockMs.toFixed(2)} ms compute`));
    } finally {
      await oneJob.close();
    }
  } finally {
    await fleet?.close();
    await pool.close();
    await Promise.all(processes.map(killWorker));
    await redis.stop();
  }
  if (sink === 0.123456789) log("");
  return rows;
}
