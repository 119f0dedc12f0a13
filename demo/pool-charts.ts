// The pool page's charts as inline SVG strings (no DOM, no library): the smile of one expiry with the traded strikes
// marked, the stress heat map (spot × vol), and a small line chart of a series over the ticks.
import type { StressReport } from "../index.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fix = (x: number) => x.toFixed(1);

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^n). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  // Each tick is k·step rounded to the step's decimals, so no error accumulates and labels print short.
  const decimals = Math.min(20, Math.max(0, 1 - Math.floor(Math.log10(step))));
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toFixed(decimals)));
  return out;
}

/** What the smile chart draws: the smile (strike → vol), the pool's and the book's traded strikes, the selection. */
export interface SmileInput {
  title: string;
  strikes: number[];
  vols: number[];
  spot: number;
  poolStrikes: number[];
  bookStrikes: number[];
  /** The strike in the trade form, and the vol its last quote was priced at (with IV impact), if any. */
  selected?: { strike: number; volUsed?: number };
  volAt: (strike: number) => number;
}

/** The smile of one expiry: vol against strike, spot dashed, traded strikes as dots on the curve. */
export function smileSvg(input: SmileInput, width = 460, height = 250): string {
  const pad = { l: 44, r: 12, t: 24, b: 34 };
  const kLo = input.strikes[0]!;
  const kHi = input.strikes[input.strikes.length - 1]!;
  const vols = [...input.vols, ...(input.selected?.volUsed === undefined ? [] : [input.selected.volUsed])];
  const vLo = Math.min(...vols) * 0.95;
  const vHi = Math.max(...vols) * 1.05;
  const sx = (k: number) => pad.l + ((k - kLo) / (kHi - kLo)) * (width - pad.l - pad.r);
  const sy = (v: number) => height - pad.b - ((v - vLo) / (vHi - vLo)) * (height - pad.t - pad.b);
  const parts: string[] = [`<text x="${pad.l}" y="15" class="title">${esc(input.title)}</text>`];
  for (const v of niceTicks(vLo, vHi, 4)) {
    parts.push(`<line class="grid" x1="${pad.l}" x2="${width - pad.r}" y1="${fix(sy(v))}" y2="${fix(sy(v))}"/>`);
    parts.push(`<text x="${pad.l - 4}" y="${fix(sy(v) + 4)}" text-anchor="end">${Math.round(v * 100)}%</text>`);
  }
  for (const k of niceTicks(kLo, kHi, 5)) parts.push(`<text x="${fix(sx(k))}" y="${height - pad.b + 15}" text-anchor="middle">${k}</text>`);
  parts.push(`<text x="${width - pad.r}" y="${height - 4}" text-anchor="end">strike (USDC)</text>`);
  parts.push(`<line class="spot" x1="${fix(sx(input.spot))}" x2="${fix(sx(input.spot))}" y1="${pad.t}" y2="${height - pad.b}"><title>spot ${input.spot.toFixed(2)}</title></line>`);
  const points = input.strikes.map((k, i) => `${fix(sx(k))},${fix(sy(input.vols[i]!))}`).join(" ");
  parts.push(`<polyline class="smile" points="${points}"/>`);
  const inRange = (k: number) => k >= kLo && k <= kHi;
  for (const k of input.poolStrikes.filter(inRange))
    parts.push(`<circle class="traded pool" cx="${fix(sx(k))}" cy="${fix(sy(input.volAt(k)))}" r="5"><title>pool open interest at ${k}</title></circle>`);
  for (const k of input.bookStrikes.filter(inRange))
    parts.push(`<rect class="traded book" x="${fix(sx(k) - 4)}" y="${fix(sy(input.volAt(k)) - 4)}" width="8" height="8"><title>peer open interest at ${k}</title></rect>`);
  const sel = input.selected;
  if (sel && inRange(sel.strike)) {
    parts.push(`<line class="selected" x1="${fix(sx(sel.strike))}" x2="${fix(sx(sel.strike))}" y1="${pad.t}" y2="${height - pad.b}"/>`);
    if (sel.volUsed !== undefined)
      parts.push(`<path class="quoted" d="M${fix(sx(sel.strike))},${fix(sy(sel.volUsed) - 6)} l5,9 h-10 z"><title>last quote priced at ${(sel.volUsed * 100).toFixed(2)}%</title></path>`);
  }
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(input.title)}">${parts.join("")}</svg>`;
}

