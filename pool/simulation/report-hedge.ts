// The report's hedging section: the hedged and unhedged twins side by side (share price, drawdown, what hedging cost
// against the fees charged for it) and each twin's daily P&L attribution as stacked bars, with the run's totals in
// words: why the LPs gained or lost.
import { format } from "d3-format";
import type { PnlAttribution } from "../hedge/attribution.js";
import type { HedgeTwins } from "./hedge-twins.js";
import { esc, lineChart, stackedBars, type Mark, type StackPart } from "./report-charts.js";
import type { ScenarioResult } from "./scenario.js";

/** The attribution's P&L parts (LP flows aside), their labels and colours. */
export const ATTRIBUTION_PARTS = [
  ["premium", "premium", "#1f77b4"], ["fees", "fees", "#2ca02c"], ["theta", "theta", "#17becf"], ["delta", "delta", "#d62728"],
  ["gamma", "gamma", "#ff7f0e"], ["vega", "vega", "#9467bd"], ["skew", "skew", "#e377c2"], ["hedgePnl", "hedge P&L", "#7f7f7f"],
  ["hedgeCosts", "hedge costs", "#bcbd22"], ["funding", "funding", "#8c564b"], ["unexplained", "remainder", "#000000"],
] as const satisfies readonly (readonly [keyof PnlAttribution, string, string])[];

const usdc = (x: bigint) => Number(x) / 1e6;
const money = format(",.0f");
const signed = format("+,.0f");

/** Each part's total over the run (whole USDC). */
export function attributionTotals(days: readonly PnlAttribution[]): Record<(typeof ATTRIBUTION_PARTS)[number][0], number> {
  const out = {} as Record<(typeof ATTRIBUTION_PARTS)[number][0], number>;
  for (const [key] of ATTRIBUTION_PARTS) out[key] = days.reduce((a, d) => a + usdc(d[key]), 0);
  return out;
}

/** Largest |remainder| / |ΔNAV| over the days (0 when nothing moved). */
export function worstRemainder(days: readonly PnlAttribution[]): number {
  return Math.max(0, ...days.filter((d) => d.navChange !== 0n).map((d) => Math.abs(Number(d.unexplained)) / Math.abs(Number(d.navChange))));
}

function attributionChart(id: string, title: string, r: ScenarioResult, marks: Mark[]): string {
  const days = r.hedge!.attribution;
  const parts: StackPart[] = ATTRIBUTION_PARTS.map(([key, name, color]) => ({ name, color, values: days.map((d) => usdc(d[key])) }));
  return stackedBars(id, title, days.map((_, i) => i + 1), parts, marks);
}

/** Why the twin's LPs gained or lost, from its attribution totals (largest parts first). */
export function lossExplanation(name: string, r: ScenarioResult): string {
  const t = attributionTotals(r.hedge!.attribution);
  const tl = r.timeline;
  const total = Object.values(t).reduce((a, b) => a + b, 0);
  const ranked = ATTRIBUTION_PARTS.filter(([key]) => key !== "unexplained" && Math.abs(t[key]) >= 0.005 * Math.abs(total)).sort(([a], [b]) => Math.abs(t[b]) - Math.abs(t[a]));
  const spot = `spot went from ${money(tl[0]!.spot)} to ${money(tl.at(-1)!.spot)}`;
  const largest = ranked[0];
  const why = largest?.[0] === "delta" ? ` The pool is short puts, so it is long delta: ${spot} and delta is the largest part.` : ` (${spot}.)`;
  return `<p class="explain">${esc(name)}: share price ${tl[0]!.sharePrice.toFixed(4)} → ${tl.at(-1)!.sharePrice.toFixed(4)}; LPs' P&amp;L ${signed(total)} USDC = ${ranked.map(([key, label]) => `${label} ${signed(t[key])}`).join(", ")}${Math.abs(t.unexplained) >= 1 ? `, remainder ${signed(t.unexplained)}` : ""}.${why}</p>`;
}

