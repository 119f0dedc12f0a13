// The package as a user gets it (issue 20): `npm pack`, the tarball installed into a fresh consumer folder under the
// OS temp dir with `--omit=optional` (a browser-only install), and there: the README quick starts (blocks fenced
// ```ts quickstart) run as ESM and compiled by tsc under node16 and bundler resolution (strict,
// noUncheckedIndexedAccess, lib es2022 without DOM, skipLibCheck false); every entry's types under node16, bundler
// and node10, and the root entry's without DOM or @types/node; a page bundled by esbuild and one by Vite, both using
// the worker pool, loaded in Chromium; the installed CLI; the optional dependencies' errors; a forgotten close();
// publint and arethetypeswrong on the tarball. Needs the npm registry (or npm's cache) and /usr/bin/chromium.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, transformSync } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string; devDependencies: Record<string, string> };
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** Per-test limit: tsc over the package's declarations, a bench run or a Vite build take minutes on a busy 2-core box. */
const SLOW = 600_000;
/** Packages a browser-only install must not pull: the Redis clients (and what only they bring) and the native store. */
const FORBIDDEN = ["bullmq", "ioredis", "msgpackr-extract", "luxon", "better-sqlite3"];

/** The environment for child npm and node: without the npm_* variables of the `npm test` running this file. */
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_")));

function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
}

/** Runs a command that must succeed; its output is in the failure message. */
function ok(cmd: string, args: string[], cwd: string, timeoutMs?: number): string {
  const r = run(cmd, args, cwd, timeoutMs);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function dirBytes(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + dirBytes(join(path, name)), 0);
}

