// The lazy schema compilers of the server (server/lazy-compile.ts): a stand-in compiles its schema once, on its first
// call or when warmed, and then answers exactly as the compiled validator or serializer does.
import { describe, expect, it } from "vitest";
import { Ajv, type ValidateFunction } from "ajv";
import { LazyCompiler } from "../server/lazy-compile.js";
import { QuoteQuery, QuoteReply } from "../server/schemas.js";

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe("LazyCompiler", () => {
  it("compiles a validator on its first call, once, and answers as the compiled one, errors included", () => {
    const compiler = new LazyCompiler();
    let compiles = 0;
    const ajv = new Ajv({ coerceTypes: true, strict: false });
    const validate = compiler.validator(() => {
      compiles++;
      return ajv.compile(QuoteQuery) as ValidateFunction;
    });
    expect(compiles).toBe(0);
    expect(compiler.size).toBe(1);
    const good = { type: "put", strike: "2800", expiry: "1797000000", size: "100", side: "buy" };
    expect(validate(good)).toBe(true);
    expect(validate.errors).toBeNull();
    expect(good.strike).toBe(2800); // coerced in place, as fastify's query validation expects
    expect(validate({ ...good, side: "hold" })).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe("/side");
    expect(validate({ ...good, side: "sell" })).toBe(true);
    expect(validate.errors).toBeNull();
    expect(compiles).toBe(1);
    expect(compiler.size).toBe(0);
  });

  it("serializes a reply as fast-json-stringify does once compiled; warm compiles every stand-in left, one per turn", async () => {
    const compiler = new LazyCompiler();
    const compile = compiler.serializerFactory()(undefined, undefined);
    const routes = ["/a", "/b", "/c"].map((url) => compile({ schema: QuoteReply, method: "GET", url, httpStatus: "200" }));
    expect(compiler.size).toBe(3);
    const reply = {
      side: "buy", series: { type: "put", strike: 2800, strikeUnits: "2800000000", expiry: 1797000000 }, size: "100", spot: 3000, vol: 0.6,
      volUsed: 0.61, ivImpact: 0, years: 0.04, utilizationBefore: 0, utilizationAfter: 0.1,
      perContract: { premium: 1, utilizationMarkup: 0, optionPriceFee: 0, spotFee: 0, vegaFee: 0, hedgeFee: 0 },
      premium: "1", utilizationMarkup: "0", optionPriceFee: "0", spotFee: "0", vegaFee: "0", hedgeFee: "0", fees: "0", protocolFee: "0", collateral: "5", total: "1",
      extra: "not in the schema",
    };
    const text = routes[0]!(reply);
    expect(JSON.parse(text)).toEqual({ ...reply, extra: undefined });
    expect(text).not.toMatch(/extra/);
    expect(compiler.size).toBe(2);
    compiler.warm();
    await turns(5);
    expect(compiler.size).toBe(0);
    expect(routes[2]!(reply)).toBe(text);
  });

  it("leaves a schema that does not compile to its first call, which throws the compiler's error; stop ends warming", async () => {
    const compiler = new LazyCompiler();
    const broken = compiler.validator(() => new Ajv().compile({ type: "object", properties: { a: { $ref: "#/nowhere" } } }));
    compiler.warm();
    await turns(3);
    expect(compiler.size).toBe(0);
    expect(() => broken({ a: 1 })).toThrow(/nowhere/);

    const stopped = new LazyCompiler();
    for (let i = 0; i < 5; i++) stopped.later(() => i);
    stopped.warm();
    stopped.stop();
    await turns(8);
    expect(stopped.size).toBe(5);
  });
});
