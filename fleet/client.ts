/**
 * The fleet: the worker pool's API over `pool2peer worker` processes on Redis (Node only). docs/fleet.md.
 * @module pool2peer/fleet
 */
// createFleetPricingPool(): the worker pool's async API over a fleet of `pool2peer worker` processes.
// A call becomes BullMQ jobs on Redis (fixed option ranges or fixed Monte Carlo block ranges, binary frames
// beside the jobs); workers push a note to this client's list as each job ends; results are placed by job
// index, so they are bit-identical to the single-thread pricer whatever the number of machines.
// Robustness: a periodic audit resubmits jobs Redis lost (restart without persistence), picks up results whose
// note was lost and failures BullMQ recorded; every wait is bounded (connectTimeoutMs, progressTimeoutMs).
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
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
import { FleetConnectionError, FleetJobError, FleetTimeoutError } from "./errors.js";
import {
  DEFAULT_QUEUE,
  fleetKeys,
  jobId,
  type FleetJobData,
  type FleetJobError as JobErrorNote,
  type FleetJobKind,
  type FleetNote,
  type FleetWorkerInfo,
} from "./protocol.js";

export { FleetConnectionError, FleetJobError, FleetTimeoutError } from "./errors.js";
export type { FleetWorkerInfo } from "./protocol.js";

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

/** Options of one call (same as the local pool's CallOptions). */
export interface FleetCallOptions {
  /** Aborts the call: it rejects with `signal.reason`, its waiting jobs are removed, running ones skip. */
  signal?: AbortSignal;
  /** Called as jobs finish with the work done and the total (options, or Monte Carlo paths). */
  onProgress?: (done: number, total: number) => void;
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
}

function positiveInteger(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new PricingInputError(field, undefined, `must be a positive integer, got ${value}`);
  return value;
}

