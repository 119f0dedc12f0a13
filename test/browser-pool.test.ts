// End-to-end test of the pool page (demo/pool.html) in headless Chromium: a real OptionPool, PeerBook and risk engine
// in the page. Through the UI only: a deposit, a quote, a trade, peer book orders and a refusal; after each, the
// figures, the net greeks, the heat map and the smile must be drawn and must have moved the way the operation moves
// them. The screenshot is checked by its pixels (decoded by the browser): the heat map shows losses in red and gains
// in green, the smile's stroke is painted, and the page is not blank. No console errors are allowed.
// Chromium is Debian's /usr/bin/chromium (scripts/ensure-chromium.mjs); a missing one fails this file, never skips it.
import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoServer, type DemoServer } from "../scripts/serve-demo.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SCREENSHOT = join(root, "test-results", "browser-pool.png");

let server: DemoServer | undefined;
let browser: Browser | undefined;
let page: Page;
const pageProblems: string[] = [];

/** The page's window.__pool2peerPool (demo/pool-main.ts PoolPageState). */
interface PageState {
  ready: boolean;
  error?: string;
  ticks: number;
  renders: number;
  spot: number;
  nav: string;
  sharePrice: number;
  utilization: number;
  greeks: { delta: number; gamma: number; vega: number; theta: number };
  stress: { cells: number; worst: string; minSolvency: number };
  errors: string[];
}

const pageState = async () => (await page.evaluate(() => window.__pool2peerPool)) as unknown as PageState;
const dataValue = (selector: string) => page.$eval(selector, (el) => (el as HTMLElement).dataset.value ?? "");
const heatCells = () => page.$$eval("#heatmap rect.cell", (els) => els.map((e) => Number((e as SVGElement).dataset.change)));
const tradedMarks = () => page.$$eval("#smile-chart .traded.pool", (els) => els.length);

/** Waits for the page to redraw after an action (renders counts completed redraws). */
async function afterRedraw(action: () => Promise<void>): Promise<PageState> {
  const before = (await pageState()).renders;
  await action();
  await page.waitForFunction((n) => window.__pool2peerPool.renders > n, before, { timeout: 30_000 });
  return pageState();
}