/** The README blocks fenced ```ts quickstart. */
function quickStarts(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  return [...readme.matchAll(/^```ts quickstart\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

let work: string;
let consumer: string;
let tarball: string;
let packLog: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "pool2peer-package-"));
  // prepare runs the build with --if-stale: `npm test` has built already, so this packs without building.
  const pack = run("npm", ["pack", "--pack-destination", work], root, 600_000);
  packLog = `${pack.stdout}\n${pack.stderr}`;
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${packLog}`);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
  consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const typesNode = pkg.devDependencies["@types/node"]!;
  ok("npm", ["install", "--omit=optional", "--no-audit", "--no-fund", "--prefer-offline", tarball, `@types/node@${typesNode}`], consumer, 600_000);
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed tarball", { timeout: SLOW }, () => {
  it("packs without rebuilding, and ships a LICENSE, no source maps and no TypeScript sources", () => {
    expect(packLog).toContain("nothing to build");
    const files = ok("tar", ["-tzf", tarball], work).split("\n").filter(Boolean);
    expect(files).toContain("package/LICENSE");
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(files).toContain("package/dist/browser/pool2peer.worker.js");
    // No shipped file names a map that is not there.
    const installed = join(consumer, "node_modules", "pool2peer");
    const dangling = files
      .filter((f) => f.endsWith(".js") || f.endsWith(".mjs"))
      .filter((f) => /\/\/# sourceMappingURL=(?!data:)/.test(readFileSync(join(installed, f.slice("package/".length)), "utf8")));
    expect(dangling).toEqual([]);
  });

  it("passes publint and arethetypeswrong (ESM-only profile: require() of the package is Node's require(esm))", () => {
    ok(join(root, "node_modules", ".bin", "publint"), ["--strict"], root, 600_000);
    const attw = run(join(root, "node_modules", ".bin", "attw"), [tarball, "--profile", "esm-only", "--format", "table-flipped"], work);
    expect(attw.status, `${attw.stdout}\n${attw.stderr}`).toBe(0);
  });
});

describe("a browser-only install (--omit=optional)", { timeout: SLOW }, () => {
  it("pulls no Redis client and no native module", () => {
    const modules = join(consumer, "node_modules");
    expect(FORBIDDEN.filter((name) => existsSync(join(modules, name)))).toEqual([]);
    const tree = run("npm", ["ls", "--all", "--omit=optional", "--parseable"], consumer).stdout;
    expect(FORBIDDEN.filter((name) => tree.includes(`/node_modules/${name}\n`))).toEqual([]);
    const mb = (dirBytes(modules) - dirBytes(join(modules, "@types"))) / 1e6;
    console.info(`package.test: browser-only install, node_modules without @types: ${mb.toFixed(1)} MB; tarball ${(lstatSync(tarball).size / 1e6).toFixed(2)} MB`);
  });

  it("loads pool2peer/fleet and pool2peer/store without their optional packages and names what to install", () => {
    const script = `
      const fleet = await import("pool2peer/fleet");
      const store = await import("pool2peer/store");
      const out = {};
      try { await fleet.createFleetPricingPool({ redis: "redis://127.0.0.1:9" }); } catch (e) { out.fleet = e instanceof fleet.MissingDependencyError && e.message; }
      try { new store.SqliteEventStore("x.db", store.POOL_LOG); } catch (e) { out.store = e instanceof store.MissingDependencyError && e.message; }
      console.log(JSON.stringify(out));`;
    const out = JSON.parse(ok("node", ["--input-type=module", "-e", script], consumer)) as { fleet: string; store: string };
    expect(out.fleet).toContain("npm install bullmq ioredis");
    expect(out.store).toContain("npm install better-sqlite3");
    expect(existsSync(join(consumer, "x.db"))).toBe(false);
  });
});

describe("README quick starts in the consumer", { timeout: SLOW }, () => {
  const blocks = quickStarts();

  it("exist", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it("run as ESM (types stripped, nothing else changed)", () => {
    blocks.forEach((code, i) => {
      const file = join(consumer, `quickstart-${i}.mjs`);
      writeFileSync(file, transformSync(code, { loader: "ts", format: "esm", target: "node20" }).code);
      const r = run("node", [file], consumer, 180_000);
      expect(r.status, `quick start ${i}:\n${code}\n${r.stdout}\n${r.stderr}`).toBe(0);
    });
  });

  for (const resolution of ["node16", "bundler"] as const) {
    it(`compile with tsc (${resolution} resolution, strict, noUncheckedIndexedAccess, lib es2022, skipLibCheck false) and run`, () => {
      const dir = join(consumer, `ts-${resolution}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
      blocks.forEach((code, i) => writeFileSync(join(dir, `quickstart-${i}.ts`), code));
      writeFileSync(join(dir, "entries.ts"), ENTRIES);
      writeTsconfig(dir, resolution, ["node"]);
      ok("node", [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir], consumer);
      blocks.forEach((_, i) => ok("node", [join(dir, "out", `quickstart-${i}.js`)], consumer, 180_000));
      // A pricing pool nobody closes: the process still exits (idle workers are unref'd).
      const forgotten = run("node", [join(dir, "out", "entries.js")], consumer, 60_000);
      expect(forgotten.error, "a forgotten close() kept the process alive").toBeUndefined();
      expect(forgotten.status, forgotten.stderr).toBe(0);
      expect(forgotten.stdout).toContain("priced by 2 workers, left open");
    });
  }

  it("type-check the root entry with neither DOM nor @types/node, and every entry under node10 resolution", () => {
    const bare = join(consumer, "ts-bare");
    mkdirSync(bare, { recursive: true });
    writeFileSync(join(bare, "browser.ts"), BROWSER_TYPES);
    writeTsconfig(bare, "bundler", []);
    ok("node", [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", bare, "--noEmit"], consumer);
    const node10 = join(consumer, "ts-node10");
    mkdirSync(node10, { recursive: true });
    writeFileSync(join(node10, "types.ts"), NODE10_TYPES);
    writeTsconfig(node10, "node10", ["node"]);
    ok("node", [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", node10, "--noEmit"], consumer);
  });
});

describe("the installed CLI", { timeout: SLOW }, () => {
  it("prints its version", () => {
    expect(ok("npx", ["--no-install", "pool2peer", "--version"], consumer).trim()).toBe(pkg.version);
  });

  it("runs bench --quick on the shipped dependencies", () => {
    const out = ok("npx", ["--no-install", "pool2peer", "bench", "--quick"], consumer, 600_000);
    expect(out).toContain("pool2peer bench --quick");
    expect(out).toContain("blackscholes");
  });

  it("is loadable with require() (require(esm), which engines promises)", () => {
    const out = ok("node", ["-e", `const p = require("pool2peer"); console.log(typeof p.createPricingPool, typeof p.OptionPool)`], consumer);
    expect(out.trim()).toBe("function function");
  });
});

describe("pages bundled by esbuild and by Vite, in Chromium", { timeout: SLOW }, () => {
  let browser: Browser;
  const servers: Server[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) s.close();
  });

  async function serve(dir: string, isolated: boolean): Promise<string> {
    const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
    const server = createServer((req, res) => {
      const path = join(dir, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
      const file = path.endsWith("/") ? join(path, "index.html") : path;
      if (!file.startsWith(dir) || !existsSync(file) || lstatSync(file).isDirectory()) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = { "content-type": types[extname(file)] ?? "application/octet-stream" };
      if (isolated) Object.assign(headers, { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" });
      res.writeHead(200, headers).end(readFileSync(file));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  /** Loads the page, waits for its result; the page, its workers' requests and the console must report no problem. */
  async function load(url: string): Promise<PageResult & { workerScripts: string[]; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    const workerScripts: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
    page.on("response", (r) => void (r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`)));
    page.on("worker", (w) => workerScripts.push(w.url()));
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { __result?: PageResult }).__result?.done === true, undefined, { timeout: 90_000 });
      const result = await page.evaluate(() => (window as unknown as { __result: PageResult }).__result);
      return { ...result, workerScripts, problems };
    } finally {
      await page.close();
    }
  }

  function expectPriced(result: Awaited<ReturnType<typeof load>>, sharedMemory: boolean): void {
    expect(result.error).toBeUndefined();
    expect(result.problems).toEqual([]);
    expect(result.workers).toBe(2);
    expect(result.sharedMemory).toBe(sharedMemory);
    expect(result.workerScripts).toHaveLength(2);
    expect(result.tasksPerWorker).toBeGreaterThan(1); // more chunks than workers: both workers took some
    expect(result.identical).toBe(true);
    expect(result.price).toBeGreaterThan(0);
  }

  it("esbuild: the page bundle plus the worker as a second entry point beside it (docs/bundlers.md)", async () => {
    const site = join(consumer, "site-esbuild");
    mkdirSync(site, { recursive: true });
    writeFileSync(join(consumer, "page.js"), PAGE);
    await build({
      absWorkingDir: consumer,
      entryPoints: { page: "page.js", "pool2peer.worker": "node_modules/pool2peer/dist/browser/pool2peer.worker.js" },
      bundle: true, format: "esm", platform: "browser", target: "es2022", outdir: site, logLevel: "warning",
    });
    writeFileSync(join(site, "index.html"), `<!doctype html><link rel="icon" href="data:,"><script type="module" src="./page.js"></script>`);
    expectPriced(await load(await serve(site, false)), false);
  });

  it("Vite: a plain `vite build`, no configuration (the worker is found by its new URL(..., import.meta.url))", async () => {
    const app = join(consumer, "vite-app");
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, "page.js"), PAGE);
    writeFileSync(join(app, "index.html"), `<!doctype html><link rel="icon" href="data:,"><script type="module" src="./page.js"></script>`);
    ok("node", [join(root, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"], app, 300_000);
    expectPriced(await load(await serve(join(app, "dist"), true)), true);
  });
});

