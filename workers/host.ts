// Node host of the worker pool: worker_threads Workers behind comlink's Node adapter.
// The browser bundle swaps this file for host.browser.ts (module Web Workers).
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { WorkerHandle, WorkerPort } from "./protocol.js";

export type { SpawnWorker, WorkerHandle } from "./protocol.js";

/** Worker count when the caller does not choose: the CPUs this process may use. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

/** SharedArrayBuffer can always be posted between worker_threads. */
export function sharedMemoryUsable(): boolean {
  return typeof SharedArrayBuffer === "function";
}

/**
 * The worker script: the compiled worker.js beside this file (dist/workers/). Run from the TypeScript sources (the
 * tests), it is the build's dist/workers/worker.js: Node 20 cannot run TypeScript in a worker, and the test setup
 * (test/support/global-setup.ts) builds dist/ when it is stale.
 */
export function defaultWorkerUrl(): Promise<URL> {
  const sibling = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return Promise.resolve(sibling);
  const compiled = new URL("../dist/workers/worker.js", import.meta.url);
  if (import.meta.url.endsWith(".ts") && existsSync(fileURLToPath(compiled))) return Promise.resolve(compiled);
  return Promise.reject(new Error(`pool2peer: worker script not found at ${sibling.href} (run \`npm run build\`)`));
}

/** Starts one pricing worker from `url` (default: defaultWorkerUrl()). */
export async function spawnWorker(url?: string | URL): Promise<WorkerHandle> {
  return wrapWorker(new Worker(await workerScript(url)));
}

/** The script a Worker is started from: `url` (Node wants a URL object, or a path, for file: URLs) or the default. */
async function workerScript(url?: string | URL): Promise<string | URL> {
  return typeof url === "string" && /^(file|data):/.test(url) ? new URL(url) : url ?? (await defaultWorkerUrl());
}

/** The pool's view of a started worker_threads Worker: its endpoint, and a crash report when it dies unasked. */
export function wrapWorker(worker: Worker): WorkerHandle {
  let ended = false;
  let crashListener: ((error: Error) => void) | undefined;
  let pendingCrash: Error | undefined;
  const crash = (error: Error): void => {
    if (ended) return;
    ended = true;
    if (crashListener) crashListener(error);
    else pendingCrash = error;
  };
  worker.on("error", (error: unknown) => {
    crash(new Error(`pool2peer: a pricing worker failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    void worker.terminate();
  });
  worker.on("messageerror", (error: unknown) => crash(new Error(`pool2peer: a pricing worker sent an unreadable message: ${String(error)}`)));
  worker.on("exit", (code: number) => crash(new Error(`pool2peer: a pricing worker exited unexpectedly (code ${code})`)));
  return {
    endpoint: nodeEndpoint(worker) as WorkerPort,
    onCrash(listener) {
      crashListener = listener;
      if (pendingCrash) listener(pendingCrash);
    },
    keepAlive(alive) {
      if (alive) worker.ref();
      else worker.unref();
    },
    async terminate() {
      ended = true;
      await worker.terminate();
    },
  };
}
