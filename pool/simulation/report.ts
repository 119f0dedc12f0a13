// Self-contained HTML report of a scenario run: inline SVG charts (report-charts.ts: share price, NAV, utilization,
// net greeks over time with the crash and attack days marked, the stress grid as a heat map, the VaR histogram) and
// summary tables; with hedge twins, the hedged and unhedged pools side by side and their daily P&L attribution
// (report-hedge.ts). No scripts, no network.
import { format } from "d3-format";
import type { HedgeTwins } from "./hedge-twins.js";
import { hedgeSection } from "./report-hedge.js";
import { esc, heatMap, histogram, lineChart, type Mark } from "./report-charts.js";
import type { ScenarioResult } from "./scenario.js";

export { heatMap, histogram, lineChart } from "./report-charts.js";

const fmt = format(",.4~s");

/** The run's crash and attack days as chart marks. */
export function eventMarks(result: ScenarioResult): Mark[] {
  const c = result.config;
  return [
    ...(c.crash ? [{ x: c.crash.day, label: `crash ${format("+.0%")(c.crash.spotMove)}` }] : []),
    ...(c.attacker?.attacks ?? []).map((a) => ({ x: a.day, label: `attack: ${a.kind}` })),
  ].filter((m) => m.x <= c.days);
}

/** The pool's smile at the end of the run: implied vol by strike / spot (log axis), one curve per expiry. */
export function smileChart(id: string, result: ScenarioResult): string {
  const { moneyness, curves } = result.smile;
  const colors = ["#a81f4f", "#1f5fa8", "#2a8a3a"];
  const series = curves.map((c, i) => ({ name: `${c.days} d`, values: c.vols.map((v) => v * 100), color: colors[i % colors.length]! }));
  const source = result.config.smile ? "SSVI surface" : "linear skew";
  return lineChart(id, `Vol smile at the end (%, ${source})`, moneyness, series, [], { label: "strike / spot", log: true, format: format(".2~f") });
}

/** Days as compact ranges: [1, 2, 3, 7] → "1–3, 7". */
function dayRanges(days: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < days.length; i++) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
    out.push(j > i ? `${days[i]}–${days[j]}` : `${days[i]}`);
    i = j;
  }
  return out.join(", ");
}

const BREAKER_MEANING: Record<string, string> = {
  settlement: "routine: LP withdrawals pause briefly after each expiry settles, so nobody redeems against a stale NAV",
  liquidity: "free liquidity fell below the breaker's share of the pool",
  ivJump: "base vol jumped beyond the breaker's threshold within its window",
};

/** Circuit-breaker trips (the pool's circuitBreaker events) grouped by breaker: days, what it means. */
export function breakerSummary(result: ScenarioResult): string {
  const byBreaker = new Map<string, number[]>();
  for (const e of result.defenceEvents) {
    if (e.kind !== "circuitBreaker") continue;
    const breaker = e.detail.slice(0, e.detail.indexOf(":"));
    byBreaker.set(breaker, [...new Set([...(byBreaker.get(breaker) ?? []), e.day])]);
  }
  if (byBreaker.size === 0) return `<section id="trips"><h2>Circuit-breaker trips</h2><p>None.</p></section>`;
  const rows = [...byBreaker].sort(([, a], [, b]) => b.length - a.length).map(([b, days]) => `<tr><td>${esc(b)}</td><td>${days.length}</td><td style="text-align:left">${dayRanges(days)}</td><td style="text-align:left">${esc(BREAKER_MEANING[b] ?? "")}</td></tr>`).join("");
  return `<section id="trips"><h2>Circuit-breaker trips</h2><table><tr><th>breaker</th><th>days tripped</th><th>which days</th><th>what it means</th></tr>${rows}</table></section>`;
}

const usd = (v: number) => `${v < 0 ? "−" : v > 0 ? "+" : ""}${Math.abs(v).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Peer book vs pool volume (contracts and premium). */
export function volumeSection(result: ScenarioResult): string {
  const v = result.volume;
  const total = v.peerContracts + v.poolContracts;
  const share = total > 0 ? (v.peerContracts / total) * 100 : 0;
  return `<section id="volume"><h2>Peer book vs pool</h2>
