// The pool page's read-only views: figures, history lines, net greeks, the stress heat map, the smile and the book,
// each drawn from the market's current state. Every view writes `data-value` attributes next to the text, so a test
// reads numbers, not formatted text.
import type { NetGreeks, PoolEvent, Quote, StressReport } from "../index.js";
import { heatMapSvg, lineSvg, smileSvg } from "./pool-charts.js";
import { formatUnitsText } from "./pool-forms.js";
import { CONTRACT, DAY, DECIMALS, SIZE_DECIMALS, type PoolMarket } from "./pool-market.js";

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`pool page: #${id} missing from pool.html`);
  return el as T;
};

const usdc = (units: bigint, digits = 2) => formatUnitsText(units, DECIMALS, digits);

/** "Fri 09 Jan 08:00" in UTC. */
export function formatTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const day = d.toLocaleDateString("en-GB", { weekday: "short", day: "2-digit", month: "short", timeZone: "UTC" });
  return `${day} ${d.toISOString().slice(11, 16)} UTC`;
}

function setFigure(id: string, text: string, value: number | bigint): void {
  const el = $(id);
  el.textContent = text;
  el.dataset.value = String(value);
}

/** What the page keeps between ticks for its history lines. */
export interface History {
  sharePrice: number[];
  spot: number[];
  nav: number[];
}

/** Spot, NAV, share price, utilization, free and locked liquidity, and the history lines. */
export function renderMetrics(m: PoolMarket, history: History): void {
  const nav = m.pool.nav();
  setFigure("spot", m.spot.toFixed(2), m.spot);
  setFigure("nav", usdc(nav), nav);
  setFigure("share-price", m.pool.sharePrice().toFixed(6), m.pool.sharePrice());
  setFigure("utilization", `${(m.pool.utilization * 100).toFixed(2)} %`, m.pool.utilization);
  setFigure("liquidity", `${usdc(m.pool.free, 0)} · ${usdc(m.pool.locked, 0)}`, m.pool.free);
  history.spot.push(m.spot);
  history.nav.push(Number(nav) / 1e6);
  history.sharePrice.push(m.pool.sharePrice());
  for (const k of Object.keys(history) as (keyof History)[]) if (history[k].length > 240) history[k].shift();
  $("history").innerHTML =
    lineSvg("Spot", history.spot, (v) => v.toFixed(2)) +
    lineSvg("Share price", history.sharePrice, (v) => v.toFixed(6)) +
    lineSvg("NAV (USDC)", history.nav, (v) => v.toLocaleString("en-US", { maximumFractionDigits: 0 }));
  $("sim-time").textContent = `${formatTime(m.now)}`;
}

const GREEKS = [
  { key: "delta", label: "Δ ETH", scale: 1, digits: 3 },
  { key: "gamma", label: "Γ ETH/USDC", scale: 1, digits: 5 },
  { key: "vega", label: "Vega USDC/vol pt", scale: 0.01, digits: 1 },
  { key: "theta", label: "Θ USDC/day", scale: 1 / 365, digits: 1 },
] as const;

/** Net greeks by expiry and in total (the pool is short what it wrote, so its gamma and vega are negative). */
export function renderGreeks(g: NetGreeks): void {
  const table = $<HTMLTableElement>("greeks");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const h of ["Expiry", ...GREEKS.map((x) => x.label)]) head.insertCell().outerHTML = `<th>${h}</th>`;
  const body = table.createTBody();
  const rows = [...g.byExpiry.map((e) => ({ label: String(e.expiry), greeks: e.greeks, total: false })), { label: "Total", greeks: g.total, total: true }];
  for (const r of rows) {
    const row = body.insertRow();
    if (r.total) row.className = "total";
    row.insertCell().textContent = r.total ? r.label : formatTime(Number(r.label)).replace(" UTC", "");
    for (const x of GREEKS) {
      const v = r.greeks[x.key] * x.scale;
      const cell = row.insertCell();
      cell.textContent = v.toFixed(x.digits);
      cell.dataset.greek = x.key;
      cell.dataset.value = String(r.greeks[x.key]);
      if (r.total) cell.dataset.total = "true";
    }
  }
}

/** The heat map and the tail scenarios' figures. */
export function renderStress(report: StressReport): void {
  $("heatmap").innerHTML = heatMapSvg(report);
  const pick = (prefix: string) => report.results.find((r) => r.scenario.name.startsWith(prefix));
  const pct = (x: number | undefined) => (x === undefined ? "–" : `${(x * 100).toFixed(2)} %`);
  $("stress-note").textContent =
    `Crash (spot −50 %, vol +50 %): ${pct(pick("crash")?.sharePriceChange)}; squeeze (spot +50 %, vol +50 %): ${pct(pick("squeeze")?.sharePriceChange)}; ` +
    `worst: ${report.worst.scenario.name}; least solvency ${Number.isFinite(report.minSolvency) ? report.minSolvency.toFixed(2) : "∞"}.`;
}

