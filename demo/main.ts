// The pool2peer browser demo: prices an option chain (calls and puts, 41 strikes × 8 expiries) with
// greeks through the worker pool, recovers the implied vols from the prices, and measures the
// throughput of a 1-million-option repricing. The library is loaded at run time from the browser
// bundle (dist/browser/pool2peer.js) so that its worker resolves next to it.
// Everything computed is also exposed to scripts as `window.__pool2peerDemo` (see DemoState).
import type * as Bindings from "../bindings/index.js";
import type * as Workers from "../workers/index.js";
import type { Greeks, ImpliedVolBatch, ImpliedVolResult, OptionBatch } from "../bindings/types.js";
import { formatNumber, formatVol, GREEK_COLUMNS, VOL_STATUS_NOTES } from "./format.js";
import { buildChain, buildSpotLadder, chainIndex, EXPIRY_DAYS, MARKET, STRIKES, type ChainColumns } from "./chain.js";

/** What the browser bundle (built from index.ts) exports and the demo uses. */
type Library = typeof Bindings & typeof Workers;

/** What prices the chain: the worker pool, or (with `?engine=pricer`) the main-thread pricer. */
interface Engine {
  kind: "pool" | "pricer";
  simd: boolean;
  workers: number;
  /** True when the pool moves batches through SharedArrayBuffer (needs cross-origin isolation). */
  sharedMemory: boolean;
  blackScholes(batch: OptionBatch): Promise<Greeks>;
  impliedVol(batch: ImpliedVolBatch): Promise<ImpliedVolResult>;
  /**
   * Shared-memory pools: copies `batch` into a zero-copy batch of the pool (`pool.createOptionBatch`) and returns
   * the call that prices it in place.
   */
  zeroCopy?(batch: LadderBatch): Promise<() => Promise<Greeks>>;
}

type LadderBatch = ReturnType<typeof buildSpotLadder>["batch"];

/** One throughput measurement (best of `runs` timed runs after one warm-up run). */
interface Throughput {
  what: string;
  engine: string;
  options: number;
  bestMs: number;
  optionsPerSecond: number;
}

/** The machine-readable state of the page, for tests and the console. Numbers are plain arrays. */
interface DemoState {
  ready: boolean;
  error?: string;
  engine?: {
    kind: Engine["kind"];
    simd: boolean;
    workers: number;
    sharedMemory: boolean;
    crossOriginIsolated: boolean;
    sharedArrayBuffer: boolean;
  };
  inputs?: {
    type: number[];
    strike: number[];
    expiry: number[];
    vol: number[];
    spot: number;
    rate: number;
    dividend: number;
  };
  results?: { price: number[]; delta: number[]; gamma: number[]; vega: number[]; theta: number[]; rho: number[] };
  impliedVol?: { vol: number[]; status: number[] };
  throughput?: Throughput[];
  /** The 1M-option pool result compared with the main-thread pricer element by element (Object.is). */
  ladder?: {
    options: number;
    scenarios: number;
    bitIdenticalToPricer: boolean;
    mismatches: number;
    /** The same through the pool's zero-copy batch (shared-memory pools only). */
    zeroCopyMismatches?: number;
  };
}

declare global {
  interface Window {
    __pool2peerDemo: DemoState;
  }
}

const state: DemoState = { ready: false };
window.__pool2peerDemo = state;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: #${id} missing from index.html`);
  return el as T;
};
const statusLine = $("status");
const setStatus = (text: string) => {
  statusLine.textContent = text;
};

async function loadLibrary(): Promise<Library> {
  const url = new URL("../browser/pool2peer.js", import.meta.url).href;
  return (await import(url)) as Library;
}

async function pricerEngine(lib: Library): Promise<Engine> {
  const pricer = await lib.createPricer();
  return {
    kind: "pricer",
    simd: pricer.simd,
    workers: 0,
    sharedMemory: false,
    blackScholes: async (batch) => pricer.blackScholes(batch),
    impliedVol: async (batch) => pricer.impliedVol(batch),
  };
}

/** The worker pool (kept for the life of the page); `workers` undefined means navigator.hardwareConcurrency. */
async function poolEngine(lib: Library, workers: number | undefined): Promise<Engine> {
  if (typeof lib.createPricingPool !== "function") throw new Error("the browser bundle does not export createPricingPool");
  const pool = await lib.createPricingPool(workers === undefined ? {} : { workers });
  return {
    kind: "pool",
    simd: pool.simd,
    workers: pool.workers,
    sharedMemory: pool.sharedMemory,
    blackScholes: (batch) => pool.blackScholes(batch),
    impliedVol: (batch) => pool.impliedVol(batch),
    zeroCopy: pool.sharedMemory
      ? async (from) => {
          const batch = await pool.createOptionBatch(from.type.length);
          batch.type.set(from.type);
          for (const field of ["spot", "strike", "expiry", "vol"] as const) batch[field].set(from[field]);
          batch.rate.fill(from.rate);
          batch.dividend.fill(from.dividend);
          return () => pool.blackScholes(batch);
        }
      : undefined,
  };
}

