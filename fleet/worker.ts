// A fleet worker process: a BullMQ Worker on the fleet queue whose jobs are computed by the local pricing pool.
// Per job: read the input frame, validate in the pricer's order (an invalid input fails the job for good with
// UnrecoverableError: no retry), compute, write the output frame and push a note to the client's list in one
// MULTI. A heartbeat key says the process is alive; SIGTERM stops taking jobs and finishes the running ones.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker, UnrecoverableError, type Job } from "bullmq";
import { Redis } from "ioredis";
import { PricingInputError } from "../bindings/errors.js";
import { monteCarloBlockCount, normalizeMonteCarloSpec, type MonteCarloSpec } from "../bindings/montecarlo.js";
import { encodeF64Columns, FrameKind } from "./codec.js";
import { decodeImpliedVolBatch, decodeOptionBatch, problemOf, validateLikePricer } from "./columns.js";
import { GREEK_OUTPUTS } from "../bindings/kernel/columns.js";
import { poolEngine, pricerEngine, type FleetEngine } from "./engine.js";
import { DEFAULT_QUEUE, fleetKeys, type FleetJobData, type FleetJobError, type FleetNote, type FleetWorkerInfo } from "./protocol.js";

/** Options of startFleetWorker(). */
export interface FleetWorkerOptions {
  /** Redis URL, e.g. "redis://127.0.0.1:6379". */
  redis: string;
  /** BullMQ queue name; default "pool2peer". */
  queue?: string;
  /** Jobs run at once = threads of the local pool; default os.availableParallelism(). */
  concurrency?: number;
  /** "pool" (default: worker threads) or "pricer" (this thread only). */
  engine?: "pool" | "pricer";
  /** BullMQ job lock, ms (default 30000): a killed worker's job is retried once its lock expires. */
  lockDurationMs?: number;
  /** How often BullMQ looks for stalled jobs, ms (default 15000). */
  stalledIntervalMs?: number;
  /** Heartbeat period, ms (default 2000); the key expires after 3 periods. */
  heartbeatMs?: number;
  /** Where status lines go (default: stderr). */
  log?: (line: string) => void;
}

/** A running worker process's fleet worker. */
export interface FleetWorker {
  readonly id: string;
  /** Current heartbeat contents. */
  info(): FleetWorkerInfo;
  /**
   * Stops taking jobs and waits for the running ones to finish (at most `graceMs`, default 30000); after that
   * they are abandoned and BullMQ hands them to another worker once their lock expires.
   */
  close(graceMs?: number): Promise<void>;
}

/** A job outcome that is not a result. */
function noteOf(data: FleetJobData, error: FleetJobError): FleetNote {
  return { call: data.call, index: data.index, ok: false, error };
}

/** Computes one job from its input bytes; returns the output frame. PricingInputError indices are job-local. */
async function compute(engine: FleetEngine, data: FleetJobData, input: Buffer): Promise<Uint8Array> {
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  switch (data.kind) {
    case "blackScholes": {
      const batch = decodeOptionBatch(bytes);
      validateLikePricer("blackScholes", batch, data.start);
      const g = await engine.blackScholes(batch);
      return encodeF64Columns(FrameKind.blackScholesOutput, GREEK_OUTPUTS.map((name) => g[name]));
    }
    case "impliedVol": {
      const batch = decodeImpliedVolBatch(bytes);
      validateLikePricer("impliedVol", batch, data.start);
      const r = await engine.impliedVol(batch);
      return encodeF64Columns(FrameKind.impliedVolOutput, [r.vol], [r.status, r.iterations]);
    }
    case "monteCarlo": {
      const spec = normalizeMonteCarloSpec(data.spec as MonteCarloSpec);
      const total = monteCarloBlockCount(spec);
      if (!Number.isInteger(data.start) || !Number.isInteger(data.count) || data.start < 0 || data.count < 1 || data.start + data.count > total) {
        throw new PricingInputError("blocks", undefined, `range [${data.start}, ${data.start + data.count}) outside [0, ${total})`);
      }
      return encodeF64Columns(FrameKind.monteCarloBlocks, [await engine.monteCarloBlocks(spec, data.start, data.count)]);
    }
    default:
      throw new UnrecoverableError(`unknown job kind ${String((data as { kind: unknown }).kind)}`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Jobs done and failed so far, for the heartbeat. */
interface Tally {
  completed: number;
  failed: number;
}

/** The connection for this worker's own commands: small and idempotent (BullMQ's own one must retry forever). */
async function connectCommands(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true });
  redis.on("error", () => {}); // reconnects by itself; errors surface on the commands
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`cannot connect to Redis at ${url}: ${errorMessage(error)}`, { cause: error });
  }
  return redis;
}

