// Browser host of the worker pool: module Web Workers, spoken to by comlink directly.
import type { WorkerHandle, WorkerPort } from "./protocol.js";

export type { SpawnWorker, WorkerHandle } from "./protocol.js";

/** Worker count when the caller does not choose: the logical processors the browser reports. */
export function defaultWorkerCount(): number {
  return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 2);
}

/** SharedArrayBuffer exists and may be posted only on cross-origin isolated pages (COOP + COEP headers). */
export function sharedMemoryUsable(): boolean {
  return typeof SharedArrayBuffer === "function" && globalThis.crossOriginIsolated === true;
}

/** The worker bundle built beside the library bundle (dist/browser/pool2peer.worker.js). */
export function defaultWorkerUrl(): Promise<URL> {
  return Promise.resolve(new URL("./pool2peer.worker.js", import.meta.url));
}

/**
 * Starts one pricing worker (a module worker) from `url`, by default the worker bundle beside this one. The default
 * is written as `new Worker(new URL("./pool2peer.worker.js", import.meta.url), { type: "module" })` on purpose:
 * bundlers that follow that pattern (Vite, webpack 5, Parcel, Rollup plugins) then emit the worker with the page.
 * esbuild does not: copy the worker beside the page's bundle or pass `workerUrl` (docs/bundlers.md).
 */
export async function spawnWorker(url?: string | URL): Promise<WorkerHandle> {
  const worker =
    url === undefined ? new Worker(new URL("./pool2peer.worker.js", import.meta.url), { type: "module" }) : new Worker(url, { type: "module" });
  let ended = false;
  let crashListener: ((error: Error) => void) | undefined;
  let pendingCrash: Error | undefined;
  const crash = (error: Error): void => {
    if (ended) return;
    ended = true;
    worker.terminate();
    if (crashListener) crashListener(error);
    else pendingCrash = error;
  };
  worker.addEventListener("error", (event: ErrorEvent) => {
    event.preventDefault();
    crash(new Error(`pool2peer: a pricing worker failed: ${event.message || "uncaught error (or the script failed to load)"}`));
  });
  worker.addEventListener("messageerror", () => crash(new Error("pool2peer: a pricing worker sent an unreadable message")));
  return {
    endpoint: worker as unknown as WorkerPort,
    onCrash(listener) {
      crashListener = listener;
      if (pendingCrash) listener(pendingCrash);
    },
    keepAlive() {
      // A page's workers never keep anything alive.
    },
    async terminate() {
      ended = true;
      worker.terminate();
    },
  };
}