async function createEngine(lib: Library, kind: string, workers: number | undefined): Promise<Engine> {
  if (kind === "pricer") return pricerEngine(lib);
  if (kind === "pool") return poolEngine(lib, workers);
  throw new Error(`unknown engine "${kind}" (use ?engine=pool or ?engine=pricer)`);
}

function cell(row: HTMLTableRowElement, text: string, attrs: Record<string, string> = {}, tag: "td" | "th" = "td") {
  const c = document.createElement(tag);
  c.textContent = text;
  for (const [k, v] of Object.entries(attrs)) c.setAttribute(k, v);
  row.appendChild(c);
  return c;
}

/** One table per expiry: calls on the left, strike and model vol in the middle, puts on the right. */
function renderChain(chain: ChainColumns, greeks: Greeks, iv: ImpliedVolResult) {
  const tabs = $("expiries");
  const holder = $("chain");
  tabs.replaceChildren();
  holder.replaceChildren();
  const tables: HTMLTableElement[] = [];
  const buttons: HTMLButtonElement[] = [];
  const show = (e: number) => {
    tables.forEach((t, k) => (t.hidden = k !== e));
    buttons.forEach((b, k) => b.setAttribute("aria-pressed", String(k === e)));
  };
  EXPIRY_DAYS.forEach((days, e) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = days < 365 ? `${days} d` : `${days / 365} y`;
    button.addEventListener("click", () => show(e));
    tabs.appendChild(button);
    buttons.push(button);

    const table = document.createElement("table");
    table.className = "chain";
    table.dataset.expiryDays = String(days);
    const caption = document.createElement("caption");
    caption.textContent = `Expiry ${days} days (T = ${(days / 365).toFixed(4)} y), forward ${(
      MARKET.spot * Math.exp((MARKET.rate - MARKET.dividend) * (days / 365))
    ).toFixed(4)}`;
    table.appendChild(caption);
    const head = table.createTHead();
    const group = head.insertRow();
    cell(group, "Calls", { colspan: "7", class: "calls" }, "th");
    cell(group, "", { colspan: "2" }, "th");
    cell(group, "Puts", { colspan: "7", class: "puts" }, "th");
    const names = head.insertRow();
    const sideHeaders = () => {
      cell(names, "IV", {}, "th");
      for (const g of GREEK_COLUMNS) cell(names, g.label, {}, "th");
    };
    sideHeaders();
    cell(names, "Strike", { class: "strike" }, "th");
    cell(names, "σ model", { class: "strike" }, "th");
    sideHeaders();
    const body = table.createTBody();
    STRIKES.forEach((strike, k) => {
      const row = body.insertRow();
      const side = (putFlag: 0 | 1) => {
        const i = chainIndex(e, k, putFlag);
        const v = iv.vol[i]!;
        const status = iv.status[i]!;
        const attrs: Record<string, string> = { "data-field": "iv", "data-index": String(i), "data-value": String(v), "data-status": String(status) };
        if (status !== 0) attrs.title = VOL_STATUS_NOTES[status] ?? `status ${status}`;
        cell(row, formatVol(v, status), attrs);
        for (const g of GREEK_COLUMNS) {
          const x = greeks[g.field][i]!;
          cell(row, formatNumber(x, g.digits), { "data-field": g.field, "data-index": String(i), "data-value": String(x) });
        }
      };
      side(0);
      cell(row, String(strike), { class: "strike" }, "th");
      const modelVol = chain.vol[chainIndex(e, k, 0)]!;
      cell(row, formatVol(modelVol), { class: "strike" });
      side(1);
    });
    table.hidden = true;
    holder.appendChild(table);
    tables.push(table);
  });
  show(EXPIRY_DAYS.indexOf(91));
}

