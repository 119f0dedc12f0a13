// Starting and stopping the service: the pricer, the log (persistence.ts), the pool resumed from it, the server, the
// oracle feed. Stopping drains: the feed stops, the server stops accepting and finishes the requests it has, the log
// flushes, the pool's snapshot is stored (SQLite) and the log closes.
import type { AddressInfo } from "node:net";
import { createPricer } from "../bindings/index.js";
import { buildServer, type App, type ServerParts } from "./app.js";
import { loadServeConfig } from "./config.js";
import { feedOf, type OracleFeed } from "./feed.js";
import { openServiceLog } from "./persistence.js";
import { PoolService } from "./service.js";

/** What `pool2peer serve` takes. */
export interface StartOptions {
  configPath: string;
  dbPath: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: boolean | { level: string };
}

/** A running service. */
export interface RunningServer {
  app: App;
  parts: ServerParts;
  service: PoolService;
  /** e.g. "http://127.0.0.1:8787". */
  url: string;
  /** Milliseconds from the call to listening (replay included). */
  startupMs: number;
  /** Graceful stop: feed, server (in-flight requests finish), log flush, snapshot and close. Idempotent. */
  stop(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const started = performance.now();
  const { config, ledgerKey } = loadServeConfig(options.configPath);
  const log = openServiceLog(options.dbPath);
  let service: PoolService;
  let built: Awaited<ReturnType<typeof buildServer>>;
  try {
    service = new PoolService(config, ledgerKey, log, await createPricer());
    built = await buildServer({ service, logger: options.logger ?? { level: "info" } });
    await built.app.listen({ port: options.port ?? 8787, host: options.host ?? "127.0.0.1" });
  } catch (e) {
    await log.close();
    throw e;
  }
  const { app, parts } = built;
  parts.metrics.gauge("pool2peer_sessions", "Open sessions", () => parts.sessions.size);
  parts.metrics.gauge("pool2peer_stream_connections", "Open WebSocket connections", () => parts.streams.size);
  service.onFatal((error) => app.log.fatal({ err: error }, "the log could not be written: stopping (restart replays the log)"));
  const feed: OracleFeed = feedOf(config.oracle.feed, service.oracle.latest().spot);
  feed.start((update) => service.print(update).catch((e: unknown) => app.log.warn({ err: e }, "oracle print refused")));
  const address = app.server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      feed.stop();
      await app.close();
      await service.close();
    })());
  app.log.info({ url: `http://${address.address}:${address.port}`, seq: service.pool.seq, bookSeq: service.bookSeq }, "serving");
  return { app, parts, service, url: `http://${address.address}:${address.port}`, startupMs: performance.now() - started, stop };
}
