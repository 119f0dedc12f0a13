// WebSocket streams on /v1/stream: quotes of subscribed series (re-priced after every durable change: an oracle print,
// a trade, a settlement), the resting orders of subscribed series after each book change, and the pool's and book's
// events once durable. One computation and one serialisation per series and change, whatever the subscriber count;
// a subscriber that does not keep up (1 MiB unsent) is dropped rather than buffered without bound.
import { Ajv, type ValidateFunction } from "ajv";
import type { WebSocket } from "ws";
import { PoolError } from "../pool/errors.js";
import { seriesKey } from "../pool/ledger.js";
import { seriesRefOf } from "../pool/series.js";
import type { SeriesSpec } from "../pool/series.js";
import type { App } from "./app.js";
import { plain } from "./codec.js";
import { LazyCompiler } from "./lazy-compile.js";
import type { ServiceRecord } from "./persistence.js";
import { StreamRequest, type StreamRequestT } from "./schemas.js";
import type { PoolService } from "./service.js";

/** Unsent bytes past which a subscriber is dropped. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** Most subscriptions one connection may hold. */
const MAX_SUBSCRIPTIONS = 256;

interface Topic {
  kind: "quotes" | "book";
  spec: SeriesSpec;
  size: bigint;
  sockets: Set<WebSocket>;
}

export class Streams {
  private readonly topics = new Map<string, Topic>();
  private readonly eventSockets = new Set<WebSocket>();
  private readonly subscriptions = new Map<WebSocket, Set<string>>();
  private readonly check: ValidateFunction<StreamRequestT>;
  private pending: { quotes: boolean; book: boolean } | undefined;
  private readonly unsubscribe: () => void;

  /** `compiler` compiles the message schema when first needed (by default, a compiler of its own). */
  constructor(private readonly service: PoolService, compiler = new LazyCompiler()) {
    this.check = compiler.validator(() => new Ajv({ strict: false, validateSchema: false }).compile<StreamRequestT>(StreamRequest));
    this.unsubscribe = service.onRecord((record) => this.onRecord(record));
  }

  /** Connections open. */
  get size(): number {
    return this.subscriptions.size;
  }

  register(app: App): void {
    app.get("/v1/stream", { websocket: true, schema: { hide: true } }, (socket) => {
      this.subscriptions.set(socket, new Set());
      socket.on("message", (data) => this.onMessage(socket, data.toString()));
      socket.on("close", () => this.drop(socket));
    });
  }

  close(): void {
    this.unsubscribe();
    for (const socket of this.subscriptions.keys()) socket.close(1001, "server shutting down");
  }

