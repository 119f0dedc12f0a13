// The pool page (demo/pool.html): a real OptionPool, its PeerBook and its risk engine in the browser, on the WASM core
// of the library's browser bundle (dist/browser/pool2peer.js, loaded at run time like the chain page's). LPs deposit
// and redeem, traders quote and trade against the pool and the book; a simulated oracle ticks spot, and every tick
// redraws NAV, share price, utilization, net greeks, the stress heat map and the smile. Refusals are shown in the
// panel with the input they name marked. `window.__pool2peerPool` exposes the figures to tests and the console.
import type { Quote } from "../index.js";
import { formatUnitsText, FormInputError, parsePositive, parseUnits, runInPanel, type Panel } from "./pool-forms.js";
import { DAY, DECIMALS, describeError, listedExpiries, PoolMarket, SIZE_DECIMALS, type PoolLibrary } from "./pool-market.js";
import { $, describeEvent, formatTime, renderBook, renderGreeks, renderMetrics, renderQuote, renderSmile, renderStress, type History } from "./pool-views.js";

/** The page's figures for scripts: what a test reads after driving the UI. */
interface PoolPageState {
  ready: boolean;
  error?: string;
  ticks: number;
  /** Completed redraws (a tick, an operation). */
  renders: number;
  spot?: number;
  nav?: string;
  sharePrice?: number;
  utilization?: number;
  greeks?: { delta: number; gamma: number; vega: number; theta: number };
  stress?: { cells: number; worst: string; minSolvency: number };
  /** Every refusal and keeper problem the page showed, in order. */
  errors: string[];
  events: number;
}

declare global {
  interface Window {
    __pool2peerPool: PoolPageState;
  }
}

const state: PoolPageState = { ready: false, ticks: 0, renders: 0, errors: [], events: 0 };
window.__pool2peerPool = state;
const history: History = { spot: [], nav: [], sharePrice: [] };
let market: PoolMarket;
let lastQuote: Quote | undefined;
let loggedSeq = 0;
const input = (id: string) => $<HTMLInputElement>(id);
const select = (id: string) => $<HTMLSelectElement>(id);

/** One line of the event log (newest first, 80 kept). */
function log(text: string, kind: "info" | "error" = "info"): void {
  const li = document.createElement("li");
  li.textContent = `${formatTime(market.now)} · ${text}`;
  li.className = kind;
  const list = $("log");
  list.prepend(li);
  while (list.children.length > 80) list.lastElementChild!.remove();
  if (kind === "error") state.errors.push(text);
}

/** The series in the trade form (also the book's series). */
function series(): { type: "put"; strike: number; expiry: number } {
  const expiry = Number(select("trade-expiry").value);
  if (!Number.isInteger(expiry) || expiry <= 0) throw new FormInputError("trade-expiry", "choose an expiry");
  return { type: "put", strike: parsePositive(input("trade-strike").value, "trade-strike"), expiry };
}

function seriesOrUndefined() {
  try {
    return series();
  } catch {
    return undefined; // an unreadable form has no series to draw; its error shows when it is submitted
  }
}

/** The listed expiries in the select, keeping the chosen one while it is listed. */
function renderExpiries(): void {
  const el = select("trade-expiry");
  const chosen = Number(el.value);
  const expiries = listedExpiries(market.now);
  el.replaceChildren(
    ...expiries.map((e) => {
      const o = document.createElement("option");
      o.value = String(e);
      o.textContent = `${formatTime(e)} (${((e - market.now) / DAY).toFixed(1)} d)`;
      return o;
    }),
  );
  el.value = String(expiries.includes(chosen) ? chosen : expiries[3]!);
}

/** LP holdings and the trader's positions and claimable balances. */
function renderAccounts(): void {
  const lp = input("lp-account").value.trim();
  const shareDecimals = DECIMALS + market.pool.settings.shareOffset;
  $("lp-holdings").textContent = lp
    ? `${lp}: ${formatUnitsText(market.pool.sharesOf(lp), shareDecimals, 4)} shares, worth ${formatUnitsText(market.pool.valueOf(lp), DECIMALS)} USDC` +
      `; queued withdrawals: ${market.pool.withdrawalQueue().filter((w) => w.owner === lp).length}`
    : "";
  const trader = input("trade-account").value.trim();
  if (!trader) return;
  const pos = market.pool.positionsOf(trader).map((p) => `put ${p.series.strike} ${formatTime(p.series.expiry)}: ${formatUnitsText(p.size, SIZE_DECIMALS)} (pool)`);
  const peer = market.book.positionsOf(trader).map((p) => `put ${p.series.strike} ${formatTime(p.series.expiry)}: +${formatUnitsText(p.long, SIZE_DECIMALS)} −${formatUnitsText(p.short, SIZE_DECIMALS)} (peers)`);
  const claimable = market.pool.claimableOf(trader) + market.book.claimableOf(trader);
  $("trade-positions").textContent = `${trader}: ${[...pos, ...peer].join("; ") || "no positions"}; claimable ${formatUnitsText(claimable, DECIMALS)} USDC`;
}