/** What PAGE leaves in window.__result. */
interface PageResult {
  done: boolean;
  error?: string;
  workers: number;
  sharedMemory: boolean;
  tasksPerWorker: number;
  identical: boolean;
  price: number;
}

// 64k options in chunks of 8192: eight chunks for two workers; the results must equal the page's own pricer's.
const PAGE = `import { createPricer, createPricingPool } from "pool2peer";
const out = { done: false };
window.__result = out;
try {
  const n = 65536, chunkSize = 8192, workers = 2;
  const strike = Float64Array.from({ length: n }, (_, i) => 50 + (100 * i) / n);
  const batch = { type: "call", spot: 100, strike, expiry: 0.5, vol: 0.2, rate: 0.03 };
  const pool = await createPricingPool({ workers, chunkSize, microBatch: false });
  const g = await pool.blackScholes(batch);
  const one = (await createPricer()).blackScholes(batch);
  Object.assign(out, {
    workers: pool.workers, sharedMemory: pool.sharedMemory, tasksPerWorker: n / chunkSize / workers,
    identical: g.price.every((p, i) => Object.is(p, one.price[i])) && g.delta.every((d, i) => Object.is(d, one.delta[i])),
    price: g.price[n / 2],
  });
  await pool.close();
} catch (e) {
  out.error = String(e && e.stack || e);
}
out.done = true;
`;

