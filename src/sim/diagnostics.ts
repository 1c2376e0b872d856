// IP diagnostics on a simulated CPE, the CWMP way (TR-069 Annex N; TR-181
// Device.IP.Diagnostics.*.DiagnosticsState, TR-098
// InternetGatewayDevice.IPPingDiagnostics. and its siblings): the ACS sets the test's
// parameters and DiagnosticsState=Requested; after the session the CPE runs
// the test, writes the results and informs with "8 DIAGNOSTICS COMPLETE".
// Results are plausible, not measured, except transfers to loopback URLs,
// which really happen (file-transfer.ts).
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import type { DeviceModel } from "./device-model.js";
import { downloadFile, isLoopback, uploadFile, type TransferOutcome } from "./file-transfer.js";
import type { JobHost } from "./jobs.js";

const KINDS = ["IPPing", "TraceRoute", "DownloadDiagnostics", "UploadDiagnostics"] as const;
type Kind = (typeof KINDS)[number];
/** Where each test lives below the root: TR-181 first, then TR-098, which
 * has them directly under InternetGatewayDevice. */
const LOCATIONS: Readonly<Record<Kind, readonly string[]>> = {
  IPPing: ["IP.Diagnostics.IPPing.", "IPPingDiagnostics."],
  TraceRoute: ["IP.Diagnostics.TraceRoute.", "TraceRouteDiagnostics."],
  DownloadDiagnostics: ["IP.Diagnostics.DownloadDiagnostics.", "DownloadDiagnostics."],
  UploadDiagnostics: ["IP.Diagnostics.UploadDiagnostics.", "UploadDiagnostics."],
};
const STATE = "DiagnosticsState";
const RESOLVE_TIMEOUT_MS = 2000;
/** Upload test bodies are capped: the simulator must stay small. */
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

/** The diagnostics object a parameter belongs to ("Device.IP.Diagnostics.IPPing.",
 * "InternetGatewayDevice.IPPingDiagnostics."), if any. */
export function diagnosticsObjectOf(dm: DeviceModel, name: string): string | undefined {
  for (const kind of KINDS) {
    const object = LOCATIONS[kind].map((rel) => dm.profile.root + rel).find((o) => name.startsWith(o));
    if (object !== undefined) return object;
  }
  return undefined;
}

function kindOf(object: string): Kind | undefined {
  return KINDS.find((k) => LOCATIONS[k].some((rel) => object.endsWith(`.${rel}`)));
}

/** TR-181 DiagnosticsState: "When writing, the only allowed values are
 * Requested and Canceled"; anything else is 9007. */
export function checkDiagnosticsWrite(dm: DeviceModel, name: string, value: string): 9007 | undefined {
  if (!name.endsWith(`.${STATE}`) || diagnosticsObjectOf(dm, name) === undefined) return undefined;
  return value === "Requested" || value === "Canceled" ? undefined : 9007;
}

/** After a SetParameterValues was applied: a test set to Requested is queued
 * to run after the session; writing any other parameter of a test object
 * (without requesting it) or Canceled resets DiagnosticsState to None. */
export function afterDiagnosticsWrite(dm: DeviceModel, names: readonly string[]): void {
  const touched = new Set<string>();
  for (const name of names) {
    const object = diagnosticsObjectOf(dm, name);
    if (object !== undefined) touched.add(object);
  }
  for (const object of touched) {
    const state = dm.value(object + STATE);
    if (state === "Requested" && names.includes(object + STATE)) dm.queueWork({ kind: "diagnostics", object });
    else dm.setValue(object + STATE, "None");
  }
}

/** Runs one requested test; a test reset or cancelled meanwhile is dropped. */
export async function runDiagnostics(host: JobHost, object: string): Promise<void> {
  const dm = host.model;
  const kind = kindOf(object);
  if (kind === undefined) return;
  let results: Map<string, string>;
  try {
    results = await RUNNERS[kind](dm, object);
  } catch {
    results = new Map([[STATE, "Error_Internal"]]);
  }
  if (dm.value(object + STATE) !== "Requested") return;
  for (const [rel, value] of results) dm.setValue(object + rel, value);
  host.report({ events: [{ eventCode: "8 DIAGNOSTICS COMPLETE", commandKey: "" }] });
}

