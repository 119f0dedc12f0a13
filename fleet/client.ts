/**
 * The fleet: the worker pool's API over `pool2peer worker` processes on Redis (Node only). docs/fleet.md.
 * @module pool2peer/fleet
 */
// createFleetPricingPool(): the worker pool's async API over a fleet of `pool2peer worker` processes.
// A call becomes BullMQ jobs on Redis (fixed option ranges or fixed Monte Carlo block ranges, binary frames
// beside the jobs); workers push a note to this client's list as each job ends; results are placed by job
// index, so they are bit-identical to the single-thread pricer whatever the number of machines.
// Parts: FleetConnection (Redis and the queue), FleetJobs (queueing, notes, placement), the watchdog (timeouts and
// the audit that resubmits jobs Redis lost), and this file (options, planning, the public methods).
import "../bindings/global-types.js"; // global types the declarations name (WebAssembly, Symbol.asyncDispose) for hosts without them
import { randomUUID } from "node:crypto";
import { asyncDispose } from "../bindings/global-types.js";
import { normalizeImpliedVolBatch, normalizeOptionBatch } from "../bindings/batch.js";
import { PricingInputError } from "../bindings/errors.js";
import {
  combineMonteCarloBlocks,
  MC_BLOCK_ACCUMULATORS,
  monteCarloBlockCount,
  normalizeMonteCarloSpec,
  type MonteCarloResult,
  type MonteCarloSpec,
} from "../bindings/montecarlo.js";
import { CHUNK_OPTIONS, evenSize, pathsBeforeBlock, ranges } from "../bindings/planning.js";
import type { Greeks, ImpliedVolBatch, ImpliedVolResult, OptionBatch } from "../bindings/types.js";
import { decodeFrame, FrameKind } from "./codec.js";
import { encodeBatchSlice, validateLikePricer } from "./columns.js";
import { GREEK_OUTPUTS } from "../bindings/kernel/columns.js";
import { FleetCall, type FleetCallOptions, type PlaceResult, type PlannedJob } from "./call.js";
import { FleetConnection } from "./connection.js";
import { FleetJobs } from "./jobs.js";
import { DEFAULT_QUEUE, fleetKeys, type FleetJobKind, type FleetWorkerInfo } from "./protocol.js";
import { startWatchdog } from "./watchdog.js";

export { FleetConnectionError, FleetJobError, FleetTimeoutError } from "./errors.js";
export { MissingDependencyError } from "../bindings/optional-dependency.js";
export type { FleetWorkerInfo } from "./protocol.js";
export type { FleetCallOptions } from "./call.js";

/** Options per job by default: the pricer's chunk (3.7 MB in, 3.1 MB out for Black-Scholes). */
export const DEFAULT_OPTIONS_PER_JOB = CHUNK_OPTIONS;
/** Monte Carlo blocks per job by default: 32 × 4096 = 131,072 paths, 32 KB of accumulators back. */
export const DEFAULT_BLOCKS_PER_JOB = 32;

/** Options of createFleetPricingPool(). */
export interface FleetPricingPoolOptions {
  /** Redis URL shared with the workers, e.g. "redis://127.0.0.1:6379". */
  redis: string;
  /** BullMQ queue name (default "pool2peer"); workers must serve the same one. */
  queue?: string;
  /**
   * Options per Black-Scholes / implied-vol job (default 65,536). With a multiple of 65,536 an invalid batch
   * validated on the workers reports the same first error as the single-thread pricer.
   */
  optionsPerJob?: number;
  /** Monte Carlo path blocks (4096 paths each) per job (default 32). */
  blocksPerJob?: number;
  /**
   * Jobs of one call queued or running at once; the next is queued as one finishes (default 32 for batches,
   * i.e. ≤ 120 MB of input frames in Redis at 65,536 options per job, and 1024 for Monte Carlo). Inputs are
   * encoded only when their job is queued, so the client's memory is bounded the same way.
   */
  maxJobsInFlight?: number;
  /**
   * Where element values are validated: "client" (default: the whole batch before any job is sent, in the
   * pricer's order) or "workers" (each job on its worker; an invalid job fails without retry and the call
   * rejects with the PricingInputError of the first failing job, field and index in the whole batch).
   */
  validate?: "client" | "workers";
  /** Attempts per job for failures other than invalid input (default 3). */
  attempts?: number;
  /** A call rejects with FleetTimeoutError when none of its jobs finishes for this long, ms (default 60000). */
  progressTimeoutMs?: number;
  /** A call rejects with FleetConnectionError when Redis stays unreachable this long, ms (default 10000). */
  connectTimeoutMs?: number;
  /** How often a call without news checks its jobs' states, ms (default 1000). */
  auditIntervalMs?: number;
  /** Expiry of the frames and notes a call leaves in Redis, ms (default 1 hour). */
  ttlMs?: number;
}