  private onMessage(socket: WebSocket, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return send(socket, { error: "VALIDATION", field: "message", message: "not JSON" });
    }
    if (!this.check(message)) {
      const e = this.check.errors?.[0];
      return send(socket, { error: "VALIDATION", field: (e?.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".") || "message", message: e?.message ?? "invalid" });
    }
    try {
      this.apply(socket, message);
    } catch (e) {
      if (!(e instanceof PoolError)) throw e;
      send(socket, { error: e.code, field: e.field, message: e.message });
    }
  }

  private apply(socket: WebSocket, m: StreamRequestT): void {
    const mine = this.subscriptions.get(socket)!;
    if (m.channel === "events") {
      if (m.op === "subscribe") this.eventSockets.add(socket);
      else this.eventSockets.delete(socket);
      return send(socket, { channel: "events", subscribed: m.op === "subscribe" });
    }
    const settings = this.service.pool.settings;
    const ref = seriesRefOf(m.series, settings.collateral, settings);
    const size = m.channel === "quotes" && m.size !== undefined ? BigInt(m.size) : 10n ** BigInt(settings.sizeDecimals);
    const key = `${m.channel}:${seriesKey(ref)}:${m.channel === "quotes" ? size : ""}`;
    if (m.op === "unsubscribe") {
      this.topics.get(key)?.sockets.delete(socket);
      mine.delete(key);
      return;
    }
    if (mine.size >= MAX_SUBSCRIPTIONS) return send(socket, { error: "TOO_MANY_SUBSCRIPTIONS", field: "op", message: `at most ${MAX_SUBSCRIPTIONS} per connection` });
    let topic = this.topics.get(key);
    if (!topic) this.topics.set(key, (topic = { kind: m.channel, spec: { type: ref.type, strike: ref.strike, expiry: ref.expiry }, size, sockets: new Set() }));
    topic.sockets.add(socket);
    mine.add(key);
    send(socket, topic.kind === "quotes" ? this.quoteMessage(topic) : this.bookMessage(topic));
  }

  private drop(socket: WebSocket): void {
    for (const key of this.subscriptions.get(socket) ?? []) {
      const topic = this.topics.get(key);
      topic?.sockets.delete(socket);
      if (topic && topic.sockets.size === 0) this.topics.delete(key);
    }
    this.subscriptions.delete(socket);
    this.eventSockets.delete(socket);
  }

  /** A durable record: events go out now; quotes and books are recomputed once per event-loop turn. */
  private onRecord(record: ServiceRecord): void {
    if (this.eventSockets.size > 0) {
      const lines = [...record.pool.map((e) => ({ ledger: "pool", e })), ...record.book.map((e) => ({ ledger: "book", e }))]
        .map(({ ledger, e }) => Buffer.from(JSON.stringify({ channel: "events", ledger, event: plain(e) })));
      for (const socket of this.eventSockets) for (const line of lines) this.sendText(socket, line);
    }
    const quotes = record.prints.length > 0 || record.pool.length > 0;
    const book = record.book.length > 0 || record.pool.length > 0;
    if (!quotes && !book) return;
    if (this.pending) {
      this.pending.quotes ||= quotes;
      this.pending.book ||= book;
      return;
    }
    this.pending = { quotes, book };
    setImmediate(() => this.publish());
  }

  private publish(): void {
    const due = this.pending!;
    this.pending = undefined;
    for (const topic of this.topics.values()) {
      if (topic.sockets.size === 0 || !(topic.kind === "quotes" ? due.quotes : due.book)) continue;
      // Encoded once for every subscriber of the topic.
      const data = Buffer.from(JSON.stringify(topic.kind === "quotes" ? this.quoteMessage(topic) : this.bookMessage(topic)));
      for (const socket of topic.sockets) this.sendText(socket, data);
    }
  }

  /** The pool's ask (a buy quote) and bid (a sell quote) for the topic's size; a refusal's code where it has none. */
  private quoteMessage(topic: Topic): Record<string, unknown> {
    const price = (side: "buy" | "sell") => {
      try {
        const q = this.service.pool.quote({ ...topic.spec, size: topic.size, side });
        return { total: q.total.toString(), premium: q.premium.toString(), fees: q.fees.toString(), volUsed: q.volUsed };
      } catch (e) {
        if (e instanceof PoolError) return { refused: e.code };
        throw e;
      }
    };
    const oracle = this.service.oracle.latest();
    return { channel: "quotes", series: topic.spec, size: topic.size.toString(), ask: price("buy"), bid: price("sell"), spot: oracle.spot, oracleTime: oracle.timestamp, seq: this.service.pool.seq };
  }

  private bookMessage(topic: Topic): Record<string, unknown> {
    const level = (o: { id: number; price: bigint; size: bigint; owner: string }) => ({ id: o.id, price: o.price.toString(), size: o.size.toString(), owner: o.owner });
    const book = this.service.book;
    return { channel: "book", series: topic.spec, bids: book.orders(topic.spec, "buy").map(level), asks: book.orders(topic.spec, "sell").map(level), bookSeq: this.service.bookSeq };
  }

  /** Sends a UTF-8 JSON text frame, or drops a subscriber that does not keep up. */
  private sendText(socket: WebSocket, data: Buffer): void {
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(1013, "too slow: unsent messages past 1 MiB");
      return;
    }
    socket.send(data, { binary: false });
  }
}

function send(socket: WebSocket, message: Record<string, unknown>): void {
  socket.send(JSON.stringify(message));
}
