// End-to-end browser test: the demo page (demo/) prices an option chain through the worker pool in
// headless Chromium, served with COOP/COEP headers; its numbers must equal the Node pricer's.
// Chromium is Debian's /usr/bin/chromium (scripts/ensure-chromium.mjs installs it; CI runs that first).
// A missing Chromium fails this file with that instruction: it is never skipped.
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Greeks, type ImpliedVolResult, type Pricer } from "../bindings/index.js";
import { buildChain, chainIndex, EXPIRY_DAYS, STRIKES } from "../demo/chain.js";
import { formatNumber, formatVol, GREEK_COLUMNS } from "../demo/format.js";
import { startDemoServer, type DemoServer } from "../scripts/serve-demo.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];
const BUNDLES = ["dist/browser/pool2peer.js", "dist/browser/pool2peer.worker.js", "dist/demo/main.js"];
const SCREENSHOT = join(root, "test-results", "browser-demo.png");

/** The page's `window.__pool2peerDemo` as it arrives in Node (see demo/main.ts DemoState). */
interface PageState {
  ready: boolean;
  error?: string;
  engine: { kind: string; simd: boolean; workers: number; crossOriginIsolated: boolean; sharedArrayBuffer: boolean; sharedMemory: boolean };
  inputs: { type: number[]; strike: number[]; expiry: number[]; vol: number[]; spot: number; rate: number; dividend: number };
  results: Record<(typeof GREEK_COLUMNS)[number]["field"], number[]>;
  impliedVol: { vol: number[]; status: number[] };
  throughput: { what: string; engine: string; options: number; bestMs: number; optionsPerSecond: number }[];
  ladder: { options: number; scenarios: number; bitIdenticalToPricer: boolean; mismatches: number; zeroCopyMismatches?: number };
}

/** Indices where two columns differ bit for bit (Object.is: NaN equals NaN, 0 differs from −0). */
function bitMismatches(actual: ArrayLike<number>, expected: ArrayLike<number>): number[] {
  const bad: number[] = [];
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) bad.push(i);
  return bad;
}

let server: DemoServer | undefined;
let browser: Browser | undefined;
let page: Page;
let state: PageState;
let pricer: Pricer;
let nodeGreeks: Greeks;
let nodeIv: ImpliedVolResult;
const pageProblems: string[] = [];
let loadSeconds = 0;

