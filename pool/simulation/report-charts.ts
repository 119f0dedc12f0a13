// The report's SVG charts: line charts (d3-scale for nice domains and ticks, d3-format for tick labels), the stress
// heat map, the VaR histogram and the daily stacked attribution bars. Legends sit in a band above the plot, event
// marks (crash, attacks) are dashed verticals labelled along the line.
import { format } from "d3-format";
import { scaleLinear, scaleLog } from "d3-scale";
import type { ScenarioResult } from "./scenario.js";

export const W = 560;
const H = 250;
const PAD = { l: 58, r: 14, t: 46, b: 36 };

export function esc(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);
}

/** A series of a line chart. */
export interface Series {
  name: string;
  values: number[];
  color: string;
  dashed?: boolean;
}

/** A vertical mark on a day axis. */
export interface Mark {
  x: number;
  label: string;
}

/** d3's tick format for a domain: SI prefixes for large values, fixed with the ticks' precision otherwise. */
function tickFormat(scale: { tickFormat(count: number, specifier?: string): (v: number) => string }, lo: number, hi: number, count: number): (v: number) => string {
  return scale.tickFormat(count, Math.max(Math.abs(lo), Math.abs(hi)) >= 1e4 ? "~s" : ",~f");
}

function legend(series: { name: string; color: string; dashed?: boolean }[], y = 34): string {
  let x = PAD.l;
  return series.map((s) => {
    const item = `<line x1="${x}" x2="${x + 16}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="4 2"' : ""}/><text x="${x + 20}" y="${y}" font-size="11">${esc(s.name)}</text>`;
    x += 28 + 6.2 * s.name.length;
    return item;
  }).join("");
}

function frame(id: string, title: string, height: number, body: string): string {
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" xmlns="http://www.w3.org/2000/svg"><text x="${PAD.l}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>${body}</svg>`;
}

/** Horizontal grid lines and labels for `y`. */
function yAxis(y: ReturnType<typeof scaleLinear<number, number>>, count = 5, specifier?: string): string {
  const [lo, hi] = y.domain() as [number, number];
  const f = specifier ? y.tickFormat(count, specifier) : tickFormat(y, lo, hi, count);
  return y.ticks(count).map((v) => `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e3e3e3"/><text class="tick" x="${PAD.l - 6}" y="${(y(v) + 3.5).toFixed(1)}" text-anchor="end" font-size="10">${f(v)}</text>`).join("");
}

function xAxis(ticks: number[], px: (v: number) => number, f: (v: number) => string, label: string): string {
  const t = ticks.map((v) => `<text class="tick" x="${px(v).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle" font-size="10">${esc(f(v))}</text>`).join("");
  return `${t}<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 6}" text-anchor="middle" font-size="10" fill="#555">${esc(label)}</text>`;
}

function marksSvg(marks: Mark[], px: (v: number) => number): string {
  return marks.map((m) => {
    const x = px(m.x).toFixed(1);
    return `<g class="mark"><line x1="${x}" x2="${x}" y1="${PAD.t}" y2="${H - PAD.b}" stroke="#888" stroke-dasharray="3 3"/><text x="${x}" y="${PAD.t + 4}" font-size="9" fill="#555" transform="rotate(90 ${x} ${PAD.t + 4})" dx="2" dy="-3">${esc(m.label)}</text></g>`;
  }).join("");
}

/** A line chart over days (or over `x` with `xAxisSpec`), with optional event marks. */
export function lineChart(id: string, title: string, xs: number[], series: Series[], marks: Mark[] = [], xAxisSpec: { label: string; log?: boolean; format?: (v: number) => string } = { label: "day" }, ySpecifier?: string): string {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const y = scaleLinear().domain([lo, hi]).nice(5).range([H - PAD.b, PAD.t + 6]);
  const x = xAxisSpec.log ? scaleLog().domain([xs[0]!, xs.at(-1)!]).range([PAD.l, W - PAD.r]) : scaleLinear().domain([xs[0]!, xs.at(-1)! === xs[0]! ? xs[0]! + 1 : xs.at(-1)!]).range([PAD.l, W - PAD.r]);
  const xf = xAxisSpec.format ?? format("~d");
  const paths = series.map((s) => `<path class="series" d="${s.values.map((v, i) => `${i ? "L" : "M"}${x(xs[i]!).toFixed(1)},${y(v).toFixed(1)}`).join("")}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ""}><title>${esc(s.name)}</title></path>`).join("");
  const body = `${yAxis(y, 5, ySpecifier)}${xAxis(x.ticks(6), x, xf, xAxisSpec.label)}${marksSvg(marks, x)}${paths}${series.length > 1 ? legend(series) : ""}`;
  return frame(id, title, H, body);
}

