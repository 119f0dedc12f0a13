// `pool2peer serve` as a child process of the built CLI (dist/cli/pool2peer.js): what the serve suite loads and the
// crash test kills. Resolves once the server answers GET /health, with the time that took from the spawn.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI of this package (from bench/ or dist/bench/). */
export function cliPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  const cli = join(dir, "dist", "cli", "pool2peer.js");
  if (!existsSync(cli)) throw new Error(`${cli} is not built: run node scripts/build.mjs`);
  return cli;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A running child server. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Milliseconds from the spawn to the first 200 from /health (Node start, imports, replay, listen). */
  readyMs: number;
}

/** Spawns `pool2peer serve` on `port` over the given files; rejects if it exits or does not answer within 30 s. */
export async function spawnServe(paths: { configPath: string; dbPath: string }, port: number): Promise<ServeProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [cliPath(), "serve", "--db", paths.dbPath, "--config", paths.configPath, "--port", String(port), "--log-level", "warn"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, url, readyMs: performance.now() - started };
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 30_000) {
      child.kill("SIGKILL");
      throw new Error(`serve did not answer within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** CPU milliseconds (user + system) a process has used so far, from /proc (Linux; NaN elsewhere). */
export function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}
