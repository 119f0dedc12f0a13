// Prometheus metrics (prom-client, one registry per server): request latency by route and status, the time from an
// operation to its durable record, the log's position, the pool's NAV and utilization, sessions and subscribers.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { App } from "./app.js";
import type { PoolService } from "./service.js";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Histogram<"route" | "method" | "status">;
  private readonly records: Counter;

  constructor(service: PoolService) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "pool2peer_process_" });
    this.requests = new Histogram({ name: "pool2peer_http_request_seconds", help: "HTTP request latency", labelNames: ["route", "method", "status"], buckets: LATENCY_BUCKETS, registers });
    this.records = new Counter({ name: "pool2peer_records_total", help: "Durable records written (operations and prints)", registers });
    service.onRecord(() => this.records.inc());
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    gauge("pool2peer_pool_seq", "Seq of the pool's last durable event", () => service.durableSeq);
    gauge("pool2peer_book_seq", "Seq of the book's last durable event", () => service.durableBookSeq);
    gauge("pool2peer_pool_utilization", "locked / (free + locked)", () => service.pool.utilization);
    gauge("pool2peer_pool_share_price", "Share price in whole collateral tokens", () => service.pool.sharePrice());
    gauge("pool2peer_oracle_age_seconds", "Age of the latest oracle print", () => service.clock.now() - service.oracle.latest().timestamp);
  }

  /** Times every request (route pattern, not URL, as the label: bounded cardinality). */
  instrument(app: App): void {
    // A callback hook, not an async one: no promise per request.
    app.addHook("onResponse", (request, reply, done) => {
      this.requests.observe({ route: request.routeOptions.url ?? "unmatched", method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });
    app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => reply.type(this.registry.contentType).send(await this.registry.metrics()));
  }

  /** Adds gauges read from the server's parts (sessions, subscribers). */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
  }
}
