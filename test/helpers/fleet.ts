// Fleet worker processes for tests. Node 20 cannot run the TypeScript sources, so the sources a worker needs
// (bindings/, workers/, fleet/) are transpiled file by file with esbuild into a mirror under
// node_modules/.cache (so bare imports such as bullmq resolve from the project), with build/ linked beside
// them for the WASM. A worker is `node <mirror>/launch.mjs --redis URL ...`, i.e. runWorkerCommand.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function sources(folder: string): string[] {
  return readdirSync(join(root, folder))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".browser.ts"))
    .map((f) => join(root, folder, f));
}

/** Transpiles the worker's sources into a fresh mirror; returns the launcher path and a remover. */
export async function buildWorkerLauncher(): Promise<{ launcher: string; remove(): void }> {
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
  if (!existsSync(join(out, "build"))) symlinkSync(join(root, "build"), join(out, "build"), "dir");
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  const launcher = join(out, "launch.mjs");
  writeFileSync(
    launcher,
    'import { runWorkerCommand } from "./fleet/worker.js";\nprocess.exit(await runWorkerCommand(process.argv.slice(2)));\n',
  );
  return { launcher, remove: () => rmSync(out, { recursive: true, force: true }) };
}

/** A worker process started by a test. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/** Starts `node launcher --redis URL ...args` and waits until it serves the queue. */
export async function startWorkerProcess(launcher: string, redisUrl: string, args: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [launcher, "--redis", redisUrl, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 20 s:\n${stderr}`)), 20_000);
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

/** SIGKILLs a worker process if it is still running and waits for it. */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
  await worker.exited;
}