/** The smile of `expiry` over 0.6–1.4 × spot, the traded strikes marked, and the last quote's vol when it is of this expiry. */
export function renderSmile(m: PoolMarket, expiry: number, selectedStrike: number | undefined, lastQuote: Quote | undefined): void {
  const spot = m.spot;
  const strikes = Array.from({ length: 81 }, (_, i) => Math.round(spot * (0.6 + (0.8 * i) / 80)));
  const vols = strikes.map((k) => m.smileVol(k, expiry));
  const traded = m.tradedStrikes(expiry);
  const quoted = lastQuote && lastQuote.series.expiry === expiry && lastQuote.series.strike === selectedStrike ? lastQuote.volUsed : undefined;
  const days = (expiry - m.now) / DAY;
  $("smile-chart").innerHTML = smileSvg({
    title: `${formatTime(expiry)} (${days.toFixed(1)} days): vol by strike`,
    strikes,
    vols,
    spot,
    poolStrikes: traded.pool,
    bookStrikes: traded.book,
    selected: selectedStrike === undefined ? undefined : { strike: selectedStrike, volUsed: quoted },
    volAt: (k) => m.smileVol(k, expiry),
  });
}

/** Resting peer orders of the selected series, asks above bids. */
export function renderBook(m: PoolMarket, series: { type: "put"; strike: number; expiry: number } | undefined): void {
  const table = $<HTMLTableElement>("book-orders");
  table.replaceChildren();
  const caption = table.createCaption();
  if (!series) {
    caption.textContent = "No series selected";
    return;
  }
  caption.textContent = `Resting orders, put ${series.strike} ${formatTime(series.expiry)}`;
  const head = table.createTHead().insertRow();
  for (const h of ["Side", "Owner", "Contracts", "USDC / contract"]) head.insertCell().outerHTML = `<th>${h}</th>`;
  const body = table.createTBody();
  let listed = true;
  const rows = (side: "buy" | "sell") => {
    try {
      return m.book.orders(series, side);
    } catch {
      listed = false; // a series nobody listed yet has no orders
      return [];
    }
  };
  const asks = rows("sell").reverse();
  const bids = rows("buy");
  for (const [side, list] of [["ask", asks], ["bid", bids]] as const) {
    for (const o of list) {
      const row = body.insertRow();
      row.className = side;
      row.dataset.orderId = String(o.id);
      for (const text of [side, o.owner, formatUnitsText(o.size, SIZE_DECIMALS), usdc(o.price)]) row.insertCell().textContent = text;
    }
  }
  if (asks.length + bids.length === 0) body.insertRow().insertCell().textContent = listed ? "no resting orders" : "not listed yet (an order lists it)";
}

/** The quote's figures: premium, fees, total, vols and utilization. */
export function renderQuote(q: Quote): void {
  const facts: [string, string, string][] = [
    ["premium", usdc(q.premium), String(q.premium)],
    ["fees", usdc(q.fees), String(q.fees)],
    [q.side === "buy" ? "total to pay" : "total to receive", usdc(q.total), String(q.total)],
    ["per contract", usdc((q.total * CONTRACT) / q.size), String((q.total * CONTRACT) / q.size)],
    ["vol (smile) → priced at", `${(q.vol * 100).toFixed(2)} % → ${(q.volUsed * 100).toFixed(2)} %`, String(q.volUsed)],
    ["utilization after", `${(q.utilizationAfter * 100).toFixed(2)} %`, String(q.utilizationAfter)],
  ];
  const dl = $("quote-out");
  dl.replaceChildren();
  for (const [k, v, raw] of facts) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    dd.dataset.value = raw;
    dl.append(dt, dd);
  }
}

/** One line for a pool event in the page's log (amounts in USDC, sizes in contracts). */
export function describeEvent(e: PoolEvent): string {
  const u = (x: bigint) => usdc(x);
  const put = (s: { strike: number; expiry: number }) => `put ${s.strike} ${formatTime(s.expiry)}`;
  switch (e.kind) {
    case "deposit":
      return `#${e.seq} ${e.owner} deposited ${u(e.assets)} USDC`;
    case "redeem":
      return `#${e.seq} ${e.owner} redeemed for ${u(e.assets)} USDC`;
    case "withdrawalQueued":
      return `#${e.seq} ${e.owner}'s withdrawal #${e.id} queued`;
    case "withdrawalPaid":
      return `#${e.seq} withdrawal #${e.id} paid ${e.owner} ${u(e.assets)} USDC`;
    case "trade":
      return `#${e.seq} ${e.trader} ${e.side === "buy" ? "bought" : "sold"} ${formatUnitsText(e.size, SIZE_DECIMALS)} ${put(e.series)} from the pool for ${u(e.paid)} USDC at ${(e.vol * 100).toFixed(2)} % vol`;
    case "settle":
      return `#${e.seq} settled ${formatTime(e.expiry)} at ${e.price.toFixed(2)} (${e.source}); ${e.payouts.length} payouts, ${u(e.unlocked)} USDC unlocked`;
    case "claim":
      return `#${e.seq} ${e.account} claimed ${u(e.assets)} USDC`;
    case "tradingPaused":
      return `#${e.seq} trading paused until ${formatTime(e.pausedUntil)}: ${e.field} ${(e.deviation * 100).toFixed(1)} % from its average`;
    case "circuitBreaker":
      return `#${e.seq} ${e.breaker} breaker: withdrawals paused until ${formatTime(e.pausedUntil)} (${e.reason})`;
    default:
      return `#${e.seq} ${e.kind}`;
  }
}
