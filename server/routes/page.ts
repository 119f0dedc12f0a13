// The browser page (server/page/): its HTML and its bundle (built into dist/page/ by scripts/bundle.mjs), served by the
// service so that the page's requests are same-origin.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { App } from "../app.js";

/** dist/page of the package this file belongs to (from server/routes or dist/server/routes). */
function pageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(dir, "dist", "page");
}

const FILES: Record<string, string> = { "/": "index.html", "/page.js": "page.js" };
const TYPES: Record<string, string> = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8" };

export function registerPageRoutes(app: App): void {
  const dir = pageDir();
  for (const [route, file] of Object.entries(FILES)) {
    app.get(route, { schema: { hide: true } }, async (_request, reply) => {
      const path = join(dir, file);
      if (!existsSync(path)) return reply.status(404).type("text/plain").send(`${file} is not built: run node scripts/build.mjs`);
      return reply.type(TYPES[file.split(".").pop()!]!).send(readFileSync(path));
    });
  }
}