beforeAll(async () => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the browser test needs Debian's chromium. ` +
        "Run `node scripts/ensure-chromium.mjs` (as root; it runs apt-get install -y chromium).",
    );
  }
  // Rebuilds only what is older than its sources (a no-op after `npm test`'s own build step).
  execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "--if-stale"], { cwd: root, stdio: "inherit" });
  for (const bundle of BUNDLES) {
    if (!existsSync(join(root, bundle))) throw new Error(`${bundle} is missing after the build: see scripts/bundle.mjs`);
  }

  server = await startDemoServer({ root });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") pageProblems.push(`console.error: ${message.text()}`);
  });
  const t0 = performance.now();
  await page.goto(`${server.url}demo/index.html`);
  await page.waitForFunction(() => window.__pool2peerDemo?.ready === true || window.__pool2peerDemo?.error !== undefined, undefined, {
    timeout: 90_000,
  });
  loadSeconds = (performance.now() - t0) / 1000;
  state = (await page.evaluate(() => window.__pool2peerDemo)) as unknown as PageState;
  if (state.error !== undefined) throw new Error(`the demo page failed: ${state.error}\n${pageProblems.join("\n")}`);

  // The Node reference prices the page's own inputs (see the inputs test for why they may differ by an ulp).
  pricer = await createPricer({ simd: state.engine.simd });
  const inputs = state.inputs;
  const batch = { type: Int8Array.from(inputs.type), spot: inputs.spot, strike: inputs.strike, expiry: inputs.expiry, rate: inputs.rate, dividend: inputs.dividend };
  nodeGreeks = pricer.blackScholes({ ...batch, vol: inputs.vol });
  nodeIv = pricer.impliedVol({ ...batch, price: nodeGreeks.price });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("demo page in headless Chromium", () => {
  it("is cross-origin isolated (COOP/COEP served) and prices through the worker pool with the SIMD build", () => {
    console.log(
      `browser demo: ready in ${loadSeconds.toFixed(2)} s; engine ${JSON.stringify(state.engine)}\n` +
        state.throughput.map((r) => `  ${r.what} (${r.engine}): ${r.options} options, ${r.bestMs.toFixed(1)} ms, ${(r.optionsPerSecond / 1e6).toFixed(2)} M options/s`).join("\n"),
    );
    expect(state.engine.crossOriginIsolated).toBe(true);
    expect(state.engine.sharedArrayBuffer).toBe(true);
    expect(state.engine.kind).toBe("pool");
    // The workers run the shared-memory build: this page writes chunks straight into their WASM memories.
    expect(state.engine.sharedMemory).toBe(true);
    expect(state.engine.workers).toBeGreaterThanOrEqual(1);
    // Chromium 156 validates WASM SIMD, so the pool must have picked the f64x2 build.
    expect(state.engine.simd).toBe(true);
    expect(pageProblems).toEqual([]);
  });

  it("serves COOP/COEP headers and nothing outside demo/, dist/ and build/ (no path traversal)", async () => {
    const page = await fetch(`${server!.url}demo/index.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(page.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
    expect((await fetch(`${server!.url}dist/browser/pool2peer.worker.js`)).headers.get("content-type")).toMatch(/^text\/javascript/);
    for (const path of ["package.json", "dist/%2e%2e/package.json", "demo/..%2fpackage.json", "test/browser.test.ts"]) {
      const res = await fetch(`${server!.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("cross-origin-embedder-policy"), path).toBe("require-corp");
    }
  });

  it("inlines the WASM builds into the library bundle only: the worker bundle runs the module the pool sends", async () => {
    // "AGFzbQ" is base64 for "\0asm", the start of every inlined build.
    const library = await (await fetch(`${server!.url}dist/browser/pool2peer.js`)).text();
    const worker = await (await fetch(`${server!.url}dist/browser/pool2peer.worker.js`)).text();
    expect(library.split("AGFzbQ").length - 1).toBe(2);
    expect(worker).not.toContain("AGFzbQ");
    expect(worker.length).toBeLessThan(100_000);
  });

  it("prices the 41 × 8 chain of calls and puts built by demo/chain.ts (grid exact, smile vols within 2 ulps)", () => {
    const chain = buildChain();
    expect(chain.length).toBe(STRIKES.length * EXPIRY_DAYS.length * 2);
    expect(state.inputs.type).toEqual(Array.from(chain.type));
    expect(bitMismatches(state.inputs.strike, chain.strike)).toEqual([]);
    expect(bitMismatches(state.inputs.expiry, chain.expiry)).toEqual([]);
    // The smile uses Math.exp and Math.log, which ECMAScript leaves implementation-approximated: Chromium's V8
    // and Node 20's V8 differ in the last bit for some arguments (seen here), so the vols agree to 2 ulps
    // (relative 4.5e-16), not bit for bit. Everything downstream is then compared on the page's own inputs.
    const far = state.inputs.vol.filter((v, i) => Math.abs(v - chain.vol[i]!) > 4.5e-16 * chain.vol[i]!);
    expect(far).toEqual([]);
    console.log(`browser demo: ${bitMismatches(state.inputs.vol, chain.vol).length} of ${chain.length} smile vols differ from Node's in the last bits`);
    expect([state.inputs.spot, state.inputs.rate, state.inputs.dividend]).toEqual([chain.spot, chain.rate, chain.dividend]);
  });

  // Bit for bit, not 1e-14: the page runs the same .wasm binary as Node, WebAssembly float arithmetic is
  // exactly IEEE-754 (no fused multiply-add, no fast-math, no relaxed SIMD), and the core's exp/log/CDF are
  // compiled into the module rather than taken from the host's Math; the pool splits batches but each option
  // is computed by the same instructions. Only NaN payloads may differ, and Object.is treats all NaNs alike.
  it("shows price, delta, gamma, vega, theta and rho equal to the Node pricer bit for bit", () => {
    for (const { field } of GREEK_COLUMNS) {
      expect(state.results[field].length, field).toBe(nodeGreeks[field].length);
      expect(bitMismatches(state.results[field], nodeGreeks[field]), field).toEqual([]);
    }
  });

  it("shows implied vols and status codes equal to the Node pricer bit for bit", () => {
    expect(bitMismatches(state.impliedVol.vol, nodeIv.vol)).toEqual([]);
    expect(state.impliedVol.status).toEqual(Array.from(nodeIv.status));
  });

  it("recovers the smile's model vols from the chain prices: BS(IV) reprices to 1e-13, IV matches σ where vega > 1e-6", () => {
    const chain = { ...buildChain(), vol: Float64Array.from(state.inputs.vol) };
    const ok = state.impliedVol.status.map((st) => st === 0);
    // Reprice every option at its page IV with the Node pricer (NaN/0 vols replaced so the batch is valid).
    const repriced = pricer.blackScholes({
      type: chain.type,
      spot: chain.spot,
      strike: chain.strike,
      expiry: chain.expiry,
      rate: chain.rate,
      dividend: chain.dividend,
      vol: state.impliedVol.vol.map((v, i) => (ok[i] ? v : chain.vol[i]!)),
    });
    let pinned = 0;
    for (let i = 0; i < chain.length; i++) {
      const price = nodeGreeks.price[i]!;
      const vega = nodeGreeks.vega[i]!;
      const status = state.impliedVol.status[i]!;
      const where = `option ${i} (type ${chain.type[i]}, K ${chain.strike[i]}, T ${chain.expiry[i]}): price ${price}, vega ${vega}`;
      if (status === 0) {
        // Prices here are ≤ 41, whose ulp is ≤ 7.1e-15: the price and the solver each carry a few ulps,
        // so 1e-13 (14 ulps of 41) bounds the round trip; the observed worst is 4.3e-14.
        expect(Math.abs(repriced.price[i]! - price), where).toBeLessThanOrEqual(1e-13);
      } else {
        // Only "exactly at intrinsic" is acceptable, and only where the time value is below rounding:
        // moving the vol by all of σ changes the price by about vega·σ, under 1e-12 of the price.
        expect(status, where).toBe(3);
        expect(vega * chain.vol[i]!, where).toBeLessThan(1e-12 * price);
      }
      if (vega > 1e-6) {
        // A price error δP ≤ 1e-13 moves the vol by δP / vega; 1e-12 absorbs the vol's own rounding.
        // Below vega 1e-6 (deep in or out of the money, 7-30 days) the price no longer pins the vol down.
        expect(status, where).toBe(0);
        expect(Math.abs(state.impliedVol.vol[i]! - chain.vol[i]!), where).toBeLessThanOrEqual(1e-12 + 1e-13 / vega);
        pinned++;
      }
    }
    // Most of the chain must be in the pinned region, or the test would prove little.
    expect(pinned).toBeGreaterThan(0.8 * chain.length);
  });

  it("writes those same numbers into the chain table (full precision in data-value, the text formatted)", async () => {
    const cells = await page.$$eval("table.chain td[data-field]", (tds) =>
      tds.map((td) => ({
        field: td.getAttribute("data-field")!,
        index: Number(td.getAttribute("data-index")),
        value: td.getAttribute("data-value")!,
        text: td.textContent ?? "",
      })),
    );
    expect(cells.length).toBe(buildChain().length * (GREEK_COLUMNS.length + 1));
    const digits = new Map<string, number>(GREEK_COLUMNS.map((g) => [g.field, g.digits]));
    const wrong: string[] = [];
    for (const c of cells) {
      const expected = c.field === "iv" ? nodeIv.vol[c.index]! : nodeGreeks[c.field as keyof Greeks][c.index]!;
      const text = c.field === "iv" ? formatVol(expected, nodeIv.status[c.index]) : formatNumber(expected, digits.get(c.field)!);
      if (!Object.is(Number(c.value), expected) || c.text !== text) wrong.push(`${c.field}[${c.index}]: ${c.value} "${c.text}" vs ${expected}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it("reprices a 1M-option spot ladder through the pool bit-identically to the main-thread pricer and reports throughput", () => {
    expect(state.ladder.options).toBeGreaterThanOrEqual(1_000_000);
    expect(state.ladder.mismatches).toBe(0);
    expect(state.ladder.bitIdenticalToPricer).toBe(true);
    // The page is cross-origin isolated, so the pool shares memory and also prices a zero-copy batch of its own.
    expect(state.ladder.zeroCopyMismatches).toBe(0);
    expect(state.throughput.map((r) => r.what)).toContain("Black-Scholes + greeks, zero-copy batch");
    for (const row of state.throughput) {
      expect(row.options).toBe(state.ladder.options);
      expect(row.optionsPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(row.optionsPerSecond)).toBe(true);
    }
  });

  it("switches the visible expiry when an expiry button is clicked, and saves a screenshot", async () => {
    const visibleExpiry = () => page.$$eval("table.chain", (ts) => ts.filter((t) => !(t as HTMLElement).hidden).map((t) => t.getAttribute("data-expiry-days")));
    expect(await visibleExpiry()).toEqual(["91"]);
    await page.getByRole("button", { name: "1 y" }).click();
    expect(await visibleExpiry()).toEqual(["365"]);
    // The first row of the 1-year table is the 60 strike: its call price cell is the Node price of that option.
    const callPrice = await page.$eval('table.chain[data-expiry-days="365"] tbody tr td[data-field="price"]', (td) => td.textContent);
    expect(callPrice).toBe(formatNumber(nodeGreeks.price[chainIndex(EXPIRY_DAYS.indexOf(365), 0, 0)]!, 4));
    await page.getByRole("button", { name: "91 d" }).click();
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
