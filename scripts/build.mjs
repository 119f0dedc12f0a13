#!/usr/bin/env node
// Builds everything a checkout needs, in order:
//   1. build/pool2peer.{simd,scalar}.wasm   two AssemblyScript builds from one source (asconfig.json targets), and
//      build/pool2peer.test.{simd,scalar}.wasm, the same with the exports of assembly/test-exports.ts for the tests
//   2. dist/**                              TypeScript output with .d.ts (tsconfig.build.json)
//   3. dist/browser/*.js                    ESM browser bundles (wasm inlined) for the library and its worker
// `node scripts/build.mjs wasm` builds step 1 only; `--if-stale` skips the work when outputs are newer than sources.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const bin = (name) => join(root, "node_modules", ".bin", name);
const run = (cmd, cmdArgs) => execFileSync(cmd, cmdArgs, { cwd: root, stdio: "inherit" });
const started = Date.now();
/** Progress on stderr (the build is quiet for 20-35 s otherwise): one line per step with the time since start. */
const step = (text) => process.stderr.write(`build: ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);

function newestMtime(paths) {
  let newest = 0;
  for (const p of paths) {
    const full = join(root, p);
    if (!existsSync(full)) continue;
    const st = statSync(full);
    if (st.isDirectory()) {
      newest = Math.max(newest, newestMtime(readdirSync(full).filter((f) => f !== "node_modules").map((f) => join(p, f))));
    } else newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

function oldestMtime(paths) {
  let oldest = Infinity;
  for (const p of paths) {
    const full = join(root, p);
    if (!existsSync(full)) return 0;
    oldest = Math.min(oldest, statSync(full).mtimeMs);
  }
  return oldest;
}

const wasmOutputs = ["build/pool2peer.simd.wasm", "build/pool2peer.scalar.wasm", "build/pool2peer.test.simd.wasm", "build/pool2peer.test.scalar.wasm"];
const wasmInputs = ["assembly", "asconfig.json"];
const tsOutputs = ["dist/index.js", "dist/browser/pool2peer.js"];
const tsInputs = ["index.ts", "bindings", "workers", "pool", "fleet", "cli", "server", "bench", "demo", "tsconfig.json", "tsconfig.build.json", "scripts/build.mjs", "scripts/bundle.mjs"];

function buildWasm() {
  const asc = (entry, target) => run(process.execPath, [join(root, "node_modules/assemblyscript/bin/asc.js"), entry, "--config", "asconfig.json", "--target", target]);
  for (const target of ["simd", "scalar"]) {
    step(`WebAssembly ${target} build (AssemblyScript)`);
    asc("assembly/index.ts", target);
  }
  // The test builds export the building blocks only tests call (assembly/test-exports.ts); they are not shipped.
  for (const target of ["test-simd", "test-scalar"]) {
    step(`WebAssembly ${target} build (tests only)`);
    asc("assembly/test-exports.ts", target);
  }
}

function buildTypeScript() {
  step("TypeScript → dist/ (tsc -p tsconfig.build.json)");
  run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"]);
  step("browser and server bundles (esbuild)");
  run(process.execPath, [join(root, "scripts/bundle.mjs")]);
}

const ifStale = args.has("--if-stale");
const wasmStale = !ifStale || newestMtime(wasmInputs) > oldestMtime(wasmOutputs);
if (wasmStale) buildWasm();
let tsStale = false;
if (!args.has("wasm")) {
  tsStale = !ifStale || wasmStale || newestMtime(tsInputs) > oldestMtime(tsOutputs);
  if (tsStale) buildTypeScript();
}
step(wasmStale || tsStale ? "done" : "up to date, nothing to build");
