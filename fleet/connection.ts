// The client's two Redis connections (commands, and one blocking reader for job notes) and its BullMQ queue.
// Every command is bounded in time: ioredis queues commands while offline, and a call must fail instead of hanging.
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { importOptional } from "../bindings/optional-dependency.js";
import { FleetConnectionError } from "./errors.js";
import type { FleetJobData } from "./protocol.js";

/** Rejects with FleetConnectionError when `promise` takes longer than `ms` (Redis commands queue while offline). */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FleetConnectionError(`${what} got no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * bullmq and ioredis: optional peer dependencies of pool2peer/fleet (a browser or single-machine user never
 * installs them); a missing one is a MissingDependencyError naming both.
 */
export async function loadRedisClients(): Promise<{ Redis: typeof import("ioredis").Redis; Queue: typeof import("bullmq").Queue }> {
  const deps = ["bullmq", "ioredis"];
  const ioredis = await importOptional("the fleet (pool2peer/fleet)", deps, () => import("ioredis"));
  const bullmq = await importOptional("the fleet (pool2peer/fleet)", deps, () => import("bullmq"));
  return { Redis: ioredis.Redis, Queue: bullmq.Queue };
}

/** A timer that never keeps the process alive. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

async function connectOrThrow(connection: Redis, url: string, timeoutMs: number, also: Redis[] = []): Promise<void> {
  try {
    await bounded(connection.connect(), timeoutMs, "connecting");
  } catch (error) {
    for (const other of [connection, ...also]) other.disconnect();
    throw error instanceof FleetConnectionError ? error : new FleetConnectionError(`cannot connect to ${url}: ${String(error)}`, { cause: error });
  }
}

/** The Redis side of one fleet client. */
export class FleetConnection {
  private constructor(
    readonly url: string,
    readonly redis: Redis,
    readonly blocking: Redis,
    readonly queue: Queue<FleetJobData>,
    /** Bound on any one command, ms. */
    readonly commandMs: number,
  ) {}

  /** Connects both connections within `connectTimeoutMs` or throws FleetConnectionError. */
  static async open(url: string, queueName: string, connectTimeoutMs: number): Promise<FleetConnection> {
    const { Redis, Queue } = await loadRedisClients();
    // Commands fail after a couple of reconnect attempts instead of queueing forever; reconnects are quick.
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, retryStrategy: (times: number) => Math.min(50 * times, 500) });
    redis.on("error", () => {}); // surfaced through commands and the watchdog
    await connectOrThrow(redis, url, connectTimeoutMs);
    // Connected now (duplicate() keeps lazyConnect), so its status means something to the watchdog.
    const blocking = redis.duplicate({ maxRetriesPerRequest: 1 });
    blocking.on("error", () => {});
    await connectOrThrow(blocking, url, connectTimeoutMs, [redis]);
    const queue = new Queue<FleetJobData>(queueName, { connection: redis });
    queue.on("error", () => {});
    return new FleetConnection(url, redis, blocking, queue, Math.max(connectTimeoutMs, 1000));
  }

  /** `promise` bounded by the command timeout (or `ms`). */
  bounded<T>(promise: Promise<T>, what: string, ms = this.commandMs): Promise<T> {
    return bounded(promise, ms, what);
  }

  /** Both connections are ready. */
  get up(): boolean {
    return this.redis.status === "ready" && this.blocking.status === "ready";
  }

  async close(): Promise<void> {
    await this.bounded(this.queue.close(), "closing").catch(() => {});
    this.blocking.disconnect();
    this.redis.disconnect();
  }
}
