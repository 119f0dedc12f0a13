// Load generation for the serve suite over loopback HTTP (node:http, keep-alive): an open loop that sends at a fixed
// rate whatever the answers (latency counted from each request's scheduled time, so a server falling behind shows in
// the percentiles instead of slowing the sender), and a closed loop of N connections each sending its next request
// on the previous answer (the most the server answers).
import { Agent, request } from "node:http";

/** What to send: method, path, headers (a new one per call: e.g. a fresh nonce and signature) and body text. */
export type RequestMaker = () => { method: string; path: string; headers?: Record<string, string>; body?: string };

/** Outcome of a load run. */
export interface LoadResult {
  /** Answers with status 200 per second of the run. */
  okPerSecond: number;
  sent: number;
  ok: number;
  /** Answers other than 200 and transport errors, by status ("error" for the latter). */
  failed: Record<string, number>;
  /** Latency percentiles in ms (all answers). */
  p50: number;
  p99: number;
  max: number;
}

/** The `q`-quantile (0..1) of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

class Sender {
  readonly agent: Agent;
  readonly latencies: number[] = [];
  readonly failed: Record<string, number> = {};
  ok = 0;
  sent = 0;

  constructor(readonly url: URL, sockets: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  send(make: RequestMaker, scheduledAt: number): Promise<void> {
    const r = make();
    this.sent++;
    return new Promise((resolve) => {
      const req = request({ host: this.url.hostname, port: this.url.port, method: r.method, path: r.path, agent: this.agent, headers: { ...(r.body !== undefined ? { "content-type": "application/json" } : {}), ...r.headers } }, (res) => {
        res.resume();
        res.on("end", () => {
          this.latencies.push(performance.now() - scheduledAt);
          if (res.statusCode === 200) this.ok++;
          else this.failed[String(res.statusCode)] = (this.failed[String(res.statusCode)] ?? 0) + 1;
          resolve();
        });
      });
      req.on("error", () => {
        this.failed["error"] = (this.failed["error"] ?? 0) + 1;
        resolve();
      });
      req.end(r.body);
    });
  }

  result(seconds: number): LoadResult {
    const sorted = this.latencies.slice().sort((a, b) => a - b);
    this.agent.destroy();
    return { okPerSecond: this.ok / seconds, sent: this.sent, ok: this.ok, failed: this.failed, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? NaN };
  }
}

/** Sends `rate` requests per second for `seconds` (in 1 ms ticks) on up to `sockets` connections; waits for the last answer. */
export async function openLoop(baseUrl: string, make: RequestMaker, rate: number, seconds: number, sockets = 64): Promise<LoadResult> {
  const sender = new Sender(new URL(baseUrl), sockets);
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.round(rate * seconds);
  let next = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) pending.push(sender.send(make, start + (next++ * 1000) / rate));
      if (next < total) setTimeout(tick, 1);
      else done();
    };
    tick();
  });
  await Promise.all(pending);
  return sender.result(Math.max(seconds, (performance.now() - start) / 1000));
}

/** `connections` loops, each sending its next request when the previous is answered, for `seconds`. */
export async function closedLoop(baseUrl: string, make: RequestMaker, connections: number, seconds: number): Promise<LoadResult> {
  const sender = new Sender(new URL(baseUrl), connections);
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) await sender.send(make, performance.now());
  }));
  return sender.result((performance.now() - start) / 1000);
}
