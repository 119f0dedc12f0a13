// Node host of the worker pool: worker_threads Workers behind comlink's Node adapter.
// The browser bundle swaps this file for host.browser.ts (module Web Workers).
import type { Endpoint } from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/** A started worker as the pool sees it. */
export interface WorkerHandle {
  /** The comlink endpoint of the worker. */
  readonly endpoint: Endpoint;
  /** Registers the listener called once if the worker dies without terminate() (exit, uncaught error). */
  onCrash(listener: (error: Error) => void): void;
  /**
   * Whether the worker keeps the process alive (Node: ref/unref; browsers: no-op). The scheduler holds it only
   * while the worker starts or has tasks, so a pool someone forgot to close does not keep Node running.
   */
  keepAlive(alive: boolean): void;
  /** Ends the worker; no crash is reported afterwards. */
  terminate(): Promise<void>;
  /** Fault injection: terminates the worker from outside as if it were killed; reported as a crash. */
  kill(): void;
}

/** Worker count when the caller does not choose: the CPUs this process may use. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

/** SharedArrayBuffer can always be posted between worker_threads. */
export function sharedMemoryUsable(): boolean {
  return typeof SharedArrayBuffer === "function";
}

let bundledWorker: Promise<URL> | undefined;

/**
 * Running from the TypeScript sources (vitest, tsx) there is no compiled worker next to this file and Node 20
 * cannot run TypeScript in a worker: bundle workers/worker.ts with esbuild (a dev dependency) into a file named
 * by its content hash in the temp directory, so the worker always matches the sources the caller runs.
 */
async function bundleWorkerFromSources(): Promise<URL> {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./worker.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const file = join(tmpdir(), `pool2peer-worker-${hash}.mjs`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(partial, code);
    await rename(partial, file); // atomic: concurrent test processes never see half a file
  }
  return pathToFileURL(file);
}

/** The worker script: compiled dist/workers/worker.js next to this file, or a bundle of the TS sources. */
export function defaultWorkerUrl(): Promise<URL> {
  const sibling = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return Promise.resolve(sibling);
  if (import.meta.url.endsWith(".ts")) {
    bundledWorker ??= bundleWorkerFromSources().catch((error: unknown) => {
      bundledWorker = undefined;
      const compiled = new URL("../dist/workers/worker.js", import.meta.url);
      if (existsSync(fileURLToPath(compiled))) return compiled;
      throw new Error(`pool2peer: cannot bundle workers/worker.ts and no dist/workers/worker.js: ${String(error)}`);
    });
    return bundledWorker;
  }
  return Promise.reject(new Error(`pool2peer: worker script not found at ${sibling.href} (run \`npm run build\`)`));
}

/** Starts one pricing worker from `url` (default: defaultWorkerUrl()). */
export async function spawnWorker(url?: string | URL): Promise<WorkerHandle> {
  // Node wants a URL object (or a path) for file: URLs; accept their string form too.
  const script = typeof url === "string" && /^(file|data):/.test(url) ? new URL(url) : url;
  const worker = new Worker(script ?? (await defaultWorkerUrl()));
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
    endpoint: nodeEndpoint(worker),
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
    kill() {
      void worker.terminate(); // the 'exit' listener reports it
    },
  };
}
