// Starting fleet worker processes on this machine (tests, the fleet benchmark, trying a fleet locally).
// From dist/ the compiled launch.js beside this file is run as is. From the TypeScript sources (vitest) Node 20
// cannot run .ts, so bindings/, workers/ and fleet/ (with their subfolders) are transpiled file by file with esbuild (a dev dependency)
// into a mirror under node_modules/.cache, where bare imports (bullmq, ioredis) resolve from the project, with
// build/ linked beside it for the WASM.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** A launcher script for `node <path> --redis URL ...`; remove() deletes a transpiled mirror (no-op from dist). */
export interface WorkerLauncher {
  readonly path: string;
  remove(): void;
}

/** The compiled launch.js when running from dist/, else a fresh esbuild mirror of the sources. */
export async function workerLauncher(): Promise<WorkerLauncher> {
  const compiled = join(here, "launch.js");
  if (!import.meta.url.endsWith(".ts") && existsSync(compiled)) return { path: compiled, remove: () => {} };
  const root = join(here, "..");
  const { build } = await import("esbuild");
  const sources = (folder: string): string[] =>
    readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".browser.ts"))
      .map((f) => join(root, folder, f));
  const out = join(root, "node_modules", ".cache", `pool2peer-fleet-${process.pid}-${Date.now()}`);
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: ["bindings", "workers", "fleet"].flatMap(sources),
    outbase: root,
    outdir: out,
    bundle: false,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "silent",
  });
  symlinkSync(join(root, "build"), join(out, "build"), "dir");
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  return { path: join(out, "fleet", "launch.js"), remove: () => rmSync(out, { recursive: true, force: true }) };
}

/** A worker process started on this machine. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Its stderr so far (status lines). */
  output(): string;
  /** Resolves with the exit code, or the signal name, when the process ends. */
  readonly exited: Promise<number | string>;
}

/** Starts `node launcher --redis URL ...args` and resolves once it serves the queue (rejects if it exits first). */
export async function startWorkerProcess(launcher: string, redisUrl: string, args: string[] = [], startTimeoutMs = 20_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [launcher, "--redis", redisUrl, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within ${startTimeoutMs} ms:\n${stderr}`)), startTimeoutMs);
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("serving queue")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before serving:\n${stderr}`));
    });
  }).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });
  return { child, output: () => stderr, exited };
}

/** SIGKILLs a worker process if it is still running and waits for it to end. */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
  await worker.exited;
}