/** The stress grid as a heat map: rows = vol shock, columns = spot factor, colour = share-price change. */
export function heatMap(id: string, result: ScenarioResult): string {
  const cells = result.stress.results;
  const spots = [...new Set(cells.map((r) => r.scenario.spotFactor))].sort((a, b) => a - b);
  const shocks = [...new Set(cells.map((r) => r.scenario.volShock))].sort((a, b) => b - a);
  const top = 28;
  const cw = (W - PAD.l - PAD.r) / spots.length;
  const ch = Math.min(40, (H - top - PAD.b) / shocks.length);
  const worst = Math.max(1e-9, ...cells.map((r) => Math.abs(r.sharePriceChange)));
  const pct = format(".1f");
  const rects = cells.map((r) => {
    const i = spots.indexOf(r.scenario.spotFactor);
    const j = shocks.indexOf(r.scenario.volShock);
    const t = Math.min(1, Math.abs(r.sharePriceChange) / worst);
    const fade = Math.round(255 * (1 - t));
    const color = r.sharePriceChange < 0 ? `rgb(255,${fade},${fade})` : `rgb(${fade},255,${fade})`;
    const x = PAD.l + i * cw;
    const y = top + j * ch;
    return `<rect class="cell" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(cw - 1).toFixed(1)}" height="${(ch - 1).toFixed(1)}" fill="${color}"><title>${esc(r.scenario.name)}: ${pct(r.sharePriceChange * 100)}%</title></rect><text x="${(x + cw / 2).toFixed(1)}" y="${(y + ch / 2 + 4).toFixed(1)}" text-anchor="middle" font-size="9">${pct(r.sharePriceChange * 100)}</text>`;
  }).join("");
  const xl = spots.map((s, i) => `<text x="${(PAD.l + (i + 0.5) * cw).toFixed(1)}" y="${top + shocks.length * ch + 14}" text-anchor="middle" font-size="10">×${s}</text>`).join("");
  const yl = shocks.map((s, j) => `<text x="${PAD.l - 6}" y="${(top + (j + 0.5) * ch + 4).toFixed(1)}" text-anchor="end" font-size="10">vol ${format("+.0%")(s)}</text>`).join("");
  return frame(id, "Stress grid: share-price change (%) by spot factor and vol shock", top + shocks.length * ch + 24, rects + xl + yl);
}

/** Histogram of the Monte Carlo share-price losses, VaR and ES marked (labels on either side of their lines). */
export function histogram(id: string, result: ScenarioResult, bins = 50): string {
  const losses = result.var.losses;
  const x = scaleLinear().domain([losses[0]!, Math.max(losses.at(-1)!, losses[0]! + 1e-9)]).nice(6).range([PAD.l, W - PAD.r]);
  const [lo, hi] = x.domain() as [number, number];
  const counts = new Array<number>(bins).fill(0);
  for (const l of losses) counts[Math.min(bins - 1, Math.floor(((l - lo) / (hi - lo)) * bins))]++;
  const y = scaleLinear().domain([0, Math.max(...counts)]).nice(4).range([H - PAD.b, PAD.t]);
  const bw = (W - PAD.l - PAD.r) / bins;
  const bars = counts.map((n, i) => `<rect class="bar" x="${(PAD.l + i * bw).toFixed(1)}" y="${y(n).toFixed(1)}" width="${Math.max(0.5, bw - 1).toFixed(1)}" height="${(H - PAD.b - y(n)).toFixed(1)}" fill="#4a78b5"/>`).join("");
  const pct = format(".2%");
  const mark = (v: number, label: string, color: string, side: "left" | "right", row: number) => {
    const px = x(v).toFixed(1);
    const dx = side === "left" ? -4 : 4;
    return `<line x1="${px}" x2="${px}" y1="${PAD.t}" y2="${H - PAD.b}" stroke="${color}" stroke-dasharray="4 2"/><text class="var-label" x="${(x(v) + dx).toFixed(1)}" y="${PAD.t + 10 + row * 14}" text-anchor="${side === "left" ? "end" : "start"}" font-size="10" fill="${color}">${label} ${pct(v)}</text>`;
  };
  const v = result.var;
  const body = `${yAxis(y, 4)}${xAxis(x.ticks(6), x, x.tickFormat(6, "%"), "share-price loss over the horizon")}${bars}${mark(v.valueAtRisk, "VaR 99%", "#c00", "left", 0)}${mark(v.expectedShortfall, "ES 99%", "#800", "right", 1)}`;
  return frame(id, `${v.horizonDays}-day share-price loss, ${format(",")(v.paths)} paths`, H, body);
}