/** Rejects with FleetConnectionError when `promise` takes longer than `ms` (Redis commands queue while offline). */
function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FleetConnectionError(`${what} got no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** One planned job of a call. */
interface PlannedJob {
  index: number;
  start: number;
  count: number;
  /** Work units (options or paths) for progress. */
  units: number;
  /** Input frame of a batch job, made when the job is queued and kept until its result arrives (to resubmit). */
  input: Uint8Array | undefined;
  /** Makes the input frame (batch jobs). */
  encode: (() => Uint8Array) | undefined;
}

/** One call in flight. */
class FleetCall {
  /** Queued and not yet placed. */
  readonly outstanding = new Set<number>();
  /** Jobs [0, queued) have been queued. */
  queued = 0;
  readonly inputErrors = new Map<number, PricingInputError>();
  lastNewsAt = Date.now();
  lastProgressAt = Date.now();
  auditing = false;
  settled = false;
  done = 0;
  readonly promise: Promise<void>;
  private resolvePromise!: () => void;
  private rejectPromise!: (error: unknown) => void;

  constructor(
    readonly id: string,
    readonly kind: FleetJobKind,
    readonly jobs: PlannedJob[],
    readonly total: number,
    readonly prefix: string,
    readonly place: (job: PlannedJob, output: Uint8Array) => void,
    readonly options: FleetCallOptions,
    readonly spec?: MonteCarloSpec,
  ) {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    this.promise.catch(() => {}); // observed by the caller; never an unhandled rejection here
  }

  inputKey(index: number): string {
    return this.kind === "monteCarlo" ? `${this.prefix}:live` : `${this.prefix}:in:${index}`;
  }

  outputKey(index: number): string {
    return `${this.prefix}:out:${index}`;
  }

  resolve(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolvePromise();
  }

  reject(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectPromise(error);
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
  const queueName = options.queue ?? DEFAULT_QUEUE;
  if (queueName.includes(":")) throw new PricingInputError("queue", undefined, `must not contain ':', got ${queueName}`);
  const optionsPerJob = positiveInteger("optionsPerJob", options.optionsPerJob, DEFAULT_OPTIONS_PER_JOB);
  const blocksPerJob = positiveInteger("blocksPerJob", options.blocksPerJob, DEFAULT_BLOCKS_PER_JOB);
  const attempts = positiveInteger("attempts", options.attempts, 3);
  const progressTimeoutMs = positiveInteger("progressTimeoutMs", options.progressTimeoutMs, 60_000);
  const connectTimeoutMs = positiveInteger("connectTimeoutMs", options.connectTimeoutMs, 10_000);
  const auditIntervalMs = positiveInteger("auditIntervalMs", options.auditIntervalMs, 1000);
  const ttlMs = positiveInteger("ttlMs", options.ttlMs, 3_600_000);
  const batchInFlight = positiveInteger("maxJobsInFlight", options.maxJobsInFlight, 32);
  const mcInFlight = positiveInteger("maxJobsInFlight", options.maxJobsInFlight, 1024);
  const validateOn = options.validate ?? "client";
  if (validateOn !== "client" && validateOn !== "workers") throw new PricingInputError("validate", undefined, `must be "client" or "workers", got ${String(validateOn)}`);
  const jobOptions = evenSize(optionsPerJob);

  const keys = fleetKeys(queueName);
  const clientId = randomUUID();
  const notifyKey = keys.notify(clientId);
  const commandMs = Math.max(connectTimeoutMs, 1000);

  // Commands fail after a couple of reconnect attempts instead of queueing forever; reconnects are quick.
  const redis = new Redis(options.redis, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    retryStrategy: (times: number) => Math.min(50 * times, 500),
  });
  redis.on("error", () => {}); // surfaced through commands and the connection watchdog
  try {
    await bounded(redis.connect(), connectTimeoutMs, "connecting");
  } catch (error) {
    redis.disconnect();
    throw error instanceof FleetConnectionError ? error : new FleetConnectionError(`cannot connect to ${options.redis}: ${String(error)}`, { cause: error });
  }
  // Connected now (duplicate() keeps lazyConnect), so its status means something to the watchdog.
  const blocking = redis.duplicate({ maxRetriesPerRequest: 1 });
  blocking.on("error", () => {});
  try {
    await bounded(blocking.connect(), connectTimeoutMs, "connecting");
  } catch (error) {
    blocking.disconnect();
    redis.disconnect();
    throw error instanceof FleetConnectionError ? error : new FleetConnectionError(`cannot connect to ${options.redis}: ${String(error)}`, { cause: error });
  }
  const queue = new Queue<FleetJobData>(queueName, { connection: redis });
  queue.on("error", () => {});

  const calls = new Map<string, FleetCall>();
  let closed = false;
  let waiting: Promise<void> | undefined;
  let downSince: number | undefined;
  let jobsQueued = 0;
  let jobsResubmitted = 0;

  const progress = (call: FleetCall, job: PlannedJob): void => {
    call.done += job.units;
    call.lastProgressAt = Date.now();
    try {
      call.options.onProgress?.(call.done, call.total);
    } catch (error) {
      void fail(call, error);
    }
  };

  /** Settles the call once every job is placed, or once the first failing job's predecessors are all done. */
  const check = (call: FleetCall): void => {
    if (call.settled) return;
    if (call.inputErrors.size > 0) {
      const first = Math.min(...call.inputErrors.keys());
      for (const index of call.outstanding) if (index < first) return;
      void fail(call, call.inputErrors.get(first)!);
      return;
    }
    if (call.outstanding.size === 0 && call.queued === call.jobs.length) {
      call.resolve();
      void cleanup(call, false);
    }
  };

  const cleanup = async (call: FleetCall, removeJobs: boolean): Promise<void> => {
    calls.delete(call.id);
    const drop = call.jobs.flatMap((job) => [call.inputKey(job.index), call.outputKey(job.index)]);
    const removals: Promise<unknown>[] = [];
    // Without its input a job that still starts skips itself; waiting jobs are removed outright.
    removals.push(redis.unlink(...new Set(drop)));
    if (removeJobs) for (const index of call.outstanding) removals.push(queue.remove(jobId(call.id, index)));
    await bounded(Promise.allSettled(removals), commandMs, "cleaning up").catch(() => {});
  };

  const fail = async (call: FleetCall, error: unknown): Promise<void> => {
    if (call.settled) return;
    await cleanup(call, true);
    call.reject(error);
  };

  const submit = async (call: FleetCall, indices: number[], again = false): Promise<void> => {
    if (indices.length === 0) return;
    if (again) jobsResubmitted += indices.length;
    else jobsQueued += indices.length;
    const pipeline = redis.pipeline();
    if (call.kind === "monteCarlo") pipeline.set(call.inputKey(0), "1", "PX", ttlMs);
    for (const index of indices) {
      const job = call.jobs[index]!;
      call.outstanding.add(index);
      if (job.encode && !job.input) job.input = job.encode();
      const input = job.input;
      if (input) pipeline.set(call.inputKey(index), Buffer.from(input.buffer, input.byteOffset, input.byteLength), "PX", ttlMs);
    }
    await bounded(pipeline.exec(), commandMs, "uploading job inputs");
    const jobs = indices.map((index) => {
      const job = call.jobs[index]!;
      const data: FleetJobData = {
        v: 1,
        kind: call.kind,
        call: call.id,
        index,
        start: job.start,
        count: job.count,
        input: call.inputKey(index),
        output: call.outputKey(index),
        notify: notifyKey,
        ttlMs,
        ...(call.spec === undefined ? {} : { spec: call.spec }),
      };
      return {
        name: call.kind,
        data,
        opts: { jobId: jobId(call.id, index), attempts, removeOnComplete: true, removeOnFail: { age: ttlMs / 1000 } },
      };
    });
    await bounded(queue.addBulk(jobs), commandMs, "adding jobs");
  };

  /** Queues the call's next jobs while fewer than `maxJobsInFlight` are outstanding. */
  const submitMore = async (call: FleetCall): Promise<void> => {
    const limit = call.kind === "monteCarlo" ? mcInFlight : batchInFlight;
    const next: number[] = [];
    while (call.queued < call.jobs.length && call.outstanding.size + next.length < limit) next.push(call.queued++);
    await submit(call, next);
  };

  /** A job's result is in Redis: place it (or resubmit the job when the frame has vanished). */
  const collect = async (call: FleetCall, index: number): Promise<void> => {
    if (call.settled || !call.outstanding.has(index)) return;
    const bytes = await bounded(redis.getBuffer(call.outputKey(index)), commandMs, "reading a job result");
    if (call.settled || !call.outstanding.has(index)) return;
    if (bytes === null) {
      await submit(call, [index], true);
      return;
    }
    const job = call.jobs[index]!;
    try {
      call.place(job, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      await fail(call, error);
      return;
    }
    call.outstanding.delete(index);
    job.input = undefined;
    job.encode = undefined;
    // Monte Carlo jobs share the call's liveness key as input: it stays until the call ends.
    const done = call.kind === "monteCarlo" ? [call.outputKey(index)] : [call.inputKey(index), call.outputKey(index)];
    void redis.unlink(...done).catch(() => {});
    progress(call, job);
    if (call.queued < call.jobs.length) await submitMore(call).catch((error: unknown) => fail(call, error));
    check(call);
  };

  const jobFailed = (call: FleetCall, index: number, reason: JobErrorNote): void => {
    if (call.settled || !call.outstanding.has(index)) return;
    if (reason.kind === "input") {
      call.outstanding.delete(index);
      call.inputErrors.set(index, new PricingInputError(reason.field, reason.index, reason.problem));
      check(call);
    } else {
      void fail(call, new FleetJobError(index, reason.message));
    }
  };

  const onNote = async (raw: string): Promise<void> => {
    let note: FleetNote;
    try {
      note = JSON.parse(raw) as FleetNote;
    } catch {
      return;
    }
    const call = calls.get(note.call);
    if (!call) {
      // A late job of a call that already ended: drop its output frame now rather than at expiry.
      void redis.unlink(`${keys.call(note.call)}:out:${note.index}`).catch(() => {});
      return;
    }
    call.lastNewsAt = Date.now();
    if (note.ok) await collect(call, note.index);
    else jobFailed(call, note.index, note.error);
  };

  /** One blocking reader per client drains the notes of all its calls. */
  const waitLoop = async (): Promise<void> => {
    while (calls.size > 0 && !closed) {
      try {
        const popped = await bounded(blocking.blpop(notifyKey, 1), 1000 + commandMs, "waiting for job notes");
        if (popped) await onNote(popped[1]).catch(() => {});
      } catch {
        await sleep(100); // Redis away: the watchdog decides when to give up
      }
    }
    waiting = undefined;
  };

  /** Checks outstanding jobs' states: picks up results, failures, and resubmits jobs Redis lost. */
  const audit = async (call: FleetCall): Promise<void> => {
    if (call.auditing || call.settled) return;
    call.auditing = true;
    try {
      const indices = [...call.outstanding];
      const exists = redis.pipeline();
      for (const index of indices) exists.exists(call.outputKey(index));
      const found = (await bounded(exists.exec(), commandMs, "auditing jobs")) ?? [];
      const lost: number[] = [];
      for (let k = 0; k < indices.length && !call.settled; k++) {
        const index = indices[k]!;
        if (found[k]?.[1] === 1) {
          await collect(call, index);
          continue;
        }
        const state = await bounded(queue.getJobState(jobId(call.id, index)), commandMs, "auditing jobs");
        if (state === "unknown") lost.push(index);
        else if (state === "failed") {
          const job = await bounded(queue.getJob(jobId(call.id, index)), commandMs, "auditing jobs");
          jobFailed(call, index, parseFailedReason(job?.failedReason));
        }
      }
      if (call.kind === "monteCarlo" && lost.length === 0 && !call.settled) {
        await bounded(redis.set(call.inputKey(0), "1", "PX", ttlMs), commandMs, "auditing jobs");
      }
      if (!call.settled) await submit(call, lost.filter((index) => call.outstanding.has(index)), true);
      call.lastNewsAt = Date.now();
    } catch {
      // Redis away: try again at the next tick.
    } finally {
      call.auditing = false;
    }
  };

  const watchdog = setInterval(() => {
    const now = Date.now();
    if (redis.status === "ready" && blocking.status === "ready") downSince = undefined;
    else downSince ??= now;
    for (const call of [...calls.values()]) {
      if (downSince !== undefined && now - downSince > connectTimeoutMs) {
        call.reject(new FleetConnectionError(`Redis at ${options.redis} unreachable for ${now - downSince} ms; the call was abandoned`));
        calls.delete(call.id);
      } else if (now - call.lastProgressAt > progressTimeoutMs) {
        void fail(call, new FleetTimeoutError(`no job finished in ${progressTimeoutMs} ms on queue "${queueName}": is a \`pool2peer worker --redis …\` running?`));
      } else if (downSince === undefined && now - call.lastNewsAt >= auditIntervalMs) {
        void audit(call);
      }
    }
  }, Math.min(auditIntervalMs, 250));
  watchdog.unref();

  /** Runs a planned call to completion. */
  const run = async (
    kind: FleetJobKind,
    jobs: PlannedJob[],
    total: number,
    place: (job: PlannedJob, output: Uint8Array) => void,
    callOptions: FleetCallOptions = {},
    spec?: MonteCarloSpec,
  ): Promise<void> => {
    if (closed) throw new Error("pool2peer fleet: the pool is closed");
    const signal = callOptions.signal;
    signal?.throwIfAborted();
    if (jobs.length === 0) return;
    const id = randomUUID().replaceAll("-", "");
    const call = new FleetCall(id, kind, jobs, total, keys.call(id), place, callOptions, spec);
    calls.set(id, call);
    const onAbort = (): void => void fail(call, signal!.reason ?? new Error("pool2peer fleet: the call was aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      waiting ??= waitLoop();
      await submitMore(call);
      await call.promise;
    } catch (error) {
      await fail(call, error);
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  };

  const planBatch = (kind: "blackScholes" | "impliedVol", batch: OptionBatch | ImpliedVolBatch): { n: number; jobs: PlannedJob[] } => {
    let n: number;
    if (validateOn === "client") n = validateLikePricer(kind, batch);
    else n = (kind === "blackScholes" ? normalizeOptionBatch(batch as OptionBatch) : normalizeImpliedVolBatch(batch as ImpliedVolBatch)).length;
    const jobs = ranges(n, jobOptions).map(({ start, count }, index): PlannedJob => ({
      index, start, count, units: count, input: undefined, encode: () => encodeBatchSlice(kind, batch, start, start + count),
    }));
    return { n, jobs };
  };

  return {
    queue: queueName,
    async blackScholes(batch, callOptions) {
      const { n, jobs } = planBatch("blackScholes", batch);
      const result = {} as Greeks;
      for (const name of GREEK_OUTPUTS) result[name] = new Float64Array(n);
      await run("blackScholes", jobs, n, (job, bytes) => {
        const frame = decodeFrame(bytes, FrameKind.blackScholesOutput, GREEK_OUTPUTS.length);
        if (frame.count !== job.count) throw new Error(`pool2peer fleet: job ${job.index} returned ${frame.count} options, expected ${job.count}`);
        GREEK_OUTPUTS.forEach((name, c) => result[name].set(frame.f64[c]!, job.start));
      }, callOptions);
      return result;
    },
    async impliedVol(batch, callOptions) {
      const { n, jobs } = planBatch("impliedVol", batch);
      const result: ImpliedVolResult = { vol: new Float64Array(n), status: new Int32Array(n), iterations: new Int32Array(n) };
      await run("impliedVol", jobs, n, (job, bytes) => {
        const frame = decodeFrame(bytes, FrameKind.impliedVolOutput, 1, 2);
        if (frame.count !== job.count) throw new Error(`pool2peer fleet: job ${job.index} returned ${frame.count} options, expected ${job.count}`);
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
      const jobs = ranges(totalBlocks, blocksPerJob).map(({ start, count }, index): PlannedJob => ({
        index, start, count, units: pathsBeforeBlock(normalized.paths, start + count) - pathsBeforeBlock(normalized.paths, start),
        input: undefined, encode: undefined,
      }));
      // The spec travels as JSON in the job data: only its own plain fields.
      const plainSpec = JSON.parse(JSON.stringify(spec)) as MonteCarloSpec;
      await run("monteCarlo", jobs, normalized.paths, (job, bytes) => {
        const frame = decodeFrame(bytes, FrameKind.monteCarloBlocks, 1);
        if (frame.count !== job.count * MC_BLOCK_ACCUMULATORS) throw new Error(`pool2peer fleet: job ${job.index} returned ${frame.count / MC_BLOCK_ACCUMULATORS} blocks, expected ${job.count}`);
        blocks.set(frame.f64[0]!, job.start * MC_BLOCK_ACCUMULATORS);
      }, callOptions, plainSpec);
      return combineMonteCarloBlocks(normalized, blocks);
    },
    async fleetWorkers() {
      const found: FleetWorkerInfo[] = [];
      let cursor = "0";
      do {
        const [next, batch] = await bounded(redis.scan(cursor, "MATCH", keys.workerPattern, "COUNT", 100), commandMs, "listing workers");
        cursor = next;
        if (batch.length > 0) {
          const values = await bounded(redis.mget(...batch), commandMs, "listing workers");
          for (const v of values) if (v) found.push(JSON.parse(v) as FleetWorkerInfo);
        }
      } while (cursor !== "0");
      return found.sort((a, b) => a.id.localeCompare(b.id));
    },
    stats: () => ({ jobsQueued, jobsResubmitted }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(watchdog);
      const error = new Error("pool2peer fleet: the pool was closed");
      await Promise.allSettled([...calls.values()].map((call) => fail(call, error)));
      await bounded(queue.close(), commandMs, "closing").catch(() => {});
      blocking.disconnect();
      redis.disconnect();
    },
  };
}

/** A failed job's reason as recorded by BullMQ: the worker's JSON for input errors, else plain text. */
function parseFailedReason(reason: string | undefined): JobErrorNote {
  if (reason?.startsWith("{")) {
    try {
      const parsed = JSON.parse(reason) as JobErrorNote;
      if (parsed.kind === "input" || parsed.kind === "failed") return parsed;
    } catch {
      // not ours
    }
  }
  return { kind: "failed", message: reason ?? "unknown reason" };
}
