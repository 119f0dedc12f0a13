// `pool2peer simulate`: the scenario runner and its HTML report, opened in headless Chromium: every chart is an
// SVG with drawn marks (paths, heat-map cells, histogram bars); a screenshot goes to test-results/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { simulateCommand } from "../cli/simulate.js";
import { checkScenarioConfig, DEFAULT_SCENARIO } from "../pool/simulation/index.js";

const ROOT = resolve(__dirname, "..");
const OUT = join(ROOT, "test-results");

describe("pool2peer simulate", () => {
  it("the bundled JSON scenario equals the TS default", () => {
    expect(JSON.parse(readFileSync(join(ROOT, "pool/simulation/default-scenario.json"), "utf8"))).toEqual(DEFAULT_SCENARIO);
  });

  it("a smile outside GJ's sufficient conditions is refused naming the field", () => {
    expect(() => checkScenarioConfig({ ...DEFAULT_SCENARIO, smile: { rho: -0.6, eta: 1.5, gamma: 0.4 } })).toThrow(/^scenario config: smile\.eta/);
    expect(() => checkScenarioConfig({ ...DEFAULT_SCENARIO, smile: { rho: -0.6, eta: 1, gamma: 0.7 } })).toThrow(/^scenario config: smile\.gamma/);
  });

  it("runs a scenario with a crash day, peers and an attacker, prints a summary, and its HTML report draws every chart and shows the attacker section in headless Chromium", async () => {
    mkdirSync(OUT, { recursive: true });
    const config = {
      ...DEFAULT_SCENARIO, days: 20, crash: { day: 12, spotMove: -0.3, volMove: 0.6 }, risk: { ...DEFAULT_SCENARIO.risk, varPaths: 4000 },
      smile: { rho: -0.6, eta: 1.0, gamma: 0.4 }, // the pool prices from an SSVI surface
      // The default's attacks moved inside 20 days.
      attacker: { name: "mallory", attacks: DEFAULT_SCENARIO.attacker!.attacks.map((a, i) => ({ ...a, day: [2, 6, 9][i]! })) },
    };
    const configPath = join(OUT, "simulate-config.json");
    writeFileSync(configPath, JSON.stringify(config));
    const report = join(OUT, "simulate-report.html");
    const out: string[] = [];
    const err: string[] = [];
    const code = await simulateCommand.run(["--config", configPath, "--out", report, "--workers", "1"], { out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(err.join("\n")).not.toMatch(/simulate:/);
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/VaR99 1d [\d.]+% ± [\d.]+%/);
    expect(out.join("\n")).toMatch(/hedged vs unhedged: max drawdown [\d.]+% vs [\d.]+% \(ratio [\d.]+\)/);
    expect(out.join("\n")).toMatch(/attribution: largest daily remainder [\d.e+-]+ of \|ΔNAV\|/);
    expect(out.join("\n")).toMatch(/volume: peers [\d.]+ contracts .* pool [\d.]+ contracts/);
    expect(out.filter((l) => /^attack day \d+ (split-trade|hit-and-run|oracle-spike): attacker P&L [+-][\d.]+ USDC \(defence off: [+-][\d.]+\)  other LPs [+-][\d.]+ USDC/.test(l))).toHaveLength(3);
    const html = readFileSync(report, "utf8");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // self-contained: no scripts, no network
    expect(html).toMatch(/Vol smile at the end \(%, SSVI surface\)/);

    expect(existsSync("/usr/bin/chromium")).toBe(true);
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on("request", (r) => { if (!r.url().startsWith("file:")) requests.push(r.url()); });
      await page.goto(`file://${report}`);
      const charts = await page.evaluate(() =>
        [...document.querySelectorAll("svg.chart")].map((svg) => {
          const box = svg.getBoundingClientRect();
          const marks = [...svg.querySelectorAll("path.series, rect.cell, rect.bar, rect.stack")];
          const drawn = marks.filter((m) => {
            const b = (m as SVGGraphicsElement).getBBox();
            return b.width > 0 || b.height > 0;
          });
          return { id: svg.id, width: box.width, height: box.height, marks: marks.length, drawn: drawn.length };
        }),
      );
      expect(charts.map((c) => c.id)).toEqual(["chart-twin-share-price", "chart-twin-drawdown", "chart-attribution-hedged", "chart-attribution-unhedged", "chart-share-price", "chart-nav", "chart-utilization", "chart-delta-gamma", "chart-vega-theta", "chart-stress", "chart-var", "chart-smile", "chart-volume"]);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(100);
        expect(c.drawn).toBeGreaterThan(0);
      }
      expect(charts.find((c) => c.id === "chart-stress")!.drawn).toBe(23);
      expect(charts.find((c) => c.id === "chart-twin-share-price")!.drawn).toBe(2); // hedged and unhedged
      expect(charts.find((c) => c.id === "chart-attribution-unhedged")!.drawn).toBeGreaterThan(20); // stacked parts over 20 days
      // The twins: the table, the ratios, why the LPs gained or lost; the crash and attack days marked on the day charts.
      const hedging = await page.evaluate(() => ({
        rows: document.querySelectorAll("table#twins tr").length,
        ratios: document.querySelector("#twin-ratios")?.textContent ?? "",
        explain: [...document.querySelectorAll("p.explain")].map((p) => p.textContent ?? ""),
        marks: document.querySelectorAll("#chart-share-price g.mark").length,
        varLabels: [...document.querySelectorAll("#chart-var text.var-label")].map((t) => { const b = (t as SVGGraphicsElement).getBBox(); return { x: b.x, y: b.y, width: b.width, height: b.height }; }),
      }));
      expect(hedging.rows).toBe(8);
      expect(hedging.ratios).toMatch(/Drawdown hedged ÷ unhedged: [\d.]+/);
      expect(hedging.ratios).toMatch(/the fee model's cost on the book the run held .*: [\d.]+;/);
      expect(hedging.explain).toHaveLength(2);
      expect(hedging.explain[0]).toMatch(/^Unhedged: share price [\d.]+ → [\d.]+; LPs' P&L [+−-][\d,]+ USDC = /);
      expect(hedging.marks).toBe(4); // the crash and three attacks
      const [vaR, es] = hedging.varLabels;
      expect(vaR!.x + vaR!.width <= es!.x || vaR!.y + vaR!.height <= es!.y).toBe(true); // the VaR and ES labels do not overlap
      expect(charts.find((c) => c.id === "chart-var")!.drawn).toBeGreaterThan(5);
      expect(charts.find((c) => c.id === "chart-volume")!.drawn).toBe(2); // peers and pool lines
      expect(charts.find((c) => c.id === "chart-smile")!.drawn).toBe(3); // 7, 30 and 90 days
      // The attacker section: one visible row per attack with a signed P&L, the other LPs beside it.
      const attacker = await page.evaluate(() => {
        const section = document.querySelector("section#attacker");
        const rows = [...document.querySelectorAll("section#attacker tr.attack")];
        return {
          heading: section?.querySelector("h2")?.textContent ?? "",
          summary: document.querySelector("#attacker-summary")?.textContent ?? "",
          visible: section ? (section as HTMLElement).getBoundingClientRect().height > 0 : false,
          rows: rows.map((r) => ({ kind: r.getAttribute("data-kind"), pnl: r.querySelector("td.pnl")?.textContent ?? "", others: r.querySelector("td.others")?.textContent ?? "" })),
          volume: document.querySelector("section#volume")?.textContent ?? "",
        };
      });
      expect(attacker.visible).toBe(true);
      expect(attacker.heading).toBe("Attacker: mallory");
      expect(attacker.summary).toMatch(/^mallory (gained|lost) [\d,.]+ USDC over 3 attacks/);
      expect(attacker.rows.map((r) => r.kind)).toEqual(["split-trade", "hit-and-run", "oracle-spike"]);
      for (const r of attacker.rows) {
        expect(r.pnl).toMatch(/^[+−]?[\d,]+\.\d\d$/);
        expect(r.others).toMatch(/alice [+−]?[\d,]+\.\d\d/);
      }
      expect(attacker.volume).toMatch(/Peers matched [\d.]+ contracts/);
      expect(requests).toEqual([]);
      await page.screenshot({ path: join(OUT, "simulate-report.png"), fullPage: true });
      expect(existsSync(join(OUT, "simulate-report.png"))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
