// The JSON schema of a scenario config (TypeBox, as server/config.ts): unknown keys, strings where numbers belong and
// values out of range are refused naming the field ("scenario config: attacker.attacks[1].day must be <= 60").
// Attacks and the hedge band are checked against the branch their `kind` names, so an error names that branch's
// field; what a schema cannot say (η's bound from ρ, attack days within the run, account names) is checked after.
import Type, { type TSchema } from "typebox";
import { Errors } from "typebox/value";

const closed = { additionalProperties: false } as const;
const Num = (minimum: number, maximum: number) => Type.Number({ minimum, maximum });
const Above = (exclusiveMinimum: number, maximum: number) => Type.Number({ exclusiveMinimum, maximum });
const Int = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });
const Name = Type.String({ pattern: "^\\S.{0,127}$" });

const Makers = Type.Object({
  count: Int(0, 100), contracts: Above(0, 1e6), askDiscount: Num(0, 0.5), bidDiscount: Above(0, 0.9),
  moneyness: Type.Array(Num(0.5, 2), { minItems: 1 }), expiryDays: Int(1, 365),
}, closed);
const Takers = Type.Object({ count: Int(0, 100), ordersPerDay: Int(0, 1000), maxContracts: Above(0, 1e6), slippage: Num(0, 1) }, closed);

const MoveOpen = (lo: number, hi: number) => Type.Number({ exclusiveMinimum: lo, exclusiveMaximum: hi });

/** Each attack kind's schema (day bounds are checked against `days` afterwards). */
export const ATTACK_SCHEMAS: Record<string, TSchema> = {
  "hit-and-run": Type.Object({
    kind: Type.Literal("hit-and-run"), day: Int(1, 3650), deposit: Above(0, 1e12), spotMove: MoveOpen(-0.5, 0.5),
    contracts: Above(0, 1e6), moneyness: Num(0.5, 2), expiryDays: Int(1, 365),
  }, closed),
  "oracle-spike": Type.Object({ kind: Type.Literal("oracle-spike"), day: Int(1, 3650), deposit: Above(0, 1e12), spotMove: MoveOpen(-0.9, 1), spikeSeconds: Int(1, 3600) }, closed),
  "split-trade": Type.Object({ kind: Type.Literal("split-trade"), day: Int(1, 3650), contracts: Above(0, 1e6), pieces: Int(2, 1000), moneyness: Num(0.5, 2), expiryDays: Int(1, 365) }, closed),
};

/** Each hedge band kind's schema. */
export const BAND_SCHEMAS: Record<string, TSchema> = {
  fixed: Type.Object({ kind: Type.Literal("fixed"), halfWidth: Num(0, 1e9) }, closed),
  "whalley-wilmott": Type.Object({ kind: Type.Literal("whalley-wilmott"), riskAversion: Above(0, 1e9) }, closed),
};

const Kinded = (kinds: string[]) => Type.Object({ kind: Type.Union(kinds.map((k) => Type.Literal(k))) });

/** The config's schema; attacks and bands only by kind here (their branch is checked by checkBranches). */
export const ScenarioConfigSchema = Type.Object({
  seed: Type.Integer(), days: Int(1, 3650), spot: Above(0, 1e12), vol: Above(0, 5), drift: Num(-10, 10), volOfVol: Num(0, 10),
  crash: Type.Optional(Type.Object({ day: Int(1, 3650), spotMove: Type.Number({ exclusiveMinimum: -1, maximum: 10 }), volMove: Type.Number({ exclusiveMinimum: -1, maximum: 10 }) }, closed)),
  smile: Type.Optional(Type.Object({ rho: Type.Number({ exclusiveMinimum: -1, exclusiveMaximum: 1 }), eta: Above(0, 2), gamma: Above(0, 0.5) }, closed)),
  lps: Type.Array(Type.Object({ name: Name, deposit: Above(0, 1e12), day: Int(0, 3650), redeemDay: Type.Optional(Int(0, 3650)) }, closed), { minItems: 1 }),
  traders: Type.Object({ count: Int(1, 1000), tradesPerDay: Int(0, 10_000), maxContracts: Above(0, 1e6), minDays: Int(1, 365), maxDays: Int(1, 365) }, closed),
  peers: Type.Optional(Type.Object({ makers: Makers, takers: Takers }, closed)),
  attacker: Type.Optional(Type.Object({ name: Name, attacks: Type.Array(Kinded(Object.keys(ATTACK_SCHEMAS))) }, closed)),
  risk: Type.Object({ varPaths: Int(100, 10_000_000), varHorizonDays: Int(1, 365), greeksEveryDays: Int(1, 365) }, closed),
  hedge: Type.Optional(Type.Object({
    enabled: Type.Boolean(), band: Kinded(Object.keys(BAND_SCHEMAS)), orderSize: Num(0, 1e9),
    venue: Type.Object({ feeRate: Num(0, 0.1), halfSpread: Num(0, 0.1), impact: Num(0, 1), depth: Above(0, 1e12), fundingRate: Num(-1, 1) }, closed),
  }, closed)),
}, closed);

/** "/attacker/attacks/1/day" → "attacker.attacks[1].day". */
function dotted(path: string): string {
  return path.split("/").slice(1).reduce((out, key) => (/^\d+$/.test(key) ? `${out}[${key}]` : out ? `${out}.${key}` : key), "") || "config";
}

/** The first error of `value` against `schema` as "field problem", the field prefixed with `prefix`; undefined when it fits. */
export function schemaError(schema: TSchema, value: unknown, prefix = ""): string | undefined {
  const errors = Errors(schema, value);
  if (errors.length === 0) return undefined;
  // An unknown key is reported twice (its own path, "schema is false"; the parent's additionalProperties): name the key.
  const e = errors.find((x) => x.keyword === "additionalProperties") ?? errors[0]!;
  const field = dotted(prefix + e.instancePath);
  if (e.keyword === "additionalProperties") {
    const keys = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return `${field === "config" ? keys.join(", ") : keys.map((k) => `${field}.${k}`).join(", ")} is not a known key`;
  }
  const got = valueAt(value, e.instancePath);
  if (e.keyword === "const") {
    const allowed = errors.filter((x) => x.keyword === "const" && x.instancePath === e.instancePath).map((x) => JSON.stringify((x.params as { allowedValue?: unknown }).allowedValue));
    return `${field} must be one of ${allowed.join(", ")}, got ${JSON.stringify(got)}`;
  }
  return `${field} ${e.message}${e.keyword === "required" ? "" : `, got ${JSON.stringify(got)}`}`;
}

function valueAt(value: unknown, path: string): unknown {
  return path.split("/").slice(1).reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), value);
}
