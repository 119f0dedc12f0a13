// The page served by `pool2peer serve` trading against the server in headless Chromium (Debian's, as in
// test/browser.test.ts): it opens a session with a key of its own, prices the option locally in WASM (equal to the Node
// pricer's Black-Scholes to the cent it shows), shows the streamed pool quote, and its signed trade lands in the log.
import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer } from "../bindings/index.js";
import { USDC, clientOf, startTestServer } from "./support/serve.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"];

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let browser: Browser | undefined;

beforeAll(async () => {
  accessSync(CHROMIUM, constants.X_OK); // missing: run `node scripts/ensure-chromium.mjs` (never skipped)
  execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "--if-stale"], { cwd: root, stdio: "inherit" });
  server = await startTestServer();
  const lp = await clientOf(server.url, "alice");
  await lp.signed("POST", "/v1/lp/deposit", { assets: (1_000_000n * USDC).toString() });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("serve: the browser page", () => {
  it("prices locally in WASM, shows the streamed quote, and sends a signed trade that the server logs", async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(server.url + "/");
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    const account = (await page.textContent("#account"))!;
    expect(account).toMatch(/^0x[0-9a-f]{40}$/);

    await page.waitForFunction(() => /^[0-9,.]+$/.test(document.getElementById("quote")!.textContent ?? ""), undefined, { timeout: 10_000 });
    const local = Number((await page.textContent("#local"))!);
    const expiry = Math.floor((Date.now() / 1000 + 14 * 86_400) / 3600) * 3600;
    const pricer = await createPricer();
    const node = pricer.blackScholes({ type: "put", spot: 3000, strike: 2800, expiry: (expiry - Date.now() / 1000) / (365 * 86_400), vol: 0.6, rate: 0 }).price[0]!;
    expect(Math.abs(local - node)).toBeLessThanOrEqual(0.006); // shown to the cent; seconds between the two clocks move it far less
    const shown = Number((await page.textContent("#quote"))!.replace(/,/g, ""));
    expect(shown).toBeGreaterThan(local); // the pool's ask carries its fees

    await page.click("#trade");
    await page.waitForSelector("#result[data-seq]", { timeout: 10_000 });
    const seq = Number(await page.getAttribute("#result", "data-seq"));
    const event = server.service.pool.events[seq - 1];
    expect(event).toMatchObject({ kind: "trade", trader: account, side: "buy", size: 100n });
    await page.waitForSelector("#positions .size");
    expect(await page.textContent("#positions .size")).toBe("1");
    mkdirSync(join(root, "test-results"), { recursive: true });
    await page.screenshot({ path: join(root, "test-results", "serve-page.png") });
    expect(problems).toEqual([]);
  }, 60_000);
});
