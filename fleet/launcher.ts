// Starting fleet worker processes on this machine (the fleet benchmark, trying a fleet locally, the tests): the
// compiled launch.js beside this file, run as `node launch.js --redis URL ...`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The compiled launcher script (dist/fleet/launch.js) for `node <path> --redis URL ...`. From the TypeScript sources
 * there is none: the tests make their own (test/support/fleet.ts).
 */
export function workerLauncherPath(): string {
  const compiled = join(here, "launch.js");
  if (import.meta.url.endsWith(".ts") || !existsSync(compiled)) throw new Error(`pool2peer: no compiled fleet launcher at ${compiled} (run \`npm run build\`)`);
  return compiled;
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
