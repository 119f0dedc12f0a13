// The ```html blocks of README.md and docs/ (the browser quick start) run in headless Chromium: each becomes a page
// beside a link to dist/, served with the demo server's COOP/COEP headers; the test appends one statement to the
// block's last module script that marks the end, and fails on a page error, a console error or no end within the
// time limit. Chromium is Debian's /usr/bin/chromium (scripts/ensure-chromium.mjs installs it; never skipped).
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoServer, type DemoServer } from "../scripts/serve-demo.mjs";
import { allDocBlocks, type DocBlock } from "./support/doc-blocks.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const pages = allDocBlocks(root).filter((b) => b.lang === "html" && !b.tags.includes("no-run"));

let site: string;
let server: DemoServer | undefined;
let browser: Browser | undefined;

/** The block as a page whose last module script ends by setting window.__docBlockDone. */
function pageOf(block: DocBlock): string {
  const end = block.code.lastIndexOf("</script>");
  if (end < 0) throw new Error(`${block.file}:${block.line}: an html block needs a <script type="module">`);
  const marked = `${block.code.slice(0, end)}  window.__docBlockDone = true;\n${block.code.slice(end)}`;
  return `<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${block.file}:${block.line}</title></head><body>\n${marked}\n</body></html>\n`;
}

beforeAll(async () => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run \`node scripts/ensure-chromium.mjs\` (as root; apt-get install -y chromium).`);
  }
  // The pages sit in demo/ of a scratch root whose demo/dist links to the built package, so "./dist/browser/..."
  // in a block resolves as it does for a user serving the package folder.
  site = mkdtempSync(join(tmpdir(), "pool2peer-doc-html-"));
  mkdirSync(join(site, "demo"));
  symlinkSync(join(root, "dist"), join(site, "demo", "dist"), "dir");
  pages.forEach((block, i) => writeFileSync(join(site, "demo", `block-${i}.html`), pageOf(block)));
  server = await startDemoServer({ root: site });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (site !== undefined) rmSync(site, { recursive: true, force: true });
});

describe("documentation html blocks in Chromium", () => {
  it("README has the browser quick start as an html block", () => {
    expect(pages.some((b) => b.file === "README.md")).toBe(true);
  });

  pages.forEach((block, i) => {
    it(`${block.file}:${block.line} runs to its end without errors`, async () => {
      const page = await browser!.newPage();
      const problems: string[] = [];
      // An uncaught error ends the wait at once: the block's end mark will never be set.
      const failed = new Promise<false>((resolve) => page.on("pageerror", () => resolve(false)));
      page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
      });
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });
      try {
        await page.goto(`${server!.url}demo/block-${i}.html`);
        const ended = page
          .waitForFunction(() => (window as unknown as { __docBlockDone?: boolean }).__docBlockDone === true, undefined, { timeout: 60_000 })
          .then(() => true, () => false);
        const done = await Promise.race([ended, failed]);
        expect({ done, problems }).toEqual({ done: true, problems: [] });
      } finally {
        await page.close();
      }
    }, 90_000);
  });
});
