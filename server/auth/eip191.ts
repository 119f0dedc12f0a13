// Accounts are secp256k1 keys named by their Ethereum address, and a session is opened with an EIP-191 signature
// ("personal_sign": keccak256("\x19Ethereum Signed Message:\n" + byte length + message)), so a browser wallet can
// open one. Browser-safe (noble only): the client and the page sign with the same code the server verifies with.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/** An account address: 0x and 40 lowercase hex digits (the pool's account name). */
export const ADDRESS_PATTERN = "^0x[0-9a-f]{40}$";
const ADDRESS = new RegExp(ADDRESS_PATTERN);

/** The EIP-191 (version 0x45) digest of a text message. */
export function personalMessageHash(message: string): Uint8Array {
  const body = utf8ToBytes(message);
  const prefix = utf8ToBytes(`\x19Ethereum Signed Message:\n${body.length}`);
  const all = new Uint8Array(prefix.length + body.length);
  all.set(prefix);
  all.set(body, prefix.length);
  return keccak_256(all);
}

/** The address of an uncompressed (65-byte) or compressed (33-byte) secp256k1 public key. */
export function addressOf(publicKey: Uint8Array): string {
  const point = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return "0x" + bytesToHex(keccak_256(point.subarray(1)).subarray(12));
}

/** The address of a 32-byte secret key (hex). */
export function addressOfSecret(secretKeyHex: string): string {
  return addressOf(secp256k1.getPublicKey(hexToBytes(strip0x(secretKeyHex)), false));
}

/** Signs `message` EIP-191-style with a 32-byte secret key (hex): 0x + r‖s‖v, v = 27 or 28 (low s). */
export function signPersonalMessage(message: string, secretKeyHex: string): string {
  const sig = secp256k1.sign(personalMessageHash(message), hexToBytes(strip0x(secretKeyHex)), { prehash: false, format: "recovered" });
  // noble's recovered format is recovery ‖ r ‖ s; Ethereum's is r ‖ s ‖ (27 + recovery).
  const out = new Uint8Array(65);
  out.set(sig.subarray(1), 0);
  out[64] = 27 + sig[0]!;
  return "0x" + bytesToHex(out);
}

/**
 * The address that signed `message` (EIP-191), or undefined for a signature that is malformed, high-s (malleable)
 * or recovers no key. `signature`: 0x + 130 hex digits, r ‖ s ‖ v with v ∈ {27, 28} (or {0, 1}).
 */
export function recoverPersonalSigner(message: string, signature: string): string | undefined {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return undefined;
  const bytes = hexToBytes(signature.slice(2));
  const v = bytes[64]!;
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) return undefined;
  const noble = new Uint8Array(65);
  noble[0] = recovery;
  noble.set(bytes.subarray(0, 64), 1);
  try {
    const sig = secp256k1.Signature.fromBytes(noble, "recovered");
    if (sig.hasHighS()) return undefined;
    return addressOf(sig.recoverPublicKey(personalMessageHash(message)).toBytes(false));
  } catch {
    return undefined;
  }
}

/** True for a well-formed account address. */
export function isAddress(value: unknown): value is string {
  return typeof value === "string" && ADDRESS.test(value);
}

function strip0x(hex: string): string {
  return hex.startsWith("0x") ? hex.slice(2) : hex;
}