/** The BullMQ processor: reads a job's input, computes it, writes the output and the note in one MULTI. */
function jobProcessor(redis: Redis, engine: FleetEngine, tally: Tally) {
  const notify = async (data: FleetJobData, note: FleetNote): Promise<void> => {
    await redis.multi().rpush(data.notify, JSON.stringify(note)).pexpire(data.notify, data.ttlMs).exec();
  };
  return async (job: Job<FleetJobData>): Promise<{ bytes: number } | { skipped: true }> => {
    const data = job.data;
    if (data?.v !== 1) throw new UnrecoverableError(`unsupported fleet job (protocol ${String(data?.v)})`);
    const input = await redis.getBuffer(data.input);
    // The call was aborted, failed or already finished: nothing to compute, and nobody to tell.
    if (input === null) return { skipped: true };
    let output: Uint8Array;
    try {
      output = await compute(engine, data, input);
    } catch (error) {
      const attempts = job.opts.attempts ?? 1;
      if (error instanceof PricingInputError) {
        tally.failed++;
        const reason: FleetJobError = { kind: "input", field: error.field, index: error.index, problem: problemOf(error) };
        await notify(data, noteOf(data, reason));
        // The JSON reason also lets a client that missed the note rebuild the error from job.failedReason.
        throw new UnrecoverableError(JSON.stringify(reason));
      }
      if (error instanceof UnrecoverableError || job.attemptsMade + 1 >= attempts) {
        tally.failed++;
        await notify(data, noteOf(data, { kind: "failed", message: errorMessage(error) }));
      }
      throw error;
    }
    await redis
      .multi()
      .set(data.output, Buffer.from(output.buffer, output.byteOffset, output.byteLength), "PX", data.ttlMs)
      .rpush(data.notify, JSON.stringify({ call: data.call, index: data.index, ok: true } satisfies FleetNote))
      .pexpire(data.notify, data.ttlMs)
      .exec();
    tally.completed++;
    return { bytes: output.byteLength };
  };
}

/** The BullMQ Worker over `queue`, on a connection of its own that retries forever (as BullMQ requires). */
function queueWorker(options: FleetWorkerOptions, queue: string, id: string, concurrency: number, processor: ReturnType<typeof jobProcessor>) {
  const connection = new Redis(options.redis, { maxRetriesPerRequest: null });
  connection.on("error", () => {});
  const worker = new Worker<FleetJobData>(queue, processor, {
    connection,
    // Recorded as job.processedBy: which process holds (or held) a job.
    name: id,
    concurrency,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 15_000,
    // A job whose worker died is put back this many times before it fails (the client then reports it).
    maxStalledCount: 3,
    autorun: false,
  });
  return { worker, connection };
}

/** Stops `worker` taking jobs and waits up to `graceMs` for the running ones; then abandons them to the others. */
async function drain(worker: Worker<FleetJobData>, graceMs: number, log: (line: string) => void, id: string): Promise<void> {
  let graceTimer: NodeJS.Timeout | undefined;
  const graceful = worker.close().then(() => true);
  const expired = new Promise<boolean>((resolve) => {
    graceTimer = setTimeout(() => resolve(false), graceMs);
  });
  if (!(await Promise.race([graceful, expired]))) {
    log(`pool2peer worker ${id}: jobs still running after ${graceMs} ms; leaving them to other workers`);
    await worker.close(true);
  }
  clearTimeout(graceTimer);
}

/**
 * Starts a fleet worker in this process: connects to Redis, loads the WASM core (local pool by default) and
 * serves the queue until close().
 * @example
 * const worker = await startFleetWorker({ redis: "redis://127.0.0.1:6379", concurrency: 2 });
 * process.once("SIGTERM", () => void worker.close());
 */
