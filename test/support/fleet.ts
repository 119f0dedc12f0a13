// Fleet worker processes for tests: a launcher script run from the TypeScript sources, and the process helpers of
// fleet/launcher.ts. Node 20 cannot run .ts, so bindings/, workers/ and fleet/ (with their subfolders) are
// transpiled file by file with esbuild into a mirror under node_modules/.cache, where bare imports (bullmq,
// ioredis) resolve from the project, with build/ linked beside it for the WASM.
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export { killWorker, startWorkerProcess, type WorkerProcess } from "../../fleet/launcher.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A fresh mirror of the sources with its launcher script, and its remover. */
export async function buildWorkerLauncher(): Promise<{ launcher: string; remove(): void }> {
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
  return { launcher: join(out, "fleet", "launch.js"), remove: () => rmSync(out, { recursive: true, force: true }) };
}
