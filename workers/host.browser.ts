// Browser host of the worker pool: module Web Workers, spoken to by comlink directly.
import type { Endpoint } from "comlink";
import type { WorkerHandle } from "./host.js";

export type { WorkerHandle };

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

/** Starts one pricing worker (a module worker) from `url` (default: defaultWorkerUrl()). */
export async function spawnWorker(url?: string | URL): Promise<WorkerHandle> {
  const worker = new Worker(url ?? (await defaultWorkerUrl()), { type: "module" });
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
    endpoint: worker as unknown as Endpoint,
    onCrash(listener) {
      crashListener = listener;
      if (pendingCrash) listener(pendingCrash);
    },
    async terminate() {
      ended = true;
      worker.terminate();
    },
    kill() {
      crash(new Error("pool2peer: a pricing worker was terminated"));
    },
  };
}