export async function startFleetWorker(options: FleetWorkerOptions): Promise<FleetWorker> {
  const queue = options.queue ?? DEFAULT_QUEUE;
  const concurrency = options.concurrency ?? availableParallelism();
  const heartbeatMs = options.heartbeatMs ?? 2000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const keys = fleetKeys(queue);
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const redis = await connectCommands(options.redis);
  const engine = options.engine === "pricer" ? await pricerEngine() : await poolEngine(concurrency);

  const started = Date.now();
  const tally: Tally = { completed: 0, failed: 0 };
  let state: FleetWorkerInfo["state"] = "running";
  const info = (): FleetWorkerInfo => ({
    id, host: hostname(), pid: process.pid, concurrency, engine: engine.name, simd: engine.simd,
    startedAt: started, at: Date.now(), jobsCompleted: tally.completed, jobsFailed: tally.failed, state,
  });
  const { worker, connection } = queueWorker(options, queue, id, concurrency, jobProcessor(redis, engine, tally));
  worker.on("error", (error) => log(`pool2peer worker ${id}: ${errorMessage(error)}`));

  const beat = async (): Promise<void> => {
    try {
      await redis.set(keys.worker(id), JSON.stringify(info()), "PX", heartbeatMs * 3);
    } catch {
      // Redis is away; the next beat tries again.
    }
  };
  await beat();
  const timer = setInterval(() => void beat(), heartbeatMs);
  timer.unref();
  const running = worker.run();
  log(`pool2peer worker ${id}: serving queue "${queue}" with ${concurrency} job(s) at once on the ${engine.name} engine (${engine.simd ? "SIMD" : "scalar"})`);

  let closing: Promise<void> | undefined;
  return {
    id,
    info,
    close(graceMs = 30_000) {
      closing ??= (async () => {
        state = "stopping";
        await beat();
        await drain(worker, graceMs, log, id);
        await running.catch(() => {});
        clearInterval(timer);
        await redis.del(keys.worker(id)).catch(() => {});
        await engine.close();
        redis.disconnect();
        connection.disconnect();
        log(`pool2peer worker ${id}: stopped after ${tally.completed} job(s)`);
      })();
      return closing;
    },
  };
}

export const WORKER_USAGE = `usage: pool2peer worker --redis URL [--concurrency N] [--queue NAME] [--engine pool|pricer]
                        [--lock-ms MS] [--stalled-ms MS] [--heartbeat-ms MS] [--grace-ms MS]

Serves pricing jobs of the fleet queue on Redis (see createFleetPricingPool). SIGTERM or SIGINT: stop taking
jobs, finish the running ones (at most --grace-ms, default 30000), exit 0.`;

/** Parsed flags of `pool2peer worker`. */
export interface WorkerCommandFlags extends FleetWorkerOptions {
  graceMs: number;
}

/** Parses `pool2peer worker` flags; throws an Error with the problem for bad flags. */
export function parseWorkerFlags(argv: readonly string[]): WorkerCommandFlags {
  const flags: Partial<WorkerCommandFlags> = { graceMs: 30_000 };
  const integer = (name: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer ≥ ${min}, got ${value ?? "nothing"}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case "--redis": {
        const url = value();
        if (!url || !/^rediss?:\/\//.test(url)) throw new Error(`--redis needs a redis:// or rediss:// URL, got ${url ?? "nothing"}`);
        flags.redis = url;
        break;
      }
      case "--concurrency":
        flags.concurrency = integer(name, value(), 1);
        break;
      case "--queue": {
        const q = value();
        if (!q || q.includes(":")) throw new Error(`--queue needs a name without ':', got ${q ?? "nothing"}`);
        flags.queue = q;
        break;
      }
      case "--engine": {
        const e = value();
        if (e !== "pool" && e !== "pricer") throw new Error(`--engine is pool or pricer, got ${e ?? "nothing"}`);
        flags.engine = e;
        break;
      }
      case "--lock-ms":
        flags.lockDurationMs = integer(name, value(), 100);
        break;
      case "--stalled-ms":
        flags.stalledIntervalMs = integer(name, value(), 100);
        break;
      case "--heartbeat-ms":
        flags.heartbeatMs = integer(name, value(), 100);
        break;
      case "--grace-ms":
        flags.graceMs = integer(name, value(), 0);
        break;
      default:
        throw new Error(`unknown flag ${arg}`);
    }
  }
  if (!flags.redis) throw new Error("--redis URL is required");
  return flags as WorkerCommandFlags;
}

/**
 * `pool2peer worker --redis URL [--concurrency N] ...`: runs a fleet worker until SIGTERM/SIGINT.
 * Returns the exit code: 0 after a clean stop, 2 for bad flags (usage printed), 1 when it cannot start.
 */
export async function runWorkerCommand(argv: string[]): Promise<number> {
  let flags: WorkerCommandFlags;
  try {
    flags = parseWorkerFlags(argv);
  } catch (error) {
    process.stderr.write(`pool2peer worker: ${errorMessage(error)}\n${WORKER_USAGE}\n`);
    return 2;
  }
  let worker: FleetWorker;
  try {
    worker = await startFleetWorker(flags);
  } catch (error) {
    process.stderr.write(`pool2peer worker: cannot start: ${errorMessage(error)}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      process.stderr.write(`pool2peer worker: ${signal}: finishing running jobs\n`);
      void worker.close(flags.graceMs).then(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}
