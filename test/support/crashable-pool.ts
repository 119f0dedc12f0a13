// Pricing pools whose workers a test can crash, to test the pool's recovery: the pool is the product's
// (startPricingPool), only the workers are started through test/support/crash-worker.mjs.
import { Worker } from "node:worker_threads";
import { defaultWorkerUrl, wrapWorker } from "../../workers/host.js";
import { startPricingPool, type PricingPool, type PricingPoolOptions } from "../../workers/pool.js";

/** "exit": process.exit inside the worker; "throw": an uncaught exception inside it; "kill": terminated from outside. */
export type CrashMode = "exit" | "throw" | "kill";

const CRASH_WORKER = new URL("./crash-worker.mjs", import.meta.url);

/** Pools made here, with the workers each has started, oldest first (replacements are appended). */
const started = new WeakMap<PricingPool, Worker[]>();

/** createPricingPool(options), with workers that crashWorker() can crash. */
export async function createCrashablePool(options: PricingPoolOptions = {}): Promise<PricingPool> {
  const workers: Worker[] = [];
  const script = (await defaultWorkerUrl()).href;
  const pool = await startPricingPool(options, async () => {
    const worker = new Worker(CRASH_WORKER, { workerData: { script } });
    workers.push(worker);
    return wrapWorker(worker);
  });
  started.set(pool, workers);
  return pool;
}

/**
 * Crashes the `index`-th worker the pool started that is still running (0: the first; the pool hands its first
 * calls to its workers in that order).
 */
export function crashWorker(pool: PricingPool, index: number, mode: CrashMode): void {
  const workers = started.get(pool);
  if (!workers) throw new TypeError("crashWorker: not a pool made by createCrashablePool");
  const live = workers.filter((w) => w.threadId !== -1);
  const worker = live[index];
  if (!worker) throw new RangeError(`crashWorker: no running worker ${index} (${live.length} running)`);
  if (mode === "kill") void worker.terminate();
  else worker.postMessage({ testCrash: mode });
}