/** The fleet-backed pricer: createPricingPool's async methods, run by `pool2peer worker` processes. */
export interface FleetPricingPool {
  /** The BullMQ queue the calls go to. */
  readonly queue: string;
  /**
   * Black-Scholes-Merton price and greeks, bit-identical to the single-thread pricer. Job inputs are encoded
   * as jobs are queued (see maxJobsInFlight): leave the batch unchanged until the call settles.
   */
  blackScholes(batch: OptionBatch, options?: FleetCallOptions): Promise<Greeks>;
  /** Implied volatility, bit-identical to the single-thread pricer. */
  impliedVol(batch: ImpliedVolBatch, options?: FleetCallOptions): Promise<ImpliedVolResult>;
  /** Monte Carlo, bit-identical to the single-thread pricer for the same spec and seed. */
  monteCarlo(spec: MonteCarloSpec, options?: FleetCallOptions): Promise<MonteCarloResult>;
  /** Worker processes with a live heartbeat on this queue. */
  fleetWorkers(): Promise<FleetWorkerInfo[]>;
  /** Jobs this client queued, and how many of them it had to queue again (Redis lost them, e.g. a restart). */
  stats(): { jobsQueued: number; jobsResubmitted: number };
  /** Rejects pending calls and closes the Redis connections. */
  close(): Promise<void>;
  /** close(), for `await using fleet = await createFleetPricingPool(...)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

function positiveInteger(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new PricingInputError(field, undefined, `must be a positive integer, got ${value}`);
  return value;
}

/** The options with defaults applied, each checked and named on error. */
function resolveOptions(options: FleetPricingPoolOptions) {
  const queueName = options.queue ?? DEFAULT_QUEUE;
  if (queueName.includes(":")) throw new PricingInputError("queue", undefined, `must not contain ':', got ${queueName}`);
  const validateOn = options.validate ?? "client";
  if (validateOn !== "client" && validateOn !== "workers") throw new PricingInputError("validate", undefined, `must be "client" or "workers", got ${String(validateOn)}`);
  return {
    queueName,
    validateOn,
    jobOptions: evenSize(positiveInteger("optionsPerJob", options.optionsPerJob, DEFAULT_OPTIONS_PER_JOB)),
    blocksPerJob: positiveInteger("blocksPerJob", options.blocksPerJob, DEFAULT_BLOCKS_PER_JOB),
    attempts: positiveInteger("attempts", options.attempts, 3),
    progressTimeoutMs: positiveInteger("progressTimeoutMs", options.progressTimeoutMs, 60_000),
    connectTimeoutMs: positiveInteger("connectTimeoutMs", options.connectTimeoutMs, 10_000),
    auditIntervalMs: positiveInteger("auditIntervalMs", options.auditIntervalMs, 1000),
    ttlMs: positiveInteger("ttlMs", options.ttlMs, 3_600_000),
    batchInFlight: positiveInteger("maxJobsInFlight", options.maxJobsInFlight, 32),
    mcInFlight: positiveInteger("maxJobsInFlight", options.maxJobsInFlight, 1024),
  };
}

/** The jobs of a Black-Scholes or implied-vol batch, validated where the options say. */
function planBatch(kind: "blackScholes" | "impliedVol", batch: OptionBatch | ImpliedVolBatch, validateOn: "client" | "workers", jobOptions: number) {
  let n: number;
  if (validateOn === "client") n = validateLikePricer(kind, batch);
  else n = (kind === "blackScholes" ? normalizeOptionBatch(batch as OptionBatch) : normalizeImpliedVolBatch(batch as ImpliedVolBatch)).length;
  const jobs = ranges(n, jobOptions).map(({ start, count }, index): PlannedJob => ({
    index, start, count, units: count, input: undefined, encode: () => encodeBatchSlice(kind, batch, start, start + count),
  }));
  return { n, jobs };
}

/** Checks that a job answered for the options it was given. */
function expectCount(job: PlannedJob, count: number, what = "options"): void {
  if (count !== job.count) throw new Error(`pool2peer fleet: job ${job.index} returned ${count} ${what}, expected ${job.count}`);
}

/** Lists the workers with a live heartbeat on the queue. */
async function listWorkers(conn: FleetConnection, pattern: string): Promise<FleetWorkerInfo[]> {
  const found: FleetWorkerInfo[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await conn.bounded(conn.redis.scan(cursor, "MATCH", pattern, "COUNT", 100), "listing workers");
    cursor = next;
    if (batch.length > 0) {
      const values = await conn.bounded(conn.redis.mget(...batch), "listing workers");
      for (const v of values) if (v) found.push(JSON.parse(v) as FleetWorkerInfo);
    }
  } while (cursor !== "0");
  return found.sort((a, b) => a.id.localeCompare(b.id));
}

/** Runs a planned call to completion on `jobs`; an abort or a failure of any job fails it (its jobs withdrawn). */
async function runCall(
  jobs: FleetJobs,
  keys: ReturnType<typeof fleetKeys>,
  c: { kind: FleetJobKind; planned: PlannedJob[]; total: number; place: PlaceResult; callOptions?: FleetCallOptions; spec?: MonteCarloSpec },
): Promise<void> {
  if (jobs.closed) throw new Error("pool2peer fleet: the pool is closed");
  const callOptions = c.callOptions ?? {};
  const signal = callOptions.signal;
  signal?.throwIfAborted();
  if (c.planned.length === 0) return;
  const id = randomUUID().replaceAll("-", "");
  const call = new FleetCall(id, c.kind, c.planned, c.total, keys.call(id), c.place, callOptions, c.spec);
  const onAbort = (): void => void jobs.fail(call, signal!.reason ?? new Error("pool2peer fleet: the call was aborted"));
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await jobs.start(call);
    await call.promise;
  } catch (error) {
    await jobs.fail(call, error);
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Connects to the fleet's Redis and returns the pool API backed by `pool2peer worker` processes.
 * @throws FleetConnectionError when Redis cannot be reached within `connectTimeoutMs`.
 * @example
 * // on each machine: pool2peer worker --redis redis://10.0.0.5:6379 --concurrency 8
 * const fleet = await createFleetPricingPool({ redis: "redis://10.0.0.5:6379" });
 * const { price, stdError } = await fleet.monteCarlo({ payoff: "asian-arithmetic", type: "call", spot: 100,
 *   strike: 100, expiry: 1, vol: 0.2, rate: 0.03, steps: 252, paths: 10_000_000, seed: 7 });
 * await fleet.close();
 */
export async function createFleetPricingPool(options: FleetPricingPoolOptions): Promise<FleetPricingPool> {
  const settings = resolveOptions(options);
  const keys = fleetKeys(settings.queueName);
  const conn = await FleetConnection.open(options.redis, settings.queueName, settings.connectTimeoutMs);
  const jobs = new FleetJobs(conn, { ...settings, notifyKey: keys.notify(randomUUID()), callKey: keys.call });
  const stopWatchdog = startWatchdog(conn, jobs, settings);

  const run = (kind: FleetJobKind, planned: PlannedJob[], total: number, place: PlaceResult, callOptions?: FleetCallOptions, spec?: MonteCarloSpec) =>
    runCall(jobs, keys, { kind, planned, total, place, callOptions, spec });

  const fleet: FleetPricingPool = {
    queue: settings.queueName,
    async blackScholes(batch, callOptions) {
      const { n, jobs: planned } = planBatch("blackScholes", batch, settings.validateOn, settings.jobOptions);
      const result = {} as Greeks;
      for (const name of GREEK_OUTPUTS) result[name] = new Float64Array(n);
      await run("blackScholes", planned, n, (job, bytes) => {
        const frame = decodeFrame(bytes, FrameKind.blackScholesOutput, GREEK_OUTPUTS.length);
        expectCount(job, frame.count);
        GREEK_OUTPUTS.forEach((name, c) => result[name].set(frame.f64[c]!, job.start));
      }, callOptions);
      return result;
    },
    async impliedVol(batch, callOptions) {
      const { n, jobs: planned } = planBatch("impliedVol", batch, settings.validateOn, settings.jobOptions);
      const result: ImpliedVolResult = { vol: new Float64Array(n), status: new Int32Array(n), iterations: new Int32Array(n) };
      await run("impliedVol", planned, n, (job, bytes) => {
        const frame = decodeFrame(bytes, FrameKind.impliedVolOutput, 1, 2);
        expectCount(job, frame.count);
        result.vol.set(frame.f64[0]!, job.start);
        result.status.set(frame.i32[0]!, job.start);
        result.iterations.set(frame.i32[1]!, job.start);
      }, callOptions);
      return result;
    },
    async monteCarlo(spec, callOptions) {
      const normalized = normalizeMonteCarloSpec(spec);
      const totalBlocks = monteCarloBlockCount(normalized);
      const blocks = new Float64Array(totalBlocks * MC_BLOCK_ACCUMULATORS);
      const planned = ranges(totalBlocks, settings.blocksPerJob).map(({ start, count }, index): PlannedJob => ({
        index, start, count, units: pathsBeforeBlock(normalized.paths, start + count) - pathsBeforeBlock(normalized.paths, start),
        input: undefined, encode: undefined,
      }));
      // The spec travels as JSON in the job data: only its own plain fields.
      const plainSpec = JSON.parse(JSON.stringify(spec)) as MonteCarloSpec;
      await run("monteCarlo", planned, normalized.paths, (job, bytes) => {
        const frame = decodeFrame(bytes, FrameKind.monteCarloBlocks, 1);
        expectCount(job, frame.count / MC_BLOCK_ACCUMULATORS, "blocks");
        blocks.set(frame.f64[0]!, job.start * MC_BLOCK_ACCUMULATORS);
      }, callOptions, plainSpec);
      return combineMonteCarloBlocks(normalized, blocks);
    },
    fleetWorkers: () => listWorkers(conn, keys.workerPattern),
    stats: () => ({ jobsQueued: jobs.jobsQueued, jobsResubmitted: jobs.jobsResubmitted }),
    async close() {
      if (jobs.closed) return;
      stopWatchdog();
      await jobs.close(new Error("pool2peer fleet: the pool was closed"));
      await conn.close();
    },
    [asyncDispose]() {
      return fleet.close();
    },
  };
  return fleet;
}
