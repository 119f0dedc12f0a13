#!/usr/bin/env node
// A small static server for the browser demo: serves demo/, dist/ and build/ of the checkout with the
// cross-origin isolation headers (COOP same-origin + COEP require-corp) that SharedArrayBuffer needs.
// `esbuild serve` cannot set response headers, hence this file. Used by test/browser.test.ts and by hand:
//   node scripts/serve-demo.mjs [port]   (or PORT=8081; default 8080)   then open http://127.0.0.1:<port>/
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Top-level folders of the checkout the server exposes; everything else is 404. */
const SERVED_FOLDERS = ["demo", "dist", "build"];

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** Headers on every response: cross-origin isolation, and no caching so a rebuilt bundle is always reloaded. */
const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
};

/** Maps a URL path to a file under one of SERVED_FOLDERS, or undefined (traversal, other folders). */
function fileFor(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded === "/" || decoded === "/demo" || decoded === "/demo/") decoded = "/demo/index.html";
  const full = resolve(root, "." + decoded);
  const inside = SERVED_FOLDERS.some((folder) => full.startsWith(join(root, folder) + sep));
  return inside ? full : undefined;
}

/**
 * Starts the server on `host` (default 127.0.0.1) and `port` (default 0: a free port chosen by the OS).
 * @param {{ root?: string, host?: string, port?: number }} [options]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>} `url` ends with "/".
 */
export async function startDemoServer(options = {}) {
  const root = resolve(options.root ?? repoRoot);
  const host = options.host ?? "127.0.0.1";
  const server = createServer(async (req, res) => {
    const send = (status, body, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { ...ISOLATION_HEADERS, "Content-Type": type });
      res.end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/") {
      res.writeHead(302, { ...ISOLATION_HEADERS, Location: "/demo/index.html" });
      return res.end();
    }
    const file = fileFor(root, path);
    if (file === undefined) return send(404, "not found\n");
    try {
      if (!(await stat(file)).isFile()) return send(404, "not found\n");
      const body = await readFile(file);
      const type = CONTENT_TYPES[extname(file)] ?? "application/octet-stream";
      res.writeHead(200, { ...ISOLATION_HEADERS, "Content-Type": type, "Content-Length": body.byteLength });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      send(404, `not found: ${path} (run \`npm run build\` for dist/)\n`);
    }
  });
  await new Promise((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolveListen(undefined));
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose(undefined));
      }),
  };
}

/** The port from the command line or $PORT (default 8080); exits 2 with a usage line when it is not a port. */
function portFromArgs(argv, env) {
  const raw = argv[2] ?? (env.PORT || "8080");
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`pool2peer demo: port must be an integer in [0, 65535], got ${JSON.stringify(raw)}`);
    console.error("usage: npm run demo [-- PORT]   or   PORT=8081 npm run demo   (0: any free port)");
    process.exit(2);
  }
  return port;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const port = portFromArgs(process.argv, process.env);
  try {
    const { url } = await startDemoServer({ port });
    console.log(`pool2peer demo: ${url}demo/index.html (Ctrl-C to stop)`);
  } catch (e) {
    // A busy port is the usual failure: say which and what to do instead of printing a stack.
    if (e?.code === "EADDRINUSE") {
      console.error(`pool2peer demo: port ${port} is already in use (another \`npm run demo\`?).`);
      console.error(`Stop that process, or pick another port: PORT=${port + 1} npm run demo (PORT=0 takes any free port).`);
    } else if (e?.code === "EACCES") {
      console.error(`pool2peer demo: no permission to listen on port ${port}; use a port above 1023, e.g. PORT=8080 npm run demo.`);
    } else {
      throw e;
    }
    process.exit(1);
  }
}