<p>Peers matched ${v.peerContracts.toFixed(2)} contracts (${share.toFixed(1)}% of all volume), the pool filled ${v.poolContracts.toFixed(2)} (${v.routedContracts.toFixed(2)} of them routed from the book).</p>
<table><tr><th>filled by</th><th>contracts</th><th>premium (USDC)</th></tr>
<tr><td>peers</td><td>${v.peerContracts.toFixed(2)}</td><td>${usd(v.peerPremium)}</td></tr>
<tr><td>pool</td><td>${v.poolContracts.toFixed(2)}</td><td>${usd(v.poolPremium)}</td></tr></table>
<p>${v.makerOrders} maker orders, ${v.takerOrders} taker orders.</p></section>`;
}

/** The attacker's gains or losses per attack, with the other LPs' change against an unattacked twin. */
export function attackerSection(result: ScenarioResult): string {
  const a = result.config.attacker;
  if (!a) return `<section id="attacker"><h2>Attacker</h2><p>No attacker in this scenario.</p></section>`;
  const rows = result.attacks.map((x) => {
    const others = x.others.reduce((s, o) => s + o.delta, 0);
    const param = Object.entries(x.undefendedParams).map(([k, v]) => `${k} ${v}`).join(", ");
    return `<tr class="attack" data-kind="${x.kind}" data-pnl="${x.pnl}"><td>day ${x.day}: ${esc(x.kind)}</td><td style="text-align:left">${esc(x.description)}</td><td class="pnl">${usd(x.pnl)}</td><td>${usd(x.undefendedPnl)} <small>(${esc(param)})</small></td><td class="others">${usd(others)}<br><small>${x.others.map((o) => `${esc(o.name)} ${usd(o.delta)}`).join(", ")}</small></td><td style="text-align:left">${[...x.defenceEvents, ...x.refused.map((r) => `refused ${r}`)].map(esc).join("<br>") || "none"}</td></tr>`;
  }).join("");
  const total = result.attacks.reduce((s, x) => s + x.pnl, 0);
  const undefended = result.attacks.reduce((s, x) => s + x.undefendedPnl, 0);
  return `<section id="attacker"><h2>Attacker: ${esc(a.name)}</h2>
<p id="attacker-summary">${esc(a.name)} ${total > 0 ? "gained" : "lost"} ${usd(Math.abs(total)).replace(/^[+−]/, "")} USDC over ${result.attacks.length} attack${result.attacks.length === 1 ? "" : "s"} with the defences on; the same attacks on a replayed twin with the targeted defence off would have made ${usd(undefended)} USDC.
The other LPs' column is their value after the attack minus their value in a replayed twin nobody attacked.</p>
<table><tr><th>attack</th><th>what</th><th>attacker P&amp;L (USDC)</th><th>defence off</th><th>other LPs (USDC)</th><th>defence events</th></tr>${rows}</table></section>`;
}

/** Every LP's (and the attacker's) deposits, redemptions, remaining value and P&L over the whole run. */
export function lpSection(result: ScenarioResult): string {
  const rows = result.lps.map((l) => `<tr><td>${esc(l.name)}</td><td>${usd(l.deposited)}</td><td>${usd(l.received)}</td><td>${usd(l.value)}</td><td>${usd(l.pnl)}</td></tr>`).join("");
  return `<section id="lps"><h2>LP results (whole run, market moves included)</h2><table><tr><th>LP</th><th>deposited</th><th>received</th><th>value now</th><th>P&amp;L</th></tr>${rows}</table></section>`;
}

/** Defence events recorded by the pool and trader operations it refused. */
export function defenceSection(result: ScenarioResult): string {
  const pauses = result.defenceEvents.filter((e) => e.kind === "tradingPaused");
  const items = pauses.map((e) => `<li>day ${e.day}: tradingPaused, ${esc(e.detail)}</li>`).join("") || "<li>none</li>";
  const refused = Object.entries(result.refusals).sort(([, a], [, b]) => b - a).map(([code, n]) => `<li>${esc(code)}: ${n}</li>`).join("") || "<li>none</li>";
  return `<section id="defences"><h2>Defence events</h2><p>${pauses.length} deviation pauses (spot or vol beyond maxTwapDeviation from its time average), ${result.defenceEvents.length - pauses.length} circuit-breaker events.</p>
