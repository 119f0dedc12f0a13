// The bundled default scenario (same content as default-scenario.json, which documents the config format);
// a TS constant so the CLI needs no file next to the compiled code.
import type { ScenarioConfig } from "./scenario.js";

/** Default scenario of `pool2peer simulate` and `npm start`: 60 days, four LPs, a crash on day 35. */
export const DEFAULT_SCENARIO: ScenarioConfig = {
  "seed": 7,
  "days": 60,
  "spot": 2000,
  "vol": 0.6,
  "drift": 0,
  "volOfVol": 1.2,
  "crash": {
    "day": 35,
    "spotMove": -0.3,
    "volMove": 0.6
  },
  "lps": [
    {
      "name": "alice",
      "deposit": 400000,
      "day": 0
    },
    {
      "name": "bob",
      "deposit": 250000,
      "day": 0
    },
    {
      "name": "carol",
      "deposit": 150000,
      "day": 10
    },
    {
      "name": "dave",
      "deposit": 100000,
      "day": 20,
      "redeemDay": 40
    }
  ],
  "traders": {
    "count": 4,
    "tradesPerDay": 6,
    "maxContracts": 20,
    "minDays": 7,
    "maxDays": 28
  },
  "risk": {
    "varPaths": 20000,
    "varHorizonDays": 1,
    "greeksEveryDays": 1
  }
};