/** The pool's new events into the log. */
function logPoolEvents(): void {
  for (const e of market.pool.eventsSince(loggedSeq)) log(describeEvent(e));
  loggedSeq = market.pool.seq;
}

/** Redraws every view from the market; the stress run is priced on the main-thread pricer. */
async function refresh(): Promise<void> {
  logPoolEvents();
  renderMetrics(market, history);
  const g = market.risk.greeks.refreshIfNeeded(market.pricer);
  renderGreeks(g);
  const report = await market.risk.stressTest();
  renderStress(report);
  const s = seriesOrUndefined();
  renderSmile(market, Number(select("trade-expiry").value), s?.strike, lastQuote);
  renderBook(market, s);
  renderAccounts();
  Object.assign(state, {
    renders: state.renders + 1,
    spot: market.spot,
    nav: String(market.pool.nav()),
    sharePrice: market.pool.sharePrice(),
    utilization: market.pool.utilization,
    greeks: { ...g.total },
    stress: { cells: report.results.length, worst: report.worst.scenario.name, minSolvency: report.minSolvency },
    events: market.pool.events.length + market.book.events.length,
  });
}

const panels = (): Record<"lp" | "trade" | "book", Panel> => ({
  lp: { result: $("lp-result"), inputs: { owner: input("lp-account"), assets: input("lp-amount"), "lp-amount": input("lp-amount"), "lp-account": input("lp-account"), shares: input("lp-shares"), "lp-shares": input("lp-shares") } },
  trade: {
    result: $("trade-result"),
    inputs: { trader: input("trade-account"), strike: input("trade-strike"), expiry: select("trade-expiry"), size: input("trade-size"), side: select("trade-side"), maxCost: input("trade-size"), minProceeds: input("trade-size"), "trade-strike": input("trade-strike"), "trade-expiry": select("trade-expiry"), "trade-size": input("trade-size") },
  },
  book: {
    result: $("book-result"),
    inputs: { trader: input("book-account"), side: select("book-side"), size: input("book-size"), limitPrice: input("book-limit"), funds: input("book-funds"), strike: input("trade-strike"), expiry: select("trade-expiry"), series: input("trade-strike"), "book-size": input("book-size"), "book-limit": input("book-limit"), "book-funds": input("book-funds"), "trade-strike": input("trade-strike"), "trade-expiry": select("trade-expiry") },
  },
});

/** Runs a panel's operation, logs it, redraws. */
function act(panel: Panel, work: () => string): void {
  const ok = runInPanel(panel, work, (message) => log(message, "error"));
  if (ok && panel.result.id === "book-result") log(panel.result.textContent ?? "");
  void refresh().catch(fail);
}

function wireLp(p: Panel): void {
  $("lp-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(p, () => {
      const assets = parseUnits(input("lp-amount").value, DECIMALS, "lp-amount");
      const shares = market.pool.deposit(input("lp-account").value.trim(), assets);
      return `deposited ${formatUnitsText(assets, DECIMALS)} USDC for ${formatUnitsText(shares, DECIMALS + market.pool.settings.shareOffset, 4)} shares`;
    });
  });
  $("lp-redeem").addEventListener("click", () =>
    act(p, () => {
      const owner = input("lp-account").value.trim();
      const shareDecimals = DECIMALS + market.pool.settings.shareOffset;
      const text = input("lp-shares").value.trim();
      const shares = text === "" ? market.pool.sharesOf(owner) : parseUnits(text, shareDecimals, "lp-shares");
      const r = market.pool.redeem(owner, shares);
      const queued = r.queuedShares > 0n ? `; ${formatUnitsText(r.queuedShares, shareDecimals, 4)} shares queued (withdrawal #${r.withdrawalId})` : "";
      return `redeemed ${formatUnitsText(r.sharesRedeemed, shareDecimals, 4)} shares for ${formatUnitsText(r.assets, DECIMALS)} USDC${queued}`;
    }),
  );
}

function tradeRequest() {
  const side = select("trade-side").value as "buy" | "sell";
  return { ...series(), size: parseUnits(input("trade-size").value, SIZE_DECIMALS, "trade-size"), side };
}

