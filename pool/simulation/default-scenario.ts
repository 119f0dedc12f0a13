// The bundled default scenario (same content as default-scenario.json, which documents the config format);
// a TS constant so the CLI needs no file next to the compiled code.
import type { ScenarioConfig } from "./config.js";

/**
 * Default scenario of `pool2peer simulate` and `npm start`: 60 days, four LPs, a crash on day 35, two market
 * makers and three takers on the peer book, and an attacker (split trade day 2, hit-and-run day 25, oracle spike
 * day 45).
 */
export const DEFAULT_SCENARIO: ScenarioConfig = {
  "seed": 7,
  "days": 60,
  "spot": 2000,
  "vol": 0.6,
  "drift": 0,
  "volOfVol": 1.2,
  "crash": { "day": 35, "spotMove": -0.3, "volMove": 0.6 },
  "lps": [
    { "name": "alice", "deposit": 400000, "day": 0 },
    { "name": "bob", "deposit": 250000, "day": 0 },
    { "name": "carol", "deposit": 150000, "day": 10 },
    { "name": "dave", "deposit": 100000, "day": 20, "redeemDay": 40 }
  ],
  "traders": { "count": 4, "tradesPerDay": 6, "maxContracts": 20, "minDays": 7, "maxDays": 28 },
  "peers": {
    "makers": { "count": 2, "contracts": 5, "askDiscount": 0.02, "bidDiscount": 0.05, "moneyness": [0.9, 0.95, 1], "expiryDays": 14 },
    "takers": { "count": 3, "ordersPerDay": 6, "maxContracts": 8, "slippage": 0.02 }
  },
  "attacker": {
    "name": "mallory",
    "attacks": [
      { "kind": "split-trade", "day": 2, "contracts": 60, "pieces": 10, "moneyness": 0.95, "expiryDays": 21 },
      { "kind": "hit-and-run", "day": 25, "deposit": 3000000, "spotMove": -0.075, "contracts": 150, "moneyness": 1, "expiryDays": 30 },
      { "kind": "oracle-spike", "day": 45, "deposit": 500000, "spotMove": -0.25, "spikeSeconds": 12 }
    ]
  },
  "risk": { "varPaths": 20000, "varHorizonDays": 1, "greeksEveryDays": 1 }
};