/** Implied vol against strike, one line per expiry, as an inline SVG (a glance at the smile). */
function renderSmile(iv: ImpliedVolResult) {
  const width = 900;
  const height = 240;
  const pad = 40;
  const legend = 110;
  const ok = (i: number) => iv.status[i] === 0;
  const vols: number[] = [];
  iv.vol.forEach((v, i) => {
    if (ok(i)) vols.push(v);
  });
  const lo = Math.floor(Math.min(...vols) * 20) / 20;
  const hi = Math.ceil(Math.max(...vols) * 20) / 20;
  const sx = (k: number) => pad + ((k - STRIKES[0]!) / (STRIKES[STRIKES.length - 1]! - STRIKES[0]!)) * (width - 2 * pad - legend);
  const sy = (v: number) => height - pad + ((lo - v) / (hi - lo)) * (height - 2 * pad);
  const parts: string[] = [];
  for (let v = lo; v <= hi + 1e-9; v += 0.05) {
    parts.push(`<line x1="${pad}" x2="${width - pad - legend}" y1="${sy(v)}" y2="${sy(v)}" class="grid"/>`);
    parts.push(`<text x="${pad - 4}" y="${sy(v) + 4}" text-anchor="end">${Math.round(v * 100)}%</text>`);
  }
  for (let k = 60; k <= 140; k += 20) parts.push(`<text x="${sx(k)}" y="${height - pad + 16}" text-anchor="middle">${k}</text>`);
  EXPIRY_DAYS.forEach((days, e) => {
    const points: string[] = [];
    STRIKES.forEach((strike, k) => {
      // The out-of-the-money side: puts below the spot, calls above, as a desk quotes the smile.
      const i = chainIndex(e, k, strike < MARKET.spot ? 1 : 0);
      if (ok(i)) points.push(`${sx(strike).toFixed(1)},${sy(iv.vol[i]!).toFixed(1)}`);
    });
    const color = `hsl(${Math.round((e / EXPIRY_DAYS.length) * 300)} 70% 40%)`;
    parts.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${color}" stroke-width="1.5"><title>${days} days</title></polyline>`);
    const ly = pad + e * 18;
    parts.push(`<line x1="${width - legend + 10}" x2="${width - legend + 34}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`);
    parts.push(`<text x="${width - legend + 40}" y="${ly + 4}">${days} days</text>`);
  });
  $("smile").innerHTML = `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Implied vol by strike, one line per expiry">${parts.join("")}</svg>`;
}

function renderEngine(engine: NonNullable<DemoState["engine"]>) {
  const facts: [string, string][] = [
    ["Engine", engine.kind === "pool" ? `worker pool, ${engine.workers} workers` : "main-thread pricer"],
    ["WASM build", engine.simd ? "SIMD (f64x2)" : "scalar"],
    ["Cross-origin isolated", engine.crossOriginIsolated ? "yes" : "no"],
    ["SharedArrayBuffer", `${engine.sharedArrayBuffer ? "available" : "unavailable"}${engine.kind === "pool" ? `; batches move ${engine.sharedMemory ? "through shared memory" : "as transferred buffers"}` : ""}`],
    ["Market", `spot ${MARKET.spot}, rate ${MARKET.rate * 100}%, dividend ${MARKET.dividend * 100}%`],
  ];
  const dl = $("engine");
  dl.replaceChildren();
  for (const [k, v] of facts) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    dl.append(dt, dd);
  }
}

function renderThroughput(rows: Throughput[], ladder: NonNullable<DemoState["ladder"]>) {
  const table = $<HTMLTableElement>("throughput");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const h of ["Repricing", "Engine", "Options", "Best time", "Options / s"]) cell(head, h, {}, "th");
  const body = table.createTBody();
  for (const r of rows) {
    const row = body.insertRow();
    cell(row, r.what);
    cell(row, r.engine);
    cell(row, r.options.toLocaleString("en-US"), { class: "num" });
    cell(row, `${r.bestMs.toFixed(1)} ms`, { class: "num" });
    cell(row, `${(r.optionsPerSecond / 1e6).toFixed(2)} M`, { class: "num", "data-options-per-second": String(r.optionsPerSecond) });
  }
  $("ladder-check").textContent = ladder.bitIdenticalToPricer
    ? `The ${ladder.options.toLocaleString("en-US")}-option result of the pool equals the main-thread pricer's bit for bit.`
    : `MISMATCH: ${ladder.mismatches} of ${ladder.options} pool results differ from the main-thread pricer.`;
  if (ladder.zeroCopyMismatches !== undefined) {
    $("ladder-check").textContent +=
      ladder.zeroCopyMismatches === 0
        ? " So does its zero-copy batch's."
        : ` MISMATCH: ${ladder.zeroCopyMismatches} results of the pool's zero-copy batch differ.`;
  }
}

/** Best wall time of `runs` runs after one warm-up run (the first run pays for JIT and worker start-up). */
async function bestOf<T>(runs: number, work: () => Promise<T>): Promise<{ bestMs: number; result: T }> {
  let result = await work();
  let bestMs = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = await work();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return { bestMs, result };
}

function countMismatches(a: Greeks, b: Greeks): number {
  let mismatches = 0;
  for (const g of GREEK_COLUMNS) {
    const x = a[g.field];
    const y = b[g.field];
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) mismatches++;
  }
  return mismatches;
}