/** The twins compared. */
export function hedgeSection(twins: HedgeTwins, marks: Mark[]): string {
  const { hedged: h, unhedged: u } = twins;
  const fh = twins.figures.hedged;
  const fu = twins.figures.unhedged;
  const xs = h.timeline.map((d) => d.day);
  const drawdown = (r: ScenarioResult) => {
    let peak = -Infinity;
    return r.timeline.map((d) => ((peak = Math.max(peak, d.sharePrice)), (d.sharePrice - peak) / peak));
  };
  const pct = format(".1%");
  const run = h.hedge!;
  const passes = Object.entries(run.passes).map(([k, n]) => `${k} ${n}`).join(", ");
  const worst = Math.max(worstRemainder(run.attribution), worstRemainder(u.hedge!.attribution));
  return `<section id="hedging"><h2>Hedged vs unhedged</h2>
<p>The same scenario twice: one pool hedges its options' delta on a simulated perpetual after each day's trades, its twin does not. Both charge the hedge fee in their quotes.</p>
<table id="twins"><tr><th></th><th>hedged</th><th>unhedged</th></tr>
<tr><td>max drawdown of the share price</td><td>${pct(fh.maxDrawdown)}</td><td>${pct(fu.maxDrawdown)}</td></tr>
<tr><td>final share price</td><td>${fh.finalSharePrice.toFixed(4)}</td><td>${fu.finalSharePrice.toFixed(4)}</td></tr>
<tr><td>hedge fees charged in quotes (USDC)</td><td>${money(fh.hedgeFeesCharged)}</td><td>${money(fu.hedgeFeesCharged)}</td></tr>
<tr><td>… of which due within the run</td><td>${money(fh.hedgeFeesAccrued)}</td><td>${money(fu.hedgeFeesAccrued)}</td></tr>
<tr><td>… the fee model's cost on the book the run held</td><td>${money(fh.hedgeFeesOnPath)}</td><td>${money(fu.hedgeFeesOnPath)}</td></tr>
<tr><td>hedge costs paid: venue fees + slippage</td><td>${money(fh.hedgeCosts)}</td><td>0</td></tr>
<tr><td>funding paid (negative: received)</td><td>${money(fh.funding)}</td><td>0</td></tr></table>
<p id="twin-ratios">Drawdown hedged ÷ unhedged: <b>${twins.drawdownRatio.toFixed(3)}</b> (target ≤ 0.25). Hedge costs ÷ the hedge fees due within the run: <b>${twins.costToFeeRatio.toFixed(3)}</b> (target 1 ± 0.1); the fee charges the expected re-hedging of each option's gamma over its life, so the part for options still open at the end is not yet due. Hedge costs ÷ the fee model's cost on the book the run held (the day's flows netted as they happened, the spot's moves the only chance left): <b>${twins.costToPathRatio.toFixed(3)}</b>; one path's ratios scatter by 0.12 (the moves) to 0.17 (the path's gamma) around their mean (docs/hedging.md). The hedger traded ${money(run.tradedDelta)} ETH (${money(run.tradedNotional)} USDC); hedging passes: ${esc(passes)}.
Largest daily remainder of the attribution: ${format(".2~e")(worst)} of |ΔNAV| (target ≤ 1 %).</p>
${lossExplanation("Unhedged", u)}
${lossExplanation("Hedged", h)}
<div class="grid">
${lineChart("chart-twin-share-price", "Share price: hedged vs unhedged", xs, [{ name: "hedged", values: h.timeline.map((d) => d.sharePrice), color: "#1f5fa8" }, { name: "unhedged", values: u.timeline.map((d) => d.sharePrice), color: "#c0392b", dashed: true }], marks)}
${lineChart("chart-twin-drawdown", "Drawdown from the running peak", xs, [{ name: "hedged", values: drawdown(h), color: "#1f5fa8" }, { name: "unhedged", values: drawdown(u), color: "#c0392b", dashed: true }], marks, undefined, "~%")}
${attributionChart("chart-attribution-hedged", "Daily P&L attribution, hedged (USDC)", h, marks)}
${attributionChart("chart-attribution-unhedged", "Daily P&L attribution, unhedged (USDC)", u, marks)}
</div></section>`;
}