/** Fill colour of a share-price change: red for losses, green for gains, white at zero (saturating at ±`full`). */
export function changeColor(change: number, full = 0.05): string {
  const t = Math.max(-1, Math.min(1, change / full));
  const light = Math.round(97 - 45 * Math.abs(t));
  return t < 0 ? `hsl(0 75% ${light}%)` : `hsl(140 55% ${light}%)`;
}

const SPOT_FACTORS = [0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.2];
const VOL_ROWS = [["vol up", 0.25], ["vol flat", 0], ["vol down", -0.25]] as const;

/** The stress grid as a heat map: share-price change for spot × {0.8 … 1.2} and vol {+25 %, flat, −25 %}. */
export function heatMapSvg(report: StressReport, width = 460, height = 190): string {
  const pad = { l: 70, r: 8, t: 26, b: 22 };
  const cw = (width - pad.l - pad.r) / SPOT_FACTORS.length;
  const ch = (height - pad.t - pad.b) / VOL_ROWS.length;
  const parts: string[] = [`<text x="${pad.l}" y="15" class="title">Share-price change under spot × vol shocks</text>`];
  SPOT_FACTORS.forEach((f, c) => {
    const label = f === 1 ? "spot" : `${f > 1 ? "+" : ""}${Math.round((f - 1) * 100)}%`;
    parts.push(`<text x="${fix(pad.l + (c + 0.5) * cw)}" y="${height - 6}" text-anchor="middle">${label}</text>`);
  });
  VOL_ROWS.forEach(([label, shock], r) => {
    parts.push(`<text x="${pad.l - 6}" y="${fix(pad.t + (r + 0.5) * ch + 4)}" text-anchor="end">${label}</text>`);
    SPOT_FACTORS.forEach((f, c) => {
      const res = report.results.find((x) => x.scenario.spotFactor === f && x.scenario.volShock === shock && !x.scenario.volShift && !x.scenario.skewChange && !x.scenario.termTwist);
      if (!res) return;
      const change = res.sharePriceChange;
      const x = pad.l + c * cw;
      const y = pad.t + r * ch;
      parts.push(
        `<rect class="cell" data-scenario="${esc(res.scenario.name)}" data-change="${change}" x="${fix(x)}" y="${fix(y)}" width="${fix(cw - 2)}" height="${fix(ch - 2)}" fill="${changeColor(change)}"><title>${esc(res.scenario.name)}: share price ${(change * 100).toFixed(3)}%, solvency ${res.solvency.toFixed(2)}</title></rect>`,
      );
      parts.push(`<text class="cell-text" x="${fix(x + cw / 2 - 1)}" y="${fix(y + ch / 2 + 4)}" text-anchor="middle">${(change * 100).toFixed(2)}%</text>`);
    });
  });
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Stress heat map">${parts.join("")}</svg>`;
}

/** A small line chart of `values` (one per tick), with its first and last value labelled. */
export function lineSvg(title: string, values: number[], format: (v: number) => string, width = 300, height = 90): string {
  const pad = { l: 6, r: 6, t: 20, b: 6 };
  if (values.length === 0) return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"></svg>`;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || Math.abs(hi) * 1e-6 || 1;
  const sx = (i: number) => pad.l + (values.length === 1 ? 0 : (i / (values.length - 1)) * (width - pad.l - pad.r));
  const sy = (v: number) => height - pad.b - ((v - lo) / span) * (height - pad.t - pad.b);
  const points = values.map((v, i) => `${fix(sx(i))},${fix(sy(v))}`).join(" ");
  return (
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">` +
    `<text x="${pad.l}" y="13" class="title">${esc(title)}</text><text x="${width - pad.r}" y="13" text-anchor="end">${esc(format(values[values.length - 1]!))}</text>` +
    `<polyline class="line" points="${points}"/></svg>`
  );
}
