// Shared fixtures of the serve tests: a pool.json in a temporary folder, fixed account keys, a real server on
// loopback (in this process, or as a `pool2peer serve` child process for crash tests), and signed clients.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addressOfSecret } from "../../server/auth/eip191.js";
import { ServeClient, keySigner } from "../../server/client.js";
import type { ServeConfig } from "../../server/config.js";
import { startServer, type RunningServer } from "../../server/start.js";

/** Fixed secret keys (hex) of the test accounts; `admin` is in the config's admins. */
export const KEYS = {
  admin: "a1".repeat(32),
  alice: "11".repeat(32),
  bob: "22".repeat(32),
  carol: "33".repeat(32),
  mallory: "66".repeat(32),
} as const;
export type Who = keyof typeof KEYS;
export const ADDRESS: Record<Who, string> = Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, addressOfSecret(v)])) as Record<Who, string>;

/** USDC base units. */
export const USDC = 1_000_000n;

/** A USDC put pool at spot 3000, vol 0.6, manual feed, no pre-trade Monte Carlo, generous rate limits. */
export function testConfig(overrides: Partial<ServeConfig> = {}): ServeConfig {
  return {
    pool: { collateral: "quote", decimals: 6, params: { minTimeToExpirySeconds: 1 } },
    oracle: { spot: 3000, baseVol: 0.6, feed: { kind: "manual" } },
    risk: { preTrade: false },
    admins: [ADDRESS.admin],
    ledgerKeyFile: "ledger.key",
    rateLimit: { max: 1_000_000, windowMs: 60_000 },
    ...overrides,
  };
}

/** A new folder with pool.json (and the ledger key created on first start); returns the paths. */
export function makeServeDir(config: ServeConfig = testConfig()): { dir: string; configPath: string; dbPath: string } {
  const dir = mkdtempSync(join(tmpdir(), "p2p-serve-"));
  const configPath = join(dir, "pool.json");
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return { dir, configPath, dbPath: join(dir, "pool.sqlite") };
}

/** A server in this process on a free loopback port, logs off. */
export async function startTestServer(config: ServeConfig = testConfig()): Promise<RunningServer & { dbPath: string; configPath: string }> {
  const paths = makeServeDir(config);
  const server = await startServer({ configPath: paths.configPath, dbPath: paths.dbPath, port: 0, logger: false });
  return { ...server, ...paths };
}

/** A client with an open session of `who`. */
export async function clientOf(url: string, who: Who): Promise<ServeClient> {
  const client = new ServeClient(url);
  await client.open(keySigner(KEYS[who]));
  return client;
}

/** A unix-second expiry `days` from the server's clock, on a whole hour. */
export function expiryIn(days: number, now = Math.floor(Date.now() / 1000)): number {
  return Math.floor((now + days * 86_400) / 3600) * 3600;
}

export { freePort, spawnServe } from "../../bench/serve-process.js";