beforeAll(async () => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run \`node scripts/ensure-chromium.mjs\` (as root; it runs apt-get install -y chromium).`);
  }
  execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "--if-stale"], { cwd: root, stdio: "inherit" });
  server = await startDemoServer({ root });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") pageProblems.push(`console.error: ${message.text()}`);
  });
  // tick=0: the simulated clock stands still, so each figure moves only by what the test does.
  await page.goto(`${server.url}demo/pool.html?tick=0&seed=7`);
  await page.waitForFunction(() => window.__pool2peerPool?.ready === true || window.__pool2peerPool?.error !== undefined, undefined, { timeout: 90_000 });
  const s = await pageState();
  if (s.error !== undefined) throw new Error(`the pool page failed: ${s.error}\n${pageProblems.join("\n")}`);
}, 600_000); // a stale build (tsc + bundles) takes minutes on a loaded 2-core machine

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("pool page in headless Chromium", () => {
  it("draws the figures, the net greeks, the 7 × 3 heat map and the smile of the opening book", async () => {
    const s = await pageState();
    expect(BigInt(s.nav)).toBeGreaterThan(0n);
    expect(s.utilization).toBeGreaterThan(0); // the desk's opening puts lock collateral
    expect(s.greeks.vega).toBeLessThan(0); // the pool is short options
    expect(s.stress.cells).toBe(23);
    const cells = await heatCells();
    expect(cells).toHaveLength(21);
    for (const c of cells) expect(Number.isFinite(c)).toBe(true);
    expect(Math.min(...cells)).toBeLessThan(0); // spot −20 % loses for a put writer
    const points = await page.$eval("#smile-chart polyline.smile", (el) => el.getAttribute("points")!.trim().split(/\s+/).length);
    expect(points).toBe(81);
    expect(await tradedMarks()).toBe(3); // the desk's strikes 1700, 1800, 1900 at the selected expiry
    expect(await page.$$eval("#greeks td[data-total]", (els) => els.length)).toBe(4);
  });

  it("a deposit through the form raises NAV by exactly the assets and keeps the share price", async () => {
    const before = await pageState();
    await page.fill("#lp-account", "lp-test");
    await page.fill("#lp-amount", "250,000");
    const after = await afterRedraw(() => page.click("#lp-deposit"));
    expect(await page.textContent("#lp-result")).toMatch(/^deposited 250,000\.00 USDC for [\d,.]+ shares$/);
    expect(BigInt(after.nav) - BigInt(before.nav)).toBe(250_000n * 1_000_000n);
    expect(Math.abs(after.sharePrice / before.sharePrice - 1)).toBeLessThan(1e-9);
    expect(after.utilization).toBeLessThan(before.utilization);
    expect(await page.textContent("#lp-holdings")).toMatch(/^lp-test: [1-9][\d,.]* shares, worth 249,99\d\.\d\d USDC/);
    expect(await dataValue("#nav")).toBe(after.nav);
  });

  it("a quote shows its figures and vol on the smile; the trade moves utilization, greeks, heat map and smile marks", async () => {
    await page.fill("#trade-strike", "1850");
    await page.fill("#trade-size", "10");
    await afterRedraw(() => page.click("#trade-quote"));
    expect(await page.textContent("#trade-result")).toMatch(/^quote: [\d,.]+ USDC to pay at \d+\.\d\d % vol$/);
    const total = BigInt(await page.$eval("#quote-out dd:nth-of-type(3)", (el) => (el as HTMLElement).dataset.value!));
    expect(total).toBeGreaterThan(0n);
    expect(await page.$$eval("#smile-chart path.quoted", (els) => els.length)).toBe(1);

    const before = await pageState();
    const cellsBefore = await heatCells();
    const after = await afterRedraw(() => page.click("#trade-go"));
    expect(await page.textContent("#trade-result")).toMatch(/^bought 10\.00 put 1850 for [\d,.]+ USDC \(pool event \d+\)$/);
    expect(after.utilization).toBeGreaterThan(before.utilization);
    expect(after.greeks.vega).toBeLessThan(before.greeks.vega);
    expect(after.greeks.delta).not.toBe(before.greeks.delta);
    expect(await heatCells()).not.toEqual(cellsBefore);
    expect(await tradedMarks()).toBe(4);
    expect(await page.textContent("#trade-positions")).toContain("put 1850");
  });

  it("book orders through the form: a market buy takes the maker's ask, a limit sell rests", async () => {
    await page.fill("#trade-strike", "1800");
    await page.dispatchEvent("#trade-strike", "change");
    await page.waitForFunction(() => document.querySelector("#book-orders caption")?.textContent?.includes("put 1800"));
    const askSize = () => page.$eval("#book-orders tr.ask td:nth-child(3)", (el) => el.textContent);
    expect(await askSize()).toBe("2.00");
    await page.selectOption("#book-side", "buy");
    await page.fill("#book-size", "1");
    await afterRedraw(() => page.click("#book-submit"));
    expect(await page.textContent("#book-result")).toMatch(/^book buy put 1800: peers filled 1\.00, pool filled 0\.00, premium [\d,.]+ USDC$/);
    expect(await askSize()).toBe("1.00");
    expect(await tradedMarks()).toBe(4);
    expect(await page.$$eval("#smile-chart .traded.book", (els) => els.length)).toBe(1);

    await page.selectOption("#book-side", "sell");
    await page.fill("#book-limit", "500");
    await afterRedraw(() => page.click("#book-submit"));
    expect(await page.textContent("#book-result")).toMatch(/resting #\d+: 1\.00 at 500\.00$/);
    expect(await page.$$eval("#book-orders tr.ask", (els) => els.map((e) => e.textContent))).toContain("asktrader1.00500.00");
  });

  it("refusals are shown in the panel naming the field, with that input marked, and change nothing", async () => {
    const before = await pageState();
    await page.fill("#lp-amount", "12.5x");
    await afterRedraw(() => page.click("#lp-deposit"));
    expect(await page.textContent("#lp-result")).toBe('INVALID_INPUT (lp-amount): "12.5x" is not a non-negative decimal number');
    expect(await page.getAttribute("#lp-amount", "aria-invalid")).toBe("true");

    await page.fill("#lp-shares", "1000000000");
    await afterRedraw(() => page.click("#lp-redeem"));
    const refusal = await page.textContent("#lp-result");
    expect(refusal).toMatch(/^INSUFFICIENT_SHARES \(shares\): /);
    expect(await page.getAttribute("#lp-shares", "aria-invalid")).toBe("true");
    expect(await page.getAttribute("#lp-amount", "aria-invalid")).toBeNull();

    await page.fill("#trade-size", "0");
    await afterRedraw(() => page.click("#trade-quote"));
    expect(await page.textContent("#trade-result")).toMatch(/^INVALID_INPUT \(size\): /);
    expect(await page.getAttribute("#trade-size", "aria-invalid")).toBe("true");

    const after = await pageState();
    expect(after.nav).toBe(before.nav);
    expect(after.errors.slice(-3)).toEqual([expect.stringContaining("lp-amount"), refusal, expect.stringContaining("(size)")]);
    expect(await page.$$eval("#log li.error", (els) => els.length)).toBeGreaterThanOrEqual(3);
  });

  it("each tick of the simulated oracle moves spot, NAV and the time shown", async () => {
    const before = await pageState();
    const timeBefore = await page.textContent("#sim-time");
    const after = await afterRedraw(() => page.click("#step"));
    expect(after.ticks).toBe(before.ticks + 1);
    expect(after.spot).not.toBe(before.spot);
    expect(after.nav).not.toBe(before.nav);
    expect(await page.textContent("#sim-time")).not.toBe(timeBefore);
    expect(await page.$$eval("#history polyline.line", (els) => els.map((e) => e.getAttribute("points")!.split(" ").length))).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
  });

  it("the screenshot shows a painted page: red and green heat-map cells, the smile's stroke, no blank canvas", async () => {
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(SCREENSHOT, png);
    const heat = await page.locator("#heatmap svg").boundingBox();
    const smile = await page.locator("#smile-chart svg").boundingBox();
    // Decoded by the browser's own PNG decoder, counted per region (boxes in CSS pixels = screenshot pixels at scale 1).
    const stats = await page.evaluate(
      async ({ b64, boxes }) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = new OffscreenCanvas(img.width, img.height);
        const ctx = canvas.getContext("2d")!;
        ctx.drawImage(img, 0, 0);
        const all = ctx.getImageData(0, 0, img.width, img.height).data;
        let sum = 0;
        let sum2 = 0;
        for (let i = 0; i < all.length; i += 4) {
          const y = 0.299 * all[i]! + 0.587 * all[i + 1]! + 0.114 * all[i + 2]!;
          sum += y;
          sum2 += y * y;
        }
        const n = all.length / 4;
        const count = (box: { x: number; y: number; width: number; height: number }, test: (r: number, g: number, b: number) => boolean) => {
          const d = ctx.getImageData(Math.round(box.x), Math.round(box.y), Math.round(box.width), Math.round(box.height)).data;
          let k = 0;
          for (let i = 0; i < d.length; i += 4) if (test(d[i]!, d[i + 1]!, d[i + 2]!)) k++;
          return k;
        };
        return {
          width: img.width,
          lumaStd: Math.sqrt(sum2 / n - (sum / n) ** 2),
          red: count(boxes.heat, (r, g, b) => r > g + 30 && r > b + 30),
          green: count(boxes.heat, (r, g, b) => g > r + 8 && g > b + 4),
          purple: count(boxes.smile, (r, g, b) => b > g + 60 && r > g + 20),
        };
      },
      { b64: png.toString("base64"), boxes: { heat: heat!, smile: smile! } },
    );
    console.log(`pool page screenshot ${SCREENSHOT}: ${JSON.stringify(stats)}`);
    expect(stats.width).toBe(1360);
    expect(stats.lumaStd).toBeGreaterThan(20); // a blank or single-colour page is ~0
    expect(stats.red).toBeGreaterThan(500); // loss cells (spot −20 %: several cells of ~60 × 34 px)
    expect(stats.green).toBeGreaterThan(200); // gain cells
    expect(stats.purple).toBeGreaterThan(150); // the smile's 2 px line across the chart
  });

  it("logged no console error and no uncaught exception", () => {
    expect(pageProblems).toEqual([]);
  });
});
