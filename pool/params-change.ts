// Changing a pool's parameters through its log. An operator's change is a `paramsChanged` event like any other:
// validated before it is built (resolveParams over the parameters in force, naming the bad field: a refusal changes
// nothing), chained and MAC'd by the commit, and replayed: the ledger keeps every change so far (PoolState.params,
// in snapshots too), so a replay or a restart from a snapshot puts the same parameters in force at the same seq and
// re-derives every later event under them. A forged change is refused on replay like any forged event (its MAC),
// and a change with a bad value is refused even under the key (REPLAY_MISMATCH naming the parameter).
import { PoolError, check } from "./errors.js";
import { MAX_EVENT_TEXT } from "./event-schema.js";
import type { PoolEvent } from "./events.js";
import { DEFAULT_POOL_PARAMS, resolveParams, type PoolParams } from "./params.js";
import type { PoolCore } from "./pool-core.js";

type ParamsChanged = Extract<PoolEvent, { kind: "paramsChanged" }>;

/** Parameter values as key-sorted JSON text: one set of values, one text (the event's and the snapshot's form). */
export function changesText(changes: Partial<PoolParams>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(changes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** The values of a changes text (an object of numbers; resolveParams checks names and ranges). */
function parseChanges(text: string, field: string, fail: (field: string, problem: string) => never): Partial<PoolParams> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(field, "is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return fail(field, "must be a JSON object of parameter values");
  return parsed as Partial<PoolParams>;
}

/** The ledger's record of changes after one more: the earlier changes with `changes` over them (PoolState.params). */
export function mergedChanges(before: string | undefined, changes: string): string {
  const fail = (field: string, problem: string): never => {
    throw new PoolError("REPLAY_MISMATCH", field, problem);
  };
  const earlier = before === undefined ? {} : parseChanges(before, "params", fail);
  return changesText({ ...earlier, ...parseChanges(changes, "changes", fail) });
}

/** The parameters in force for a pool configured with `configured` whose ledger holds `changes` (PoolState.params). */
export function paramsInForce(configured: Partial<PoolParams> | undefined, changes: string | undefined): PoolParams {
  const fail = (field: string, problem: string): never => {
    throw new PoolError("INVALID_EVENT", field, `the ledger's parameter changes: ${problem}`);
  };
  return resolveParams(changes === undefined ? configured : { ...configured, ...parseChanges(changes, "params", fail) });
}

/** The parameters after event `e` given those in force before it; REPLAY_MISMATCH naming the field when they are not valid. */
export function paramsAfter(before: PoolParams, e: ParamsChanged): PoolParams {
  const where = `seq ${e.seq} (paramsChanged)`;
  const fail = (field: string, problem: string): never => {
    throw new PoolError("REPLAY_MISMATCH", field, `${where}: ${field} ${problem}`);
  };
  const changes = parseChanges(e.changes, "changes", fail);
  if (changesText(changes) !== e.changes) fail("changes", "must be key-sorted JSON (changesText)");
  if (Object.keys(changes).length === 0) fail("changes", "changes no parameter");
  try {
    return resolveParams({ ...before, ...changes });
  } catch (err) {
    if (err instanceof PoolError) fail(err.field, err.message);
    throw err;
  }
}

/**
 * Changes some parameters: checks `changes` over the parameters in force (INVALID_INPUT naming `params.<name>`),
 * commits a paramsChanged event with `reason`, then puts the new parameters in force. Nothing changes on a refusal.
 */
export function changeParams(core: PoolCore, changes: Partial<PoolParams>, reason: string): PoolParams {
  check(typeof changes === "object" && changes !== null && !Array.isArray(changes), "params", "must be an object of parameter values");
  const names = Object.keys(changes);
  check(names.length > 0, "params", "must change at least one parameter");
  for (const name of names) check(Object.hasOwn(DEFAULT_POOL_PARAMS, name), `params.${name}`, "is not a pool parameter");
  check(typeof reason === "string" && reason.trim().length > 0, "reason", "must say why (a non-empty string)");
  check(reason.length <= MAX_EVENT_TEXT, "reason", `must be at most ${MAX_EVENT_TEXT} characters`);
  const params = resolveParams({ ...core.settings.params, ...changes });
  const text = changesText(changes);
  check(text.length <= MAX_EVENT_TEXT, "params", `the changes must fit in ${MAX_EVENT_TEXT} characters of JSON: change fewer parameters at a time`);
  core.commit("admin", (tx) => tx.emit({ kind: "paramsChanged", changes: text, reason }));
  core.useParams(params);
  return params;
}
