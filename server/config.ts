// The service's configuration file (pool.json): the pool's settings, the first oracle print and its feed, the risk
// engine's options, the operators' addresses, the ledger key's file and the rate limits. One TypeBox schema declares
// it; `loadServeConfig` checks a file against it and names the first bad field.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Type, { type Static } from "typebox";
import { Errors } from "typebox/value";
import { resolveParams, type PoolParams } from "../pool/params.js";
import { ADDRESS_PATTERN } from "./auth/eip191.js";

const Positive = Type.Number({ exclusiveMinimum: 0 });
const Count = Type.Integer({ minimum: 1 });

export const FeedConfigSchema = Type.Union([
  Type.Object({ kind: Type.Literal("manual") }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal("simulated"),
      /** Milliseconds between prints. */
      intervalMs: Type.Integer({ minimum: 10 }),
      /** Annualised vol of the simulated spot's geometric Brownian motion. */
      annualVol: Type.Number({ minimum: 0, maximum: 5 }),
      /** Seed of the walk: the same seed prints the same path. */
      seed: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
      /** Time compression: each print moves spot as if this many seconds had passed per real second (1 = real time). */
      speed: Type.Optional(Type.Number({ minimum: 1, maximum: 1e6 })),
    },
    { additionalProperties: false },
  ),
]);

export const ServeConfigSchema = Type.Object(
  {
    pool: Type.Object(
      {
        collateral: Type.Union([Type.Literal("quote"), Type.Literal("base")]),
        decimals: Type.Integer({ minimum: 0, maximum: 36 }),
        sizeDecimals: Type.Optional(Type.Integer({ minimum: 0, maximum: 18 })),
        priceDecimals: Type.Optional(Type.Integer({ minimum: 0, maximum: 18 })),
        shareOffset: Type.Optional(Type.Integer({ minimum: 0, maximum: 18 })),
        treasury: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        /** Overrides of DEFAULT_POOL_PARAMS (checked by resolveParams). */
        params: Type.Optional(Type.Record(Type.String(), Type.Number())),
      },
      { additionalProperties: false },
    ),
    oracle: Type.Object(
      { spot: Positive, baseVol: Positive, skew: Type.Optional(Type.Number()), feed: FeedConfigSchema },
      { additionalProperties: false },
    ),
    risk: Type.Optional(
      Type.Object(
        {
          /** false: no pre-trade stress and ES check on buys and redemptions (it costs a Monte Carlo run per operation). */
          preTrade: Type.Optional(Type.Union([Type.Literal(false), Type.Object({ minSolvency: Type.Optional(Positive), maxExpectedShortfall: Type.Optional(Positive), paths: Type.Optional(Count) }, { additionalProperties: false })])),
        },
        { additionalProperties: false },
      ),
    ),
    /** Addresses (0x + 40 lowercase hex digits) allowed to call the admin routes. */
    admins: Type.Array(Type.String({ pattern: ADDRESS_PATTERN }), { maxItems: 64 }),
    /** File with the ledger key (64+ hex digits); created with a random key (mode 0600) when missing. Relative to the config file. */
    ledgerKeyFile: Type.String({ minLength: 1 }),
    rateLimit: Type.Optional(
      Type.Object(
        {
          /** Requests per window and account (signed routes) or per client address (public routes). */
          max: Count,
          windowMs: Count,
        },
        { additionalProperties: false },
      ),
    ),
    /** Pool events between snapshots of a SQLite --db (a restart verifies at most this many past the last one). Default 5,000. */
    snapshotEvery: Type.Optional(Count),
    /** Longest session a signature may open, seconds. Default 86,400. */
    maxSessionSeconds: Type.Optional(Count),
  },
  { additionalProperties: false },
);

/** The parsed pool.json. */
export type ServeConfig = Static<typeof ServeConfigSchema>;
export type FeedConfig = Static<typeof FeedConfigSchema>;

/** A configuration that does not fit the schema (or whose parameters resolveParams refuses), naming the field. */
export class ConfigError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`config ${field}: ${problem}`);
    this.name = "ConfigError";
  }
}

/** Checks a parsed configuration; throws ConfigError naming the first bad field. */
export function checkServeConfig(value: unknown): ServeConfig {
  const errors = Errors(ServeConfigSchema, value);
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new ConfigError(first.instancePath || "/", first.message);
  }
  const config = value as ServeConfig;
  try {
    resolveParams(config.pool.params as Partial<PoolParams> | undefined);
  } catch (e) {
    throw new ConfigError(`/pool/params/${((e as { field?: string }).field ?? "").replace(/^params\./, "")}`, (e as Error).message);
  }
  return config;
}

/** Reads and checks `path`; returns the configuration and the ledger key (read, or created when its file is missing). */
export function loadServeConfig(path: string): { config: ServeConfig; ledgerKey: Uint8Array } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError("/", `cannot read ${path}: ${(e as Error).message}`);
  }
  const config = checkServeConfig(parsed);
  return { config, ledgerKey: readLedgerKey(resolve(dirname(path), config.ledgerKeyFile)) };
}

/** The ledger key in `path` (hex, ≥ 32 bytes); a new random one is written there (mode 0600) when the file is missing. */
export function readLedgerKey(path: string): Uint8Array {
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  const hex = readFileSync(path, "utf8").trim();
  if (!/^([0-9a-fA-F]{2}){32,}$/.test(hex)) throw new ConfigError("/ledgerKeyFile", `${path} must hold at least 64 hex digits`);
  return Uint8Array.from(Buffer.from(hex, "hex"));
}
