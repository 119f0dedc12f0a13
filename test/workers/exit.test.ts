// close() must let the process exit: a child process creates a pool, prices, closes it and simply returns from
// its module. If any worker, port or timer were left alive the child would hang and the test would time out.
// A forgotten close() must not hang it either (idle workers are unref'd), while a call still running must keep it
// alive until it answers (workers are ref'd while they hold a task): the child then leaves a call un-awaited.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultWorkerUrl } from "../../workers/host.js";

const here = dirname(fileURLToPath(import.meta.url));
const wasmPath = join(here, "..", "..", "build", "pool2peer.scalar.wasm");
let dir: string;
let childScript: string;
let workerUrl: string;

const childSource = (close: boolean): string => `
import { readFileSync } from "node:fs";
import { compileWasmCore } from "../../bindings/wasm.ts";
import { createPricingPool } from "../../workers/pool.ts";
const [workerUrl, wasmPath] = process.argv.slice(2);
// The bundled child cannot find build/ on its own: it compiles the shared-memory twin the pool needs itself.
const module = await compileWasmCore({ bytes: readFileSync(wasmPath), sharedMemory: true });
const pool = await createPricingPool({ workers: 2, module, workerUrl, chunkSize: 2 });
const greeks = await pool.blackScholes({ type: "call", spot: 100, strike: [90, 100, 110], expiry: 1, vol: 0.2, rate: 0.01 });
const mc = await pool.monteCarlo({ payoff: "european", type: "put", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.01, paths: 20000 });
console.log(JSON.stringify({ price: Array.from(greeks.price), mc: mc.price }));
${close ? "await pool.close();" : `// No close(), and a call nobody awaits: its result must still arrive before the process ends.
const strike = Float64Array.from({ length: 2000 }, (_, i) => 50 + i / 20);
void pool.blackScholes({ type: "call", spot: 100, strike, expiry: 1, vol: 0.2, rate: 0.01 }).then((g) => console.log("late " + g.price.length));`}
`;

async function bundleChild(close: boolean): Promise<string> {
  const file = join(dir, `child-${close ? "close" : "open"}.mjs`);
  const result = await build({
    stdin: { contents: childSource(close), resolveDir: here, sourcefile: "child.ts", loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  writeFileSync(file, result.outputFiles[0]!.contents);
  return file;
}

/** Runs the child; resolves with its exit code, or "timeout" (after killing it) if it is still alive after `ms`. */
function runChild(script: string, ms: number): Promise<{ code: number | "timeout"; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, workerUrl, wasmPath], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: "timeout", stdout, stderr });
    }, ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-exit-"));
  workerUrl = (await defaultWorkerUrl()).href;
  childScript = await bundleChild(true);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("process exit", () => {
  it("a process that prices through a pool and calls close() exits by itself with code 0", async () => {
    const { code, stdout, stderr } = await runChild(childScript, 30_000);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout) as { price: number[]; mc: number };
    // Black-Scholes call prices decrease with strike; the MC put is near its closed form (≈ 7.46).
    expect(out.price[0]).toBeGreaterThan(out.price[1]!);
    expect(out.price[1]).toBeGreaterThan(out.price[2]!);
    expect(Math.abs(out.mc - 7.46)).toBeLessThan(0.5);
  });

  it("without close() the process exits by itself too, after the call it left running has answered", async () => {
    const open = await bundleChild(false);
    const { code, stdout, stderr } = await runChild(open, 30_000);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("price");
    expect(stdout).toContain("late 2000"); // fails if busy workers were unref'd: the process would end first
  });
});