<ul id="pauses">${items}</ul><h3>Refused operations by code</h3><ul id="refusals">${refused}</ul></section>`;
}

/** The whole report as one HTML document; with `twins`, `result` is the hedged twin and the twins are compared. */
export function renderReport(result: ScenarioResult, twins?: HedgeTwins): string {
  const t = result.timeline;
  const xs = t.map((d) => d.day);
  const last = t[t.length - 1]!;
  const v = result.var;
  const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
  const marks = eventMarks(result);
  const stressRows = result.stress.results.map((r) => `<tr><td>${esc(r.scenario.name)}</td><td>${fmt(r.spot)}</td><td>${pct(r.sharePriceChange)}</td><td>${r.solvency === Infinity ? "∞" : r.solvency.toFixed(3)}</td></tr>`).join("");
  const which = twins ? " (hedged pool)" : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pool2peer simulation report</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}h1{font-size:20px}.grid{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fafafa;border:1px solid #ddd}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}td:first-child{text-align:left}</style>
</head><body>
<h1>pool2peer simulation: ${result.config.days} days, seed ${result.config.seed}</h1>
<p id="summary">Final share price${which} ${last.sharePrice.toFixed(6)}, NAV ${fmt(last.nav)} USDC, utilization ${(last.utilization * 100).toFixed(1)}%, ${result.events} events, ${result.rejectedByRisk} operations rejected by the pre-trade check.
VaR 99% (${v.horizonDays} d) ${pct(v.valueAtRisk)} ± ${pct(v.valueAtRiskStdError)}, ES 99% ${pct(v.expectedShortfall)} ± ${pct(v.expectedShortfallStdError)}. Worst stress scenario: ${esc(result.stress.worst.scenario.name)} (${pct(result.stress.worst.sharePriceChange)}).</p>
${twins ? hedgeSection(twins, marks) : ""}
<h2>The pool${which} day by day</h2>
<div class="grid">
${lineChart("chart-share-price", "Share price (USDC per share)", xs, [{ name: "share price", values: t.map((d) => d.sharePrice), color: "#1f5fa8" }], marks)}
${lineChart("chart-nav", "NAV (USDC)", xs, [{ name: "NAV", values: t.map((d) => d.nav), color: "#2a8a3a" }], marks)}
${lineChart("chart-utilization", "Utilization", xs, [{ name: "utilization", values: t.map((d) => d.utilization), color: "#b5651d" }], marks)}
${lineChart("chart-delta-gamma", "Net delta of the options (ETH) and the hedge position", xs, [{ name: "options delta", values: t.map((d) => d.delta), color: "#7a1fa8" }, { name: "hedge", values: t.map((d) => d.hedgeSize), color: "#888", dashed: true }], marks)}
${lineChart("chart-vega-theta", "Net vega (USDC per 1.00 vol) and theta (USDC/yr ÷ 100)", xs, [{ name: "vega", values: t.map((d) => d.vega), color: "#a81f4f" }, { name: "theta ÷ 100", values: t.map((d) => d.theta / 100), color: "#1fa89a" }], marks)}
${heatMap("chart-stress", result)}
${histogram("chart-var", result)}
${smileChart("chart-smile", result)}
${lineChart("chart-volume", "Daily volume (contracts): peers vs pool", xs, [{ name: "peers", values: t.map((d) => d.peerContracts), color: "#d0731f" }, { name: "pool", values: t.map((d) => d.poolContracts), color: "#1f5fa8" }], marks)}
</div>
${attackerSection(result)}
${volumeSection(result)}
${defenceSection(result)}
${lpSection(result)}
${breakerSummary(result)}
<h2>Stress grid</h2><table><tr><th>scenario</th><th>spot</th><th>share price</th><th>solvency</th></tr>${stressRows}</table>
</body></html>
`;
}