/** One stacked category of the attribution chart. */
export interface StackPart {
  name: string;
  color: string;
  values: number[];
}

/** Daily stacked bars: gains stacked up from 0, losses down; a dot marks each day's net. */
export function stackedBars(id: string, title: string, xs: number[], parts: StackPart[], marks: Mark[] = []): string {
  const up = xs.map((_, i) => parts.reduce((a, p) => a + Math.max(0, p.values[i]!), 0));
  const down = xs.map((_, i) => parts.reduce((a, p) => a + Math.min(0, p.values[i]!), 0));
  const top = 62;
  const height = H + 20;
  const y = scaleLinear().domain([Math.min(0, ...down), Math.max(0, ...up)]).nice(5).range([height - PAD.b, top]);
  const x = scaleLinear().domain([xs[0]! - 0.5, xs.at(-1)! + 0.5]).range([PAD.l, W - PAD.r]);
  const bw = Math.max(1, (W - PAD.l - PAD.r) / xs.length - 1);
  let bars = "";
  xs.forEach((day, i) => {
    let pos = 0;
    let neg = 0;
    for (const p of parts) {
      const v = p.values[i]!;
      if (v === 0) continue;
      const from = v > 0 ? pos : neg;
      const to = from + v;
      if (v > 0) pos = to;
      else neg = to;
      bars += `<rect class="stack" data-part="${esc(p.name)}" x="${(x(day) - bw / 2).toFixed(1)}" y="${Math.min(y(from), y(to)).toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.abs(y(to) - y(from)).toFixed(2)}" fill="${p.color}"><title>day ${day} ${esc(p.name)}: ${format(",.0f")(v)}</title></rect>`;
    }
    const net = parts.reduce((a, p) => a + p.values[i]!, 0);
    bars += `<circle cx="${x(day).toFixed(1)}" cy="${y(net).toFixed(1)}" r="1.8" fill="#000"><title>day ${day} net ${format(",.0f")(net)}</title></circle>`;
  });
  const rows = [parts.slice(0, 6), parts.slice(6)];
  const legends = rows.map((r, k) => legend(r, 34 + k * 14)).join("");
  const gridY = y.ticks(5).map((v) => `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? "#999" : "#e3e3e3"}"/><text class="tick" x="${PAD.l - 6}" y="${(y(v) + 3.5).toFixed(1)}" text-anchor="end" font-size="10">${tickFormat(y, ...(y.domain() as [number, number]), 5)(v)}</text>`).join("");
  const xt = x.ticks(6).filter(Number.isInteger).map((v) => `<text class="tick" x="${x(v).toFixed(1)}" y="${height - PAD.b + 14}" text-anchor="middle" font-size="10">${v}</text>`).join("");
  const m = marks.map((mk) => `<line x1="${x(mk.x).toFixed(1)}" x2="${x(mk.x).toFixed(1)}" y1="${top}" y2="${height - PAD.b}" stroke="#888" stroke-dasharray="3 3"/>`).join("");
  return frame(id, title, height, `${gridY}${xt}<text x="${(PAD.l + W - PAD.r) / 2}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#555">day</text>${m}${bars}${legends}`);
}