const RUNNERS: Readonly<Record<Kind, (dm: DeviceModel, object: string) => Promise<Map<string, string>>>> = {
  IPPing: ping,
  TraceRoute: traceRoute,
  DownloadDiagnostics: (dm, object) => transfer(dm, object, "download"),
  UploadDiagnostics: (dm, object) => transfer(dm, object, "upload"),
};

/** An address for `host`: IP literals as they are, else DNS; undefined when
 * the name does not resolve (→ Error_CannotResolveHostName). Names under the
 * RFC 6761 special-use TLDs are answered without asking DNS, and DNS is
 * asked with c-ares (cancellable, so a dead resolver never keeps the
 * process alive) with one try. */
async function resolve(host: string): Promise<string | undefined> {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "") return undefined;
  if (isIP(h) !== 0) return h;
  if (h === "localhost" || h.endsWith(".localhost")) return "127.0.0.1";
  if (/\.(invalid|test|example)$/.test(h) || !h.includes(".")) return undefined;
  const resolver = new Resolver({ timeout: RESOLVE_TIMEOUT_MS, tries: 1 });
  const timer = setTimeout(() => resolver.cancel(), RESOLVE_TIMEOUT_MS);
  try {
    return (await resolver.resolve4(h))[0];
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** A stable pseudo-random number in [0, 1) per host and salt, so repeated
 * tests give similar (not identical) figures without Math.random state. */
function jitter(seed: string): number {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return ((h >>> 0) % 10_000) / 10_000;
}

function int(dm: DeviceModel, name: string, fallback: number): number {
  const n = Number(dm.value(name));
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** The address a test leaves from: loopback for loopback, else the WAN address. */
function sourceAddress(dm: DeviceModel, target: string): string {
  if (isLoopback(target)) return target.includes(":") ? "::1" : "127.0.0.1";
  const tr181 = dm.value(`${dm.profile.root}IP.Interface.1.IPv4Address.1.IPAddress`);
  // TR-098: the default WAN connection's address, a forced Inform parameter.
  const tr098 = dm.profile.informParameters.find((p) => p.endsWith(".ExternalIPAddress"));
  return tr181 ?? (tr098 === undefined ? undefined : dm.value(tr098)) ?? "";
}

/** Round-trip time in µs of one echo to `address`: sub-millisecond on
 * loopback; documentation addresses (TEST-NET-1, RFC 5737) never answer. */
function rttMicros(address: string, i: number): number | undefined {
  if (address.startsWith("192.0.2.")) return undefined;
  if (isLoopback(address)) return 30 + Math.round(jitter(`${address}/${i}`) * 90);
  return 4000 + Math.round(jitter(address) * 40_000) + Math.round(jitter(`${address}/${i}`) * 3000);
}

async function ping(dm: DeviceModel, object: string): Promise<Map<string, string>> {
  const address = await resolve(dm.value(object + "Host") ?? "");
  if (address === undefined) return new Map([[STATE, "Error_CannotResolveHostName"]]);
  const count = int(dm, object + "NumberOfRepetitions", 3);
  const times = Array.from({ length: count }, (_, i) => rttMicros(address, i)).filter((x): x is number => x !== undefined);
  const avg = times.length === 0 ? 0 : Math.round(times.reduce((a, b) => a + b, 0) / times.length);
  const min = times.length === 0 ? 0 : Math.min(...times);
  const max = times.length === 0 ? 0 : Math.max(...times);
  // TR-181: a test whose echoes all time out is still Complete.
  return new Map([
    [STATE, "Complete"],
    ["IPAddressUsed", sourceAddress(dm, address)],
    ["SuccessCount", String(times.length)],
    ["FailureCount", String(count - times.length)],
    ["AverageResponseTime", String(Math.round(avg / 1000))],
    ["MinimumResponseTime", String(Math.round(min / 1000))],
    ["MaximumResponseTime", String(Math.round(max / 1000))],
    ["AverageResponseTimeDetailed", String(avg)],
    ["MinimumResponseTimeDetailed", String(min)],
    ["MaximumResponseTimeDetailed", String(max)],
  ]);
}

/** One simulated hop: the LAN-side gateway, carrier routers, the target. */
function hopAddress(dm: DeviceModel, index: number, total: number, target: string): string {
  if (index === total - 1) return target;
  if (index === 0) return dm.value(`${dm.profile.root}DNS.Client.Server.1.DNSServer`) ?? "100.64.12.1";
  return `10.${Math.floor(jitter(target) * 200) + 20}.${index}.1`;
}

async function traceRoute(dm: DeviceModel, object: string): Promise<Map<string, string>> {
  const address = await resolve(dm.value(object + "Host") ?? "");
  const table = object + "RouteHops.";
  dm.clearTable(table);
  if (address === undefined) return new Map([[STATE, "Error_CannotResolveHostName"]]);
  const hops = isLoopback(address) ? 1 : 4 + Math.floor(jitter(address) * 6);
  const maxHops = int(dm, object + "MaxHopCount", 30);
  const tries = int(dm, object + "NumberOfTries", 3);
  const shown = Math.min(hops, maxHops);
  let last = 0;
  for (let i = 0; i < shown; i++) {
    const hop = hopAddress(dm, i, hops, address);
    const rtts = Array.from({ length: tries }, (_, k) => Math.max(1, Math.round(((rttMicros(hop, k) ?? 0) * (i + 1)) / hops / 1000)));
    last = Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length);
    const row = `${table}${dm.addInstance(table)}.`;
    // The last hop is the target, reported by the name the ACS gave. TR-098
    // names the row's parameters HopHost, HopHostAddress...; a profile has
    // one set or the other and setValue skips names it does not have.
    for (const prefix of ["", "Hop"]) {
      dm.setValue(row + prefix + "Host", i === hops - 1 ? (dm.value(object + "Host") ?? hop) : hop);
      dm.setValue(row + prefix + "HostAddress", hop);
      dm.setValue(row + prefix + "ErrorCode", "0");
      dm.setValue(row + prefix + "RTTimes", rtts.join(","));
    }
  }
  const state = hops > maxHops ? "Error_MaxHopCountExceeded" : "Complete";
  return new Map([
    [STATE, state],
    ["IPAddressUsed", sourceAddress(dm, address)],
    ["ResponseTime", String(state === "Complete" ? last : 0)],
  ]);
}

/** TR-181 transfer-test timestamps carry microseconds. */
function micros(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

function transferError(outcome: Extract<TransferOutcome, { ok: false }>, direction: "download" | "upload"): string {
  switch (outcome.faultCode) {
    case 9015:
      return "Error_InitConnectionFailed";
    case 9012:
      return "Error_LoginFailed";
    default:
      return direction === "download" ? "Error_TransferFailed" : "Error_NoResponse";
  }
}

async function transfer(dm: DeviceModel, object: string, direction: "download" | "upload"): Promise<Map<string, string>> {
  let url: URL;
  try {
    url = new URL(dm.value(object + (direction === "download" ? "DownloadURL" : "UploadURL")) ?? "");
  } catch {
    return new Map([[STATE, "Error_InitConnectionFailed"]]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:" && url.protocol !== "sim:") return new Map([[STATE, "Error_InitConnectionFailed"]]);
  const address = url.protocol === "sim:" ? "127.0.0.1" : await resolve(url.hostname);
  if (address === undefined) return new Map([[STATE, "Error_CannotResolveHostName"]]);
  const length = Math.min(int(dm, object + "TestFileLength", 1_048_576), MAX_UPLOAD_BYTES);
  const rom = Date.now();
  const outcome = direction === "download" ? await downloadFile(url, "", "") : await uploadFile(url, "", "", Buffer.alloc(length, 0x5a));
  const eom = Math.max(Date.now(), rom + 2);
  if (!outcome.ok) return new Map([[STATE, transferError(outcome, direction)]]);
  const bom = rom + Math.max(1, Math.round((eom - rom) / 4));
  const headers = 320;
  const results = new Map([
    [STATE, "Complete"],
    ["IPAddressUsed", sourceAddress(dm, address)],
    ["ROMTime", micros(rom)],
    ["BOMTime", micros(bom)],
    ["EOMTime", micros(eom)],
    ["TCPOpenRequestTime", micros(rom)],
    ["TCPOpenResponseTime", micros(rom + 1)],
  ]);
  if (direction === "download") {
    results.set("TestBytesReceived", String(outcome.bytes));
    results.set("TotalBytesReceived", String(outcome.bytes + headers));
    results.set("TotalBytesSent", String(headers / 2));
  } else {
    results.set("TestBytesSent", String(outcome.bytes));
    results.set("TotalBytesSent", String(outcome.bytes + headers));
    results.set("TotalBytesReceived", String(headers / 2));
  }
  return results;
}
