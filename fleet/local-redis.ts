// A throwaway local redis-server for tests, benchmarks and trying a fleet on one machine: Debian's binary
// (installed by scripts/ensure-redis.mjs when missing), bound to 127.0.0.1 on a free port, no RDB/AOF
// persistence, its working directory a fresh temp dir. restart() kills it and starts a new server on the same
// port: like a crash of a server without persistence, every key is gone afterwards.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// From fleet/ (sources) or dist/fleet/ (compiled): the first parent holding scripts/ensure-redis.mjs.
const here = dirname(fileURLToPath(import.meta.url));
const ensureScript = [join(here, "..", "scripts", "ensure-redis.mjs"), join(here, "..", "..", "scripts", "ensure-redis.mjs")].find((p) => existsSync(p));

/** A running test Redis. */
export interface TestRedis {
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  /** Kills the server (SIGKILL: no shutdown save) and starts a fresh one on the same port. */
  restart(downMs?: number): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Installs redis-server through the project script when it is not on the PATH. */
export function ensureRedisServer(): void {
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0) return;
  if (!ensureScript) throw new Error("redis-server is missing and scripts/ensure-redis.mjs was not found");
  const r = spawnSync(process.execPath, [ensureScript], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("redis-server is missing and scripts/ensure-redis.mjs could not install it");
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    [
      "--bind", "127.0.0.1",
      "--port", String(port),
      "--save", "",
      "--appendonly", "no",
      "--dir", dir,
      "--daemonize", "no",
      "--protected-mode", "yes",
      "--loglevel", "notice",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server did not start on 127.0.0.1:${port} within 10 s:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/** Starts a redis-server for a test file. */
export async function startRedis(): Promise<TestRedis> {
  ensureRedisServer();
  const dir = mkdtempSync(join(tmpdir(), "pool2peer-redis-"));
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    child = await launch(port, dir).catch(() => undefined);
  }
  if (!child) throw new Error("could not start redis-server on a free port of 127.0.0.1");
  let current: ChildProcess = child;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs = 0) {
      await stopChild(current, "SIGKILL");
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      current = await launch(port, dir);
    },
    async stop() {
      await stopChild(current, "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
