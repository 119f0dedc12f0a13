// The `pool2peer serve` command: the pool as an HTTP + WebSocket service (server/). Loaded lazily so that other
// commands do not pull in fastify. Stops gracefully on SIGTERM or SIGINT (drain, flush, snapshot); exits 1 if its log
// cannot be written (the restart resumes from the log).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { CliCommand, CliIO } from "./command.js";

const USAGE = `usage: pool2peer serve --db FILE --config FILE [--port N] [--host ADDR] [--log-level LEVEL]

  --db FILE        the service's durable record, created when missing: a SQLite database (pool.sqlite), or a
                   JSON-lines file when the name ends in .jsonl (replayed whole on restart)
  --config FILE    pool.json: pool settings, oracle and feed, admins, ledger key file, rate limits (docs/serve.md)
  --port N         TCP port (default 8787; 0 picks a free one)
  --host ADDR      address to listen on (default 127.0.0.1)
  --log-level L    pino level: fatal, error, warn, info (default), debug, silent

The API, its auth and the streams: docs/serve.md; the OpenAPI document: GET /openapi.json.`;

/** `pool2peer serve`. Exit codes: 0 after a clean stop, 1 cannot start or a failed write, 2 bad arguments. */
export const serveCommand: CliCommand = {
  summary: "serve one pool over HTTP and WebSocket (API, signed accounts, streams, metrics)",
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let values: { db?: string; config?: string; port?: string; host?: string; "log-level"?: string; help?: boolean };
    try {
      values = parseArgs({ args, options: { db: { type: "string" }, config: { type: "string" }, port: { type: "string" }, host: { type: "string" }, "log-level": { type: "string" }, help: { type: "boolean", short: "h" } } }).values;
    } catch (e) {
      io.err(`pool2peer serve: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    const port = values.port === undefined ? 8787 : Number(values.port);
    if (!values.db || !values.config || !Number.isInteger(port) || port < 0 || port > 65535) {
      io.err(`pool2peer serve: --db and --config are required; --port is an integer in [0, 65535]\n\n${USAGE}`);
      return 2;
    }
    const { startServer } = await loadServer();
    let server;
    try {
      server = await startServer({ configPath: values.config, dbPath: values.db, port, host: values.host ?? "127.0.0.1", logger: { level: values["log-level"] ?? "info" } });
    } catch (e) {
      io.err(`pool2peer serve: ${(e as Error).message}`);
      return 1;
    }
    const running = server;
    return new Promise<number>((resolve) => {
      const stop = (code: number) => () => void running.stop().then(() => resolve(code), () => resolve(1));
      process.once("SIGTERM", stop(0));
      process.once("SIGINT", stop(0));
      running.service.onFatal(stop(1));
    });
  },
};

/** The server: its one-file bundle when built (a faster start), else its modules. */
async function loadServer(): Promise<typeof import("../server/start.js")> {
  const bundle = new URL("../server/start.bundle.mjs", import.meta.url);
  if (existsSync(fileURLToPath(bundle))) return (await import(bundle.href)) as typeof import("../server/start.js");
  return import("../server/start.js");
}
