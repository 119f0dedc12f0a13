// The browser page served by `pool2peer serve` at "/": it prices the chosen option locally (the WASM core, no fees) for
// display, shows the pool's quote streamed over the WebSocket, and sends signed trades and deposits. The account is a
// browser wallet when the page has one (EIP-191 personal_sign), else a key kept in this browser's localStorage.
// Built by scripts/bundle.mjs into dist/page/page.js; the packaging issue's pool page can reuse it by URL.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { createPricer, type Pricer } from "../../bindings/index.js";
import { ServeClient, keySigner, ServeError, type PersonalSigner } from "../client.js";

interface EthereumProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

const $ = (id: string) => document.getElementById(id)!;
const input = (id: string) => $(id) as HTMLInputElement;
const client = new ServeClient(location.origin);
let decimals = 6;
let sizeDecimals = 2;
let oracle = { spot: 0, baseVol: 0 };
let quote: { ask?: { total?: string; refused?: string }; bid?: { total?: string; refused?: string } } = {};
let socket: WebSocket;
let subscribed: { key: string; message: object } | undefined;

/** A wallet's signer when the page has one, else a key generated once and kept in localStorage. */
async function signer(): Promise<PersonalSigner> {
  const ethereum = (window as unknown as { ethereum?: EthereumProvider }).ethereum;
  if (ethereum) {
    const [address] = (await ethereum.request({ method: "eth_requestAccounts" })) as string[];
    const lower = address!.toLowerCase();
    return { address: lower, signMessage: async (m) => (await ethereum.request({ method: "personal_sign", params: [m, lower] })) as string };
  }
  let secret = localStorage.getItem("pool2peer.key");
  if (!secret) localStorage.setItem("pool2peer.key", (secret = bytesToHex(secp256k1.utils.randomSecretKey())));
  return keySigner(secret);
}

const units = (text: string | undefined, d = decimals) => (text === undefined ? "–" : (Number(text) / 10 ** d).toLocaleString("en-US", { maximumFractionDigits: 2 }));

/** The series and size the form describes (expiry on a whole hour, size in size units). */
function form() {
  const expiry = Math.floor((Date.now() / 1000 + Number(input("days").value) * 86_400) / 3600) * 3600;
  const size = String(Math.round(Number(input("size").value) * 10 ** sizeDecimals));
  return { type: "put" as const, strike: Number(input("strike").value), expiry, size, side: ($("side") as HTMLSelectElement).value as "buy" | "sell" };
}

function showLocal(pricer: Pricer): void {
  const f = form();
  const years = (f.expiry - Date.now() / 1000) / (365 * 86_400);
  const g = pricer.blackScholes({ type: f.type, spot: oracle.spot, strike: f.strike, expiry: years, vol: oracle.baseVol, rate: 0 });
  $("local").textContent = (g.price[0]! * Number(input("size").value)).toFixed(2);
}

function showQuote(): void {
  const side = form().side === "buy" ? quote.ask : quote.bid;
  $("quote").textContent = side?.total !== undefined ? units(side.total) : (side?.refused ?? "–");
}

function subscribe(): void {
  const f = form();
  const series = { type: f.type, strike: f.strike, expiry: f.expiry };
  const key = JSON.stringify([series, f.size]);
  if (key === subscribed?.key || socket.readyState !== WebSocket.OPEN) return;
  if (subscribed) socket.send(JSON.stringify({ op: "unsubscribe", ...subscribed.message }));
  const message = { channel: "quotes", series, size: f.size };
  socket.send(JSON.stringify({ op: "subscribe", ...message }));
  subscribed = { key, message };
}

async function refresh(): Promise<void> {
  const pool = await client.get<{ nav: string; utilization: number; decimals: number; sizeDecimals: number; oracle: { spot: number; baseVol: number } }>("/v1/pool");
  decimals = pool.decimals;
  sizeDecimals = pool.sizeDecimals;
  oracle = pool.oracle;
  $("oracle").textContent = `${oracle.spot.toFixed(2)} · ${(oracle.baseVol * 100).toFixed(1)} %`;
  $("pool").textContent = `${units(pool.nav)} · ${(pool.utilization * 100).toFixed(2)} %`;
  const account = await client.get<{ positions: { series: { strike: number; expiry: number }; size: string }[] }>(`/v1/accounts/${client.session!.account}`);
  $("positions").innerHTML = "";
  for (const p of account.positions) {
    const row = document.createElement("tr");
    row.innerHTML = `<td>put ${p.series.strike} ${new Date(p.series.expiry * 1000).toISOString().slice(0, 13)}h</td><td class="size">${units(p.size, sizeDecimals)}</td>`;
    $("positions").append(row);
  }
}

async function act(work: () => Promise<string>): Promise<void> {
  const result = $("result");
  result.className = "";
  try {
    result.textContent = await work();
    await refresh();
  } catch (e) {
    result.className = "error";
    result.textContent = e instanceof ServeError ? `${e.code} (${e.field}): ${e.message}` : String(e);
  }
}

async function main(): Promise<void> {
  const pricer = await createPricer();
  const session = await client.open(await signer());
  $("account").textContent = session.account;
  await refresh();
  socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/v1/stream");
  socket.onmessage = (m) => {
    const message = JSON.parse(m.data as string) as { channel?: string; spot?: number };
    if (message.channel !== "quotes") return;
    quote = message as typeof quote;
    oracle.spot = message.spot ?? oracle.spot;
    showQuote();
    showLocal(pricer);
  };
  socket.onopen = subscribe;
  for (const id of ["strike", "days", "size", "side"]) $(id).addEventListener("change", () => (subscribe(), showLocal(pricer), showQuote()));
  $("deposit").onclick = () => act(async () => `deposited: ${units((await client.signed<{ shares: string }>("POST", "/v1/lp/deposit", { assets: String(1_000_000 * 10 ** decimals) })).shares, decimals + 6)} shares`);
  $("trade").onclick = () => act(async () => {
    const f = form();
    const side = f.side === "buy" ? quote.ask : quote.bid;
    if (side?.total === undefined) throw new Error(`no ${f.side} quote: ${side?.refused ?? "waiting for the stream"}`);
    const bound = f.side === "buy" ? { maxCost: ((BigInt(side.total) * 105n) / 100n).toString() } : { minProceeds: ((BigInt(side.total) * 95n) / 100n).toString() };
    const r = await client.signed<{ quote: { total: string }; seq: number }>("POST", "/v1/trade", { ...f, ...bound });
    $("result").dataset["seq"] = String(r.seq);
    return `traded at ${units(r.quote.total)} (event ${r.seq})`;
  });
  showLocal(pricer);
  $("status").textContent = `ready (${pricer.simd ? "WASM SIMD" : "WASM"})`;
  document.body.dataset["ready"] = "true";
}

main().catch((e: unknown) => {
  $("status").className = "error";
  $("status").textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
});
