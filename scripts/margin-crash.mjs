// Bad debt per preset over simulated crash paths (pool/margin/crash.ts), as a markdown table for docs/margin.md.
// Usage: node scripts/build.mjs && node scripts/margin-crash.mjs [paths=10000] [mcInnerPaths=500]
import { createPricer } from "../dist/bindings/index.js";
import { derive33, deribit35, monteCarloEs, simulateCrashes, span16 } from "../dist/pool/margin/index.js";

const paths = Number(process.argv[2] ?? 10_000);
const inner = Number(process.argv[3] ?? 500);
const pricer = await createPricer();
const usdc = (x) => (Number(x) / 1e6).toLocaleString("en", { maximumFractionDigits: 0 });
console.log(`| preset | initial margin (USDC) | liquidations | paths drawing on the fund | fund paid (USDC) | paths with socialised loss | socialised (USDC) | bad debt per path (USDC) |`);
console.log(`|---|--:|--:|--:|--:|--:|--:|--:|`);
for (const preset of [derive33(), span16(), deribit35(), monteCarloEs({ paths: inner })]) {
  const r = await simulateCrashes(pricer, { preset, paths });
  console.log(`| ${r.preset}${preset.kind === "monteCarlo" ? ` (${inner} inner paths)` : ""} | ${usdc(r.initialMargin)} | ${r.liquidations} | ${r.insuranceDraws} | ${usdc(r.insurancePaid)} | ${r.badDebtPaths} | ${usdc(r.badDebt)} | ${usdc((r.insurancePaid + r.badDebt) / BigInt(paths))} |`);
}
