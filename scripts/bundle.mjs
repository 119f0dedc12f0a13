#!/usr/bin/env node
// ESM browser bundles with esbuild: the library (dist/browser/pool2peer.js) with both WASM builds inlined, the demo and
// the serve page (dist/page/).
// An explicit target is required: without it esbuild's binary loader emits Uint8Array.fromBase64 (absent in Node 20).
import { build } from "esbuild";
import { copyFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Swaps a Node-only module for its first sibling that exists, by suffix: `foo.ts` → `foo.browser.ts` (and, for the
 * worker bundle, `foo.worker.ts` first: the worker gets its compiled module from the pool, so it leaves out the
 * inlined WASM bytes).
 */
const siblings = (suffixes) => ({
  name: "browser-siblings",
  setup(b) {
    b.onResolve({ filter: /^\.{1,2}\/.*\.js$/ }, (args) => {
      for (const suffix of suffixes) {
        const candidate = join(args.resolveDir, args.path.replace(/\.js$/, suffix));
        if (existsSync(candidate)) return { path: candidate };
      }
      return undefined;
    });
  },
});

const common = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022", "chrome120", "firefox120", "safari16"],
  loader: { ".wasm": "binary" },
  // Maps beside the bundles (sources inlined) for a checkout's debugging, without a sourceMappingURL comment: the
  // package ships no maps (package.json "files"), so nothing points at a file that is not there.
  sourcemap: "external",
  logLevel: "warning",
  absWorkingDir: root,
};

const entries = [
  { in: "index.ts", out: "dist/browser/pool2peer.js", suffixes: [".browser.ts"] },
  { in: "workers/worker.ts", out: "dist/browser/pool2peer.worker.js", suffixes: [".worker.ts", ".browser.ts"] },
  { in: "demo/main.ts", out: "dist/demo/main.js", suffixes: [".browser.ts"] },
  { in: "demo/pool-main.ts", out: "dist/demo/pool.js", suffixes: [".browser.ts"] },
  { in: "server/page/page.ts", out: "dist/page/page.js", suffixes: [".browser.ts"] },
];
for (const e of entries) {
  if (!existsSync(join(root, e.in))) continue;
  await build({ ...common, plugins: [siblings(e.suffixes)], entryPoints: [e.in], outfile: e.out });
}
// The serve page's HTML beside its bundle (served by server/routes/page.ts).
copyFileSync(join(root, "server/page/index.html"), join(root, "dist/page/index.html"));

// `pool2peer serve` as one Node module with its dependencies (dist/server/start.bundle.mjs): loading one file instead
// of some hundreds of modules takes a restart from ~560 to ~170 ms of imports. It sits beside dist/server/start.js so
// that the WASM files resolve the same way (../../build).
await build({
  bundle: true, format: "esm", platform: "node", target: ["node20"], sourcemap: "external", logLevel: "warning", absWorkingDir: root,
  entryPoints: ["server/start.ts"], outfile: "dist/server/start.bundle.mjs",
  // better-sqlite3 finds its native addon from its own files (bindings, __filename): it stays a package import.
  external: ["better-sqlite3"],
  // Some CommonJS dependencies call require(); an ESM bundle gets one from createRequire.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
