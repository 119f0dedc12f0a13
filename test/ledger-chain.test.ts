// The chain's digests: Node's crypto (used under Node) and @noble/hashes (used where there is no node:crypto, e.g.
// browsers) must give the same SHA-256 and HMAC-SHA-256 of any text, or a log written in one runtime would not verify
// in the other. Checked against the FIPS 180-2 and RFC 4231 vectors, then against each other on arbitrary Unicode.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hmacHex, hmacHexNoble, sha256Hex, sha256HexNoble } from "../pool/ledger-chain.js";

describe("ledger chain digests", () => {
  it("match the published vectors in both implementations", () => {
    for (const f of [sha256Hex, sha256HexNoble]) expect(f("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231 test case 2: key "Jefe".
    for (const f of [hmacHex, hmacHexNoble])
      expect(f(new TextEncoder().encode("Jefe"), "what do ya want for nothing?")).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });

  it("agree on any text (UTF-8, lone surrogates included) and key", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.uint8Array({ minLength: 1, maxLength: 100 }), (text, key) => {
        expect(sha256Hex(text)).toBe(sha256HexNoble(text));
        expect(hmacHex(key, text)).toBe(hmacHexNoble(key, text));
      }),
      { numRuns: 500 },
    );
  });

  it("uses Node's crypto under Node", () => {
    // Same digest as node:crypto itself; the speed is what matters here and the bench shows it, this only shows the path exists.
    expect(typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule).toBe("function");
    expect(sha256Hex("x")).toBe(createHash("sha256").update("x").digest("hex"));
  });
});