function wireTrade(p: Panel): void {
  $("trade-quote").addEventListener("click", () =>
    act(p, () => {
      const q = market.pool.quote(tradeRequest());
      lastQuote = q;
      renderQuote(q);
      return `quote: ${formatUnitsText(q.total, DECIMALS)} USDC ${q.side === "buy" ? "to pay" : "to receive"} at ${(q.volUsed * 100).toFixed(2)} % vol`;
    }),
  );
  $("trade-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(p, () => {
      const request = tradeRequest();
      const q = market.pool.quote(request);
      const bound = request.side === "buy" ? { maxCost: (q.total * 101n) / 100n } : { minProceeds: (q.total * 99n) / 100n };
      const done = market.pool.trade(input("trade-account").value.trim(), { ...request, ...bound });
      lastQuote = done;
      renderQuote(done);
      return `${request.side === "buy" ? "bought" : "sold"} ${formatUnitsText(done.size, SIZE_DECIMALS)} put ${request.strike} for ${formatUnitsText(done.total, DECIMALS)} USDC (pool event ${market.pool.seq})`;
    });
  });
  for (const id of ["trade-expiry", "trade-strike"]) $(id).addEventListener("change", () => void refresh().catch(fail));
}

function wireBook(p: Panel): void {
  $("book-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(p, () => {
      const s = series();
      const limitText = input("book-limit").value.trim();
      const order = {
        ...s,
        side: select("book-side").value as "buy" | "sell",
        size: parseUnits(input("book-size").value, SIZE_DECIMALS, "book-size"),
        funds: parseUnits(input("book-funds").value, DECIMALS, "book-funds"),
        ...(limitText === "" ? {} : { limitPrice: parseUnits(limitText, DECIMALS, "book-limit") }),
      };
      market.ensureListed(s);
      const r = market.book.submit(input("book-account").value.trim(), order);
      const parts = [`peers filled ${formatUnitsText(r.filledByPeers, SIZE_DECIMALS)}`, `pool filled ${formatUnitsText(r.filledByPool, SIZE_DECIMALS)}`, `premium ${formatUnitsText(r.premium, DECIMALS)} USDC`];
      if (r.resting) parts.push(`resting #${r.resting.id}: ${formatUnitsText(r.resting.size, SIZE_DECIMALS)} at ${formatUnitsText(r.resting.price, DECIMALS)}`);
      if (r.unfilled > 0n) parts.push(`unfilled ${formatUnitsText(r.unfilled, SIZE_DECIMALS)}`);
      return `book ${order.side} put ${s.strike}: ${parts.join(", ")}`;
    });
  });
}

/** One simulated tick: the oracle prints, the keeper runs, expiries settle, everything redraws. */
async function tick(): Promise<void> {
  const r = market.tick();
  state.ticks++;
  for (const e of r.settled) log(`${formatTime(e)}: every pool and peer series of this expiry is settled`);
  for (const problem of r.problems) log(problem, "error");
  renderExpiries();
  await refresh();
}

function startClock(tickMs: number): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  let busy = false;
  const run = () => {
    if (busy) return;
    busy = true;
    tick().catch(fail).finally(() => (busy = false));
  };
  const play = $<HTMLButtonElement>("play");
  const set = (on: boolean) => {
    if (timer !== undefined) clearInterval(timer);
    timer = on ? setInterval(run, tickMs) : undefined;
    play.textContent = on ? "Pause" : "Play";
  };
  play.addEventListener("click", () => set(timer === undefined));
  $("step").addEventListener("click", run);
  set(tickMs > 0);
}

/** An unexpected failure (not a refusal): the page stops ticking states it, and it goes to the console. */
function fail(error: unknown): void {
  const message = describeError(error);
  state.error = message;
  document.body.dataset.ready = "error";
  $("status").textContent = `Error: ${message}`;
  console.error(error);
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const tickMs = Number(params.get("tick") ?? 1000);
  const seed = Number(params.get("seed") ?? 7);
  $("status").textContent = "Loading the WASM core…";
  const lib = (await import(new URL("../browser/pool2peer.js", import.meta.url).href)) as PoolLibrary;
  market = await PoolMarket.create(lib, { seed });
  market.seedActivity();
  renderExpiries();
  const p = panels();
  wireLp(p.lp);
  wireTrade(p.trade);
  wireBook(p.book);
  await refresh();
  startClock(Number.isFinite(tickMs) && tickMs >= 0 ? tickMs : 1000);
  $("status").textContent = `Ready: ${market.pricer.simd ? "WASM SIMD" : "WASM scalar"} core, ${market.pool.events.length} pool events; one tick = 1 simulated hour ${tickMs > 0 ? `every ${tickMs} ms` : "(clock stopped: Play or Step)"}.`;
  state.ready = true;
  document.body.dataset.ready = "true";
}

main().catch(fail);
