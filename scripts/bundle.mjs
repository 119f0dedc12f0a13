#!/usr/bin/env node
// ESM browser bundles with esbuild: the library (dist/browser/pool2peer.js) with both WASM builds inlined.
// An explicit target is required: without it esbuild's binary loader emits Uint8Array.fromBase64 (absent in Node 20).
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Swaps a Node-only module for its browser sibling (`foo.ts` → `foo.browser.ts`) when one exists. */
const browserSiblings = {
  name: "browser-siblings",
  setup(b) {
    b.onResolve({ filter: /^\.{1,2}\/.*\.js$/ }, (args) => {
      const candidate = join(args.resolveDir, args.path.replace(/\.js$/, ".browser.ts"));
      return existsSync(candidate) ? { path: candidate } : undefined;
    });
  },
};

const common = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022", "chrome120", "firefox120", "safari16"],
  loader: { ".wasm": "binary" },
  plugins: [browserSiblings],
  sourcemap: true,
  logLevel: "warning",
  absWorkingDir: root,
};

const entries = [
  { in: "index.ts", out: "dist/browser/pool2peer.js" },
  { in: "workers/worker.ts", out: "dist/browser/pool2peer.worker.js" },
  { in: "demo/main.ts", out: "dist/demo/main.js" },
];
for (const e of entries) {
  if (!existsSync(join(root, e.in))) continue;
  await build({ ...common, entryPoints: [e.in], outfile: e.out });
}
