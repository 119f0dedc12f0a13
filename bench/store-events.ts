// A synthetic pool history for the store's tests and benchmark: schema-valid events of every common kind (deposits,
// trades both ways, claims, redemptions), numbered and chained exactly as ledger-chain.ts chains them, produced fast:
// the hash is SHA-256 from node:crypto (the same function as @noble/hashes' sha256 in hashAfter, several times
// faster), so a 2,000,000-event journal is written in seconds without a pool or a pricer. Amounts are arbitrary
// (not a valid pool history for a verifying replay): the store checks links, not amounts. Node only.
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { canonicalEvent, eventToJSON, type PoolEvent, type PoolEventBody } from "../pool/events.js";
import { genesisHash, type LedgerIdentity } from "../pool/ledger-chain.js";

/** The identity the synthetic history is bound to (a USDC put pool). */
export const SYNTHETIC_IDENTITY: LedgerIdentity = { collateral: "quote", decimals: 6, sizeDecimals: 2, priceDecimals: 2, shareOffset: 6, treasury: "treasury" };
/** Its genesis hash (the hash before seq 1). */
export const SYNTHETIC_GENESIS = genesisHash(SYNTHETIC_IDENTITY);
/** Clock time of seq 0 (unix seconds); event n is at T0 + n. */
export const SYNTHETIC_T0 = 1_767_225_600;

const DAY = 86_400;

/** The body of synthetic event `seq` (deterministic in seq). */
export function syntheticBody(seq: number): PoolEventBody {
  const k = seq % 10;
  const owner = `lp${seq % 97}`;
  const n = BigInt(seq);
  if (k === 0) return { kind: "deposit", owner, assets: 1_000_000n + n, shares: 999_000n + n, nav: 10n ** 12n + n, by: "assets" };
  if (k === 9) return { kind: "claim", account: `trader${seq % 1009}`, assets: 1n + (n % 5_000_000n) };
  if (k === 8) return { kind: "redeem", owner, shares: 1_000n + (n % 100_000n), assets: 1_001n + (n % 100_000n), nav: 10n ** 12n - n, by: "shares" };
  const strike = 1500 + 25 * (seq % 40);
  const side = k % 3 === 0 ? "sell" : "buy";
  return {
    kind: "trade", trader: `trader${seq % 1009}`, side,
    series: { type: "put", strike, strikeUnits: BigInt(strike) * 100n, expiry: SYNTHETIC_T0 + DAY * (7 + (seq % 60)) },
    size: 100n + (n % 900n), spot: 2000 + (seq % 200) / 8, oracleVol: 0.6 + (seq % 50) / 1000, vol: 0.61 + (seq % 50) / 1000,
    premium: 2_000_000n + (n % 1_000_000n), fees: 20_000n + (n % 999n), protocolFee: 2_000n + (n % 99n),
    paid: 2_022_000n + (n % 1_000_000n), collateral: BigInt(strike) * 1_000_000n,
  };
}

/** Synthetic event `seq` sealed after `previous` (hash = SHA-256(previous + canonical form), as hashAfter). */
export function syntheticEvent(seq: number, previous: string): PoolEvent {
  const unsealed = { ...syntheticBody(seq), seq, time: SYNTHETIC_T0 + seq };
  const hash = createHash("sha256").update(previous + canonicalEvent(unsealed)).digest("hex");
  return { ...unsealed, hash } as PoolEvent;
}

/** `count` synthetic events after `from` (default: the start of the log), chained. */
export function* syntheticEvents(count: number, from: { seq: number; hash: string } = { seq: 0, hash: SYNTHETIC_GENESIS }): Generator<PoolEvent> {
  let previous = from.hash;
  for (let seq = from.seq + 1; seq <= from.seq + count; seq++) {
    const event = syntheticEvent(seq, previous);
    previous = event.hash;
    yield event;
  }
}

/** Writes a journal of `count` synthetic events at `path` (1 MiB writes, one fsync); returns its head and size. */
export function writeSyntheticJournal(path: string, count: number): { seq: number; hash: string; bytes: number } {
  const fd = openSync(path, "wx");
  let head = { seq: 0, hash: SYNTHETIC_GENESIS };
  let bytes = 0;
  try {
    let lines: string[] = [];
    let chars = 0;
    const write = () => {
      const buffer = Buffer.from(lines.join(""), "utf8");
      for (let done = 0; done < buffer.length; ) done += writeSync(fd, buffer, done, buffer.length - done);
      bytes += buffer.length;
      lines = [];
      chars = 0;
    };
    for (const event of syntheticEvents(count)) {
      const line = `${eventToJSON(event)}\n`;
      lines.push(line);
      chars += line.length;
      head = { seq: event.seq, hash: event.hash };
      if (chars >= 1 << 20) write();
    }
    write();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { ...head, bytes };
}