/** Prices and inverts the chain on `engine`, records it in `state` and renders it; returns the time it took. */
async function priceChain(engine: Engine, chain: ReturnType<typeof buildChain>): Promise<number> {
  const t0 = performance.now();
  const { type, spot, strike, expiry, vol, rate, dividend } = chain;
  const greeks = await engine.blackScholes({ type, spot, strike, expiry, vol, rate, dividend });
  const iv = await engine.impliedVol({ type, spot, strike, expiry, price: greeks.price, rate, dividend });
  const chainMs = performance.now() - t0;
  state.inputs = { type: Array.from(type), strike: Array.from(strike), expiry: Array.from(expiry), vol: Array.from(vol), spot, rate, dividend };
  state.results = {
    price: Array.from(greeks.price),
    delta: Array.from(greeks.delta),
    gamma: Array.from(greeks.gamma),
    vega: Array.from(greeks.vega),
    theta: Array.from(greeks.theta),
    rho: Array.from(greeks.rho),
  };
  state.impliedVol = { vol: Array.from(iv.vol), status: Array.from(iv.status) };
  renderChain(chain, greeks, iv);
  renderSmile(iv);
  return chainMs;
}

/**
 * Times a repricing of `ladderSize` options on `engine` (and on the main-thread pricer, the single-thread baseline
 * and the bit-for-bit reference), records and renders it; returns the rows.
 */
async function timeLadder(lib: Library, engine: Engine, chain: ReturnType<typeof buildChain>, ladderSize: number, engineLabel: string): Promise<Throughput[]> {
  const ladder = buildSpotLadder(chain, ladderSize);
  const throughput: Throughput[] = [];
  const record = (what: string, label: string, bestMs: number) =>
    throughput.push({ what, engine: label, options: ladder.length, bestMs, optionsPerSecond: ladder.length / (bestMs / 1000) });
  const runs = 3;
  const viaEngine = await bestOf(runs, () => engine.blackScholes(ladder.batch));
  record("Black-Scholes + greeks", engineLabel, viaEngine.bestMs);
  let viaPricer = viaEngine;
  if (engine.kind === "pool") {
    const mainThread = await pricerEngine(lib);
    viaPricer = await bestOf(runs, () => mainThread.blackScholes(ladder.batch));
    record("Black-Scholes + greeks", "main-thread pricer", viaPricer.bestMs);
  }
  const { vol: _modelVol, ...ladderWithoutVol } = ladder.batch;
  const ivBatch: ImpliedVolBatch = { ...ladderWithoutVol, price: viaEngine.result.price };
  const ivRun = await bestOf(1, () => engine.impliedVol(ivBatch));
  record("Implied vol", engineLabel, ivRun.bestMs);
  let zeroCopyMismatches: number | undefined;
  if (engine.zeroCopy) {
    const viaBatch = await bestOf(runs, await engine.zeroCopy(ladder.batch));
    record("Black-Scholes + greeks, zero-copy batch", engineLabel, viaBatch.bestMs);
    zeroCopyMismatches = countMismatches(viaBatch.result, viaPricer.result);
  }
  const mismatches = countMismatches(viaEngine.result, viaPricer.result);
  state.ladder = { options: ladder.length, scenarios: ladder.scenarios, bitIdenticalToPricer: mismatches === 0, mismatches, zeroCopyMismatches };
  state.throughput = throughput;
  renderThroughput(throughput, state.ladder);
  return throughput;
}

async function main() {
  const params = new URLSearchParams(location.search);
  const engineKind = params.get("engine") ?? "pool";
  const ladderSize = Number(params.get("options") ?? 1_000_000);
  const workers = params.has("workers") ? Number(params.get("workers")) : undefined;
  setStatus("Loading the WASM core…");
  const lib = await loadLibrary();
  const engine = await createEngine(lib, engineKind, workers);
  state.engine = {
    kind: engine.kind,
    simd: engine.simd,
    workers: engine.workers,
    sharedMemory: engine.sharedMemory,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === "function",
  };
  renderEngine(state.engine);

  setStatus("Pricing the chain…");
  const chain = buildChain();
  const chainMs = await priceChain(engine, chain);
  setStatus(`Chain priced (${chain.length} options, ${chainMs.toFixed(1)} ms); timing a ${ladderSize.toLocaleString("en-US")}-option repricing…`);
  const engineLabel = engine.kind === "pool" ? `pool, ${engine.workers} workers` : "main-thread pricer";
  const throughput = await timeLadder(lib, engine, chain, ladderSize, engineLabel);
  const best = throughput[0]!;
  setStatus(
    `Ready: ${chain.length} options priced and inverted in ${chainMs.toFixed(1)} ms; ` +
      `${(best.optionsPerSecond / 1e6).toFixed(2)} M options/s on ${best.options.toLocaleString("en-US")} options (${engineLabel}).`,
  );
  state.ready = true;
  document.body.dataset.ready = "true";
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  state.error = message;
  document.body.dataset.ready = "error";
  setStatus(`Error: ${message}`);
  console.error(error);
});
