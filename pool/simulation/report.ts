// Self-contained HTML report of a scenario run: inline SVG charts (share price, NAV, utilization, net greeks
// over time, the stress grid as a heat map, the VaR histogram) and summary tables. No scripts, no network.
import type { ScenarioResult } from "./scenario.js";

const W = 560;
const H = 220;
const PAD = { l: 64, r: 12, t: 28, b: 28 };

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : a >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : a >= 1 || a === 0 ? v.toFixed(2) : v.toPrecision(3);
}

/** A line chart of one or more series over x (axis ends labelled by `xLabel`, by default "day x"). */
export function lineChart(id: string, title: string, xs: number[], series: { name: string; values: number[]; color: string }[], xLabel = (x: number) => `day ${x}`): string {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) { hi += 1; lo -= 1; }
  const x0 = xs[0]!;
  const x1 = xs[xs.length - 1]! === x0 ? x0 + 1 : xs[xs.length - 1]!;
  const px = (x: number) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const py = (y: number) => H - PAD.b - ((y - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
  const paths = series.map((s) => `<path class="series" d="${s.values.map((v, i) => `${i ? "L" : "M"}${px(xs[i]!).toFixed(1)},${py(v).toFixed(1)}`).join("")}" fill="none" stroke="${s.color}" stroke-width="1.6"><title>${esc(s.name)}</title></path>`).join("");
  const legend = series.map((s, i) => `<text x="${PAD.l + 8 + i * 110}" y="${PAD.t + 12}" fill="${s.color}" font-size="11">${esc(s.name)}</text>`).join("");
  const ticks = [lo, (lo + hi) / 2, hi].map((v) => `<text x="${PAD.l - 6}" y="${py(v) + 4}" text-anchor="end" font-size="10">${fmt(v)}</text><line x1="${PAD.l}" x2="${W - PAD.r}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>`).join("");
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><text x="${PAD.l}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>${ticks}<text x="${W - PAD.r}" y="${H - 8}" text-anchor="end" font-size="10">${esc(xLabel(x1))}</text><text x="${PAD.l}" y="${H - 8}" font-size="10">${esc(xLabel(x0))}</text>${paths}${legend}</svg>`;
}

/** The stress grid as a heat map: rows = vol shock, columns = spot factor, colour = share-price change. */
export function heatMap(id: string, result: ScenarioResult): string {
  const cells = result.stress.results;
  const spots = [...new Set(cells.map((r) => r.scenario.spotFactor))].sort((a, b) => a - b);
  const shocks = [...new Set(cells.map((r) => r.scenario.volShock))].sort((a, b) => b - a);
  const cw = (W - PAD.l - PAD.r) / spots.length;
  const ch = Math.min(40, (H - PAD.t - PAD.b) / shocks.length);
  const worst = Math.max(1e-9, ...cells.map((r) => Math.abs(r.sharePriceChange)));
  const rects = cells.map((r) => {
    const i = spots.indexOf(r.scenario.spotFactor);
    const j = shocks.indexOf(r.scenario.volShock);
    const t = Math.min(1, Math.abs(r.sharePriceChange) / worst);
    const color = r.sharePriceChange < 0 ? `rgb(${255},${Math.round(255 * (1 - t))},${Math.round(255 * (1 - t))})` : `rgb(${Math.round(255 * (1 - t))},${255},${Math.round(255 * (1 - t))})`;
    const x = PAD.l + i * cw;
    const y = PAD.t + j * ch;
    return `<rect class="cell" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(cw - 1).toFixed(1)}" height="${(ch - 1).toFixed(1)}" fill="${color}"><title>${esc(r.scenario.name)}: ${(r.sharePriceChange * 100).toFixed(2)}%</title></rect><text x="${(x + cw / 2).toFixed(1)}" y="${(y + ch / 2 + 4).toFixed(1)}" text-anchor="middle" font-size="9">${(r.sharePriceChange * 100).toFixed(1)}</text>`;
  }).join("");
  const xl = spots.map((s, i) => `<text x="${(PAD.l + (i + 0.5) * cw).toFixed(1)}" y="${PAD.t + shocks.length * ch + 14}" text-anchor="middle" font-size="10">×${s}</text>`).join("");
  const yl = shocks.map((s, j) => `<text x="${PAD.l - 6}" y="${(PAD.t + (j + 0.5) * ch + 4).toFixed(1)}" text-anchor="end" font-size="10">vol ${s >= 0 ? "+" : ""}${Math.round(s * 100)}%</text>`).join("");
  const height = PAD.t + shocks.length * ch + 24;
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" xmlns="http://www.w3.org/2000/svg"><text x="${PAD.l}" y="16" font-size="13" font-weight="bold">Stress grid: share-price change (%) by spot factor and vol shock</text>${rects}${xl}${yl}</svg>`;
}

/** The pool's smile at the end of the run: implied vol by strike / spot (log axis), one curve per expiry. */
export function smileChart(id: string, result: ScenarioResult): string {
  const { moneyness, curves } = result.smile;
  const colors = ["#a81f4f", "#1f5fa8", "#2a8a3a"];
  const series = curves.map((c, i) => ({ name: `${c.days} d`, values: c.vols.map((v) => v * 100), color: colors[i % colors.length]! }));
  const source = result.config.smile ? "SSVI surface" : "linear skew";
  return lineChart(id, `Vol smile at the end (%, ${source}) by strike / spot`, moneyness.map(Math.log), series, (x) => `K/S ${Math.exp(x).toFixed(2)}`);
}

/** Histogram of the Monte Carlo share-price losses, VaR and ES marked. */
export function histogram(id: string, result: ScenarioResult, bins = 50): string {
  const losses = result.var.losses;
  const lo = losses[0]!;
  const hi = losses[losses.length - 1]! > lo ? losses[losses.length - 1]! : lo + 1e-9;
  const counts = new Array<number>(bins).fill(0);
  for (const l of losses) counts[Math.min(bins - 1, Math.floor(((l - lo) / (hi - lo)) * bins))]++;
  const top = Math.max(...counts);
  const bw = (W - PAD.l - PAD.r) / bins;
  const px = (v: number) => PAD.l + ((v - lo) / (hi - lo)) * (W - PAD.l - PAD.r);
  const bars = counts.map((n, i) => {
    const h = (n / top) * (H - PAD.t - PAD.b);
    return `<rect class="bar" x="${(PAD.l + i * bw).toFixed(1)}" y="${(H - PAD.b - h).toFixed(1)}" width="${Math.max(0.5, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#4a78b5"/>`;
  }).join("");
  const mark = (v: number, label: string, color: string) => `<line x1="${px(v).toFixed(1)}" x2="${px(v).toFixed(1)}" y1="${PAD.t}" y2="${H - PAD.b}" stroke="${color}" stroke-dasharray="4 2"/><text x="${(px(v) - 4).toFixed(1)}" y="${PAD.t + 10}" text-anchor="end" font-size="10" fill="${color}">${label}</text>`;
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><text x="${PAD.l}" y="16" font-size="13" font-weight="bold">${result.var.horizonDays}-day share-price loss, ${result.var.paths.toLocaleString("en")} paths</text>${bars}${mark(result.var.valueAtRisk, "VaR 99%", "#c00")}${mark(result.var.expectedShortfall, "ES 99%", "#800")}<text x="${PAD.l}" y="${H - 8}" font-size="10">${(lo * 100).toFixed(2)}%</text><text x="${W - PAD.r}" y="${H - 8}" text-anchor="end" font-size="10">${(hi * 100).toFixed(2)}%</text></svg>`;
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

/** The whole report as one HTML document. */
export function renderReport(result: ScenarioResult): string {
  const t = result.timeline;
  const xs = t.map((d) => d.day);
  const last = t[t.length - 1]!;
  const v = result.var;
  const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
  const trips = t.flatMap((d) => d.breakerTrips.map((b) => `<li>day ${d.day}: ${esc(b)}</li>`)).join("") || "<li>none</li>";
  const stressRows = result.stress.results.map((r) => `<tr><td>${esc(r.scenario.name)}</td><td>${fmt(r.spot)}</td><td>${pct(r.sharePriceChange)}</td><td>${r.solvency === Infinity ? "∞" : r.solvency.toFixed(3)}</td></tr>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pool2peer simulation report</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}.grid{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fafafa;border:1px solid #ddd}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}td:first-child{text-align:left}</style>
</head><body>
<h1>pool2peer simulation: ${result.config.days} days, seed ${result.config.seed}</h1>
<p id="summary">Final share price ${last.sharePrice.toFixed(6)}, NAV ${fmt(last.nav)} USDC, utilization ${(last.utilization * 100).toFixed(1)}%, ${result.events} events, ${result.rejectedByRisk} operations rejected by the pre-trade check.
VaR 99% (${v.horizonDays} d) ${pct(v.valueAtRisk)} ± ${pct(v.valueAtRiskStdError)}, ES 99% ${pct(v.expectedShortfall)} ± ${pct(v.expectedShortfallStdError)}. Worst stress scenario: ${esc(result.stress.worst.scenario.name)} (${pct(result.stress.worst.sharePriceChange)}).</p>
<div class="grid">
${lineChart("chart-share-price", "Share price (USDC per share)", xs, [{ name: "share price", values: t.map((d) => d.sharePrice), color: "#1f5fa8" }])}
${lineChart("chart-nav", "NAV (USDC)", xs, [{ name: "NAV", values: t.map((d) => d.nav), color: "#2a8a3a" }])}
${lineChart("chart-utilization", "Utilization", xs, [{ name: "utilization", values: t.map((d) => d.utilization), color: "#b5651d" }])}
${lineChart("chart-delta-gamma", "Net delta (ETH)", xs, [{ name: "delta", values: t.map((d) => d.delta), color: "#7a1fa8" }])}
${lineChart("chart-vega-theta", "Net vega (USDC per 1.00 vol) and theta (USDC/yr ÷ 100)", xs, [{ name: "vega", values: t.map((d) => d.vega), color: "#a81f4f" }, { name: "theta/100", values: t.map((d) => d.theta / 100), color: "#1fa89a" }])}
${heatMap("chart-stress", result)}
${histogram("chart-var", result)}
${smileChart("chart-smile", result)}
${lineChart("chart-volume", "Daily volume (contracts): peers vs pool", xs, [{ name: "peers", values: t.map((d) => d.peerContracts), color: "#d0731f" }, { name: "pool", values: t.map((d) => d.poolContracts), color: "#1f5fa8" }])}
</div>
${attackerSection(result)}
${volumeSection(result)}
${defenceSection(result)}
${lpSection(result)}
<h2>Circuit-breaker trips</h2><ul id="trips">${trips}</ul>
<h2>Stress grid</h2><table><tr><th>scenario</th><th>spot</th><th>share price</th><th>solvency</th></tr>${stressRows}</table>
</body></html>
`;
}
