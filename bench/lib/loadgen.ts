// A lean CWMP load generator built on the simulator's HTTP client
// (src/sim/acs-client.ts: keep-alive, cookies, 401 answering). It skips the
// simulator's data model and SOAP decoding so that nearly all CPU on these 2
// shared cores goes to the server under test; the Inform bytes come from the
// simulator's TR-181 profile (fixtures.ts).
import { performance } from "node:perf_hooks";
import { fromDist } from "./dist.js";
import { SERIAL_TOKEN, benchSerial } from "./fixtures.js";

type AcsClientModule = typeof import("../../src/sim/acs-client.js");
type ProfileModule = typeof import("../../src/sim/profile.js");

export interface LoadOptions {
  acsUrl: string;
  /** Devices 0..devices-1; device i always runs on worker i % concurrency, so
   * one device never has two sessions at once (the gateway would answer 503). */
  devices: number;
  /** Concurrent sessions, each on its own keep-alive connection. */
  concurrency: number;
  /** Inform envelope with SERIAL_TOKEN where the serial goes. */
  informTemplate: string;
  /** Run until this many ms have passed; absent: every device once. */
  durationMs?: number;
  /** Sessions per second across all workers; absent: as fast as answered.
   * The soak paces its load so that it measures a steady state, not a queue. */
  ratePerS?: number;
}

export interface LoadResult {
  sessions: number;
  errors: number;
  sampleErrors: string[];
  /** Session latencies (first POST sent → 204 received), sorted, ms. */
  latenciesMs: Float64Array;
  elapsedMs: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { AcsClient } = await fromDist<AcsClientModule>("sim/acs-client.js");
  const { DEFAULT_QUIRKS } = await fromDist<ProfileModule>("sim/profile.js");
  const url = new URL(options.acsUrl);
  const latencies: number[] = [];
  const sampleErrors: string[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = options.durationMs === undefined ? Infinity : start + options.durationMs;
  const workers = Math.max(1, Math.min(options.concurrency, options.devices));

  async function worker(w: number): Promise<void> {
    // A worker is one connection slot reused by its devices in turn, like
    // the "keep-alive CPEs"; the cookie jar is emptied per session so
    // no device ever sends another's (or a stale) session cookie.
    const jar = new Map<string, string>();
    const client = new AcsClient({ url, quirks: DEFAULT_QUIRKS, timeoutMs: 30_000, credentials: () => ({ username: "", password: "" }) }, jar);
    const spacingMs = options.ratePerS === undefined ? 0 : (workers * 1000) / options.ratePerS;
    let nextAt = performance.now() + (spacingMs * w) / workers;
    try {
      for (let device = w; ; device += workers) {
        if (device >= options.devices) {
          if (options.durationMs === undefined) return;
          device = w;
        }
        if (spacingMs > 0) {
          const wait = nextAt - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          nextAt += spacingMs;
        }
        if (performance.now() >= deadline) return;
        jar.clear();
        const t0 = performance.now();
        const error = await session(client, options.informTemplate.replaceAll(SERIAL_TOKEN, benchSerial(device)));
        if (error === undefined) latencies.push(performance.now() - t0);
        else {
          errors += 1;
          if (sampleErrors.length < 5) sampleErrors.push(error);
        }
      }
    } finally {
      client.close();
    }
  }

  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  const elapsedMs = performance.now() - start;
  return { sessions: latencies.length, errors, sampleErrors, latenciesMs: Float64Array.from(latencies).sort(), elapsedMs };
}

type Client = InstanceType<AcsClientModule["AcsClient"]>;

/** Inform → InformResponse → empty POST → 204; an error text otherwise. The
 * reply is checked by status and method name only: parsing it would spend
 * the shared cores on the load generator. */
async function session(client: Client, inform: string): Promise<string | undefined> {
  const first = await client.post(inform);
  if (!first.ok) return first.error;
  if (first.reply.status !== 200 || !first.reply.body.includes("InformResponse")) return `Inform answered ${first.reply.status}: ${first.reply.body.slice(0, 200)}`;
  const second = await client.post(undefined);
  if (!second.ok) return second.error;
  if (second.reply.status !== 204) return `empty POST answered ${second.reply.status}: ${second.reply.body.slice(0, 200)}`;
  return undefined;
}