// Every entry's types, under the resolution being tested, and a pool left open on purpose (the process must exit).
const ENTRIES = `import { createPricingPool, OptionPool, type PricingPool } from "pool2peer";
import { createFleetPricingPool, type FleetPricingPool } from "pool2peer/fleet";
import { FileJournal } from "pool2peer/journal";
import { MemoryEventStore, POOL_LOG, SqliteEventStore } from "pool2peer/store";
import { startServer } from "pool2peer/serve";

export type Used = [typeof OptionPool, typeof createFleetPricingPool, FleetPricingPool, typeof FileJournal, typeof SqliteEventStore, typeof startServer];
{
  await using scoped: PricingPool = await createPricingPool({ workers: 1 });
  await using store = new MemoryEventStore({ codec: POOL_LOG });
  console.log((await scoped.blackScholes({ type: "put", spot: 100, strike: 90, expiry: 1, vol: 0.3, rate: 0 })).price[0], store.head().seq);
}
const open = await createPricingPool({ workers: 2, chunkSize: 2, microBatch: false });
const g = await open.blackScholes({ type: "call", spot: 100, strike: [90, 95, 100, 105], expiry: 1, vol: 0.2, rate: 0.01 });
console.log(g.price.length === 4 ? "priced by 2 workers, left open" : "wrong length");
`;

// The root entry in a program with neither the DOM library nor @types/node (a browser library's own tsconfig).
const BROWSER_TYPES = `import { createPricer, createPricingPool, OptionPool, type Greeks, type PricingPool } from "pool2peer";

export async function price(): Promise<number> {
  const pool: PricingPool = await createPricingPool({ workers: 2 });
  try {
    const g: Greeks = await pool.blackScholes({ type: "call", spot: 100, strike: [95, 105], expiry: 0.5, vol: 0.2, rate: 0.03 });
    const one = (await createPricer()).blackScholes({ type: "call", spot: 100, strike: 95, expiry: 0.5, vol: 0.2, rate: 0.03 });
    return (g.price[0] ?? Number.NaN) - (one.price[0] ?? Number.NaN);
  } finally {
    await pool.close();
  }
}
export type Pool = OptionPool;
`;

// node10 resolution (TypeScript's "node"): main/types for the root, typesVersions for the subpaths.
const NODE10_TYPES = `import type { PricingPool, OptionPool } from "pool2peer";
import type { FleetPricingPool } from "pool2peer/fleet";
import type { FileJournal } from "pool2peer/journal";
import type { SqliteEventStore } from "pool2peer/store";
import type { ServeClient } from "pool2peer/serve";
export type Used = [PricingPool, OptionPool, FleetPricingPool, FileJournal, SqliteEventStore, ServeClient];
`;

function writeTsconfig(dir: string, resolution: "node16" | "bundler" | "node10", types: string[]): void {
  const module = resolution === "node16" ? "node16" : resolution === "bundler" ? "es2022" : "commonjs";
  const compilerOptions = {
    target: "es2022", module, moduleResolution: resolution, lib: ["es2022"], types,
    strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false, outDir: "out", rootDir: ".",
    // A CommonJS project (node10) has esModuleInterop as `tsc --init` writes it: pino's declarations (under
    // fastify, for pool2peer/serve) default-import a CommonJS module and fail without it.
    ...(resolution === "node10" ? { esModuleInterop: true } : {}),
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["*.ts"] }, null, 2));
}

