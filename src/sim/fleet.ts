// Many simulated CPEs in one process (STYLE.md §2 src/sim/) behind one
// Connection Request listener: each CPE's ConnectionRequestURL is
// http://<host>:<port>/<serial>, and a request is only honoured with Digest
// credentials of that CPE (TR-069 §3.2.2, cwmp.md §5.1).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { digestChallenge, parseAuthorization, verifyDigest } from "../cwmp/auth.js";
import { Cpe, type SessionResult } from "./cpe.js";
import { loadProfile, withQuirks, type CompiledProfile, type Quirks } from "./profile.js";
import { templateOf } from "./tree.js";

/** A fixed value for every CPE, or one derived from its serial number. */
export type PerDevice = string | ((serial: string) => string);

export interface FleetOptions {
  acsUrl: string;
  count: number;
  serialPrefix?: string;
  serialStart?: number;
  /** Zero-padded width of the serial's number part (genieacs-sim uses 6). */
  serialDigits?: number;
  oui?: string;
  productClass?: string;
  manufacturer?: string;
  /** Bundled profile name, JSON path, or an already compiled profile. */
  profile?: string | CompiledProfile;
  quirks?: Partial<Quirks>;
  /** ManagementServer.Username/Password; the CPE answers whichever of Basic
   * or Digest the ACS challenges with. Default username is the customary
   * OUI-ProductClass-SerialNumber (cwmp.md §2.5), default password "". */
  acsUsername?: PerDevice;
  acsPassword?: PerDevice;
  /** ConnectionRequestUsername/Password; default the serial and "<serial>-cr". */
  crUsername?: PerDevice;
  crPassword?: PerDevice;
  /** Connection Request listener; port 0 picks a free one. */
  crHost?: string;
  crPort?: number;
  /** Tables whose rows each CPE renumbers (reversed) at every reboot, e.g.
   * "InternetGatewayDevice.LANDevice.1.Hosts.Host." (CpeOptions). Each must
   * be a table of the profile. */
  renumberOnReboot?: readonly string[];
  /** Enable "2 PERIODIC" informs after boot (off by default). */
  periodicInform?: boolean;
  httpTimeoutMs?: number;
  /** CA and client certificate for an https:// ACS (PEM text). */
  acsTls?: { ca?: string; cert?: string; key?: string };
  onSession?: (cpe: Cpe, result: SessionResult) => void;
}

export interface Fleet {
  readonly cpes: readonly Cpe[];
  readonly connectionRequestPort: number;
  get(serial: string): Cpe | undefined;
  /** Every CPE's first Inform, at most `concurrency` sessions at a time. */
  bootAll(options?: { concurrency?: number }): Promise<SessionResult[]>;
  /** Closes the Connection Request listener and stops every CPE. */
  stop(): Promise<void>;
}

const REALM = "cwmp2usp-sim";
/** Nonces are stateless (time + HMAC) so 100k CPEs cost no nonce table. */
const NONCE_LIFETIME_MS = 60_000;

/** The value the CPE holds now, including hidden ones such as passwords. */
export function readParameter(cpe: Cpe, name: string): string | undefined {
  return cpe.model.value(name);
}

/** Writes a value as if changed locally on the CPE (notified per its
 * Notification attribute, TR-069 §3.2.1); false if unknown. */
export function writeParameter(cpe: Cpe, name: string, value: string): boolean {
  return cpe.writeParameter(name, value);
}

function perDevice(value: PerDevice | undefined, serial: string, fallback: string): string {
  if (value === undefined) return fallback;
  return typeof value === "string" ? value : value(serial);
}

class NonceIssuer {
  private readonly secret = randomBytes(32);

  issue(now: number): string {
    const stamp = now.toString(16);
    return `${stamp}.${this.mac(stamp)}`;
  }

  valid(nonce: string, now: number): boolean {
    const [stamp = "", mac = ""] = nonce.split(".");
    const expected = Buffer.from(this.mac(stamp));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const age = now - parseInt(stamp, 16);
    return age >= 0 && age <= NONCE_LIFETIME_MS;
  }

  private mac(stamp: string): string {
    return createHmac("sha256", this.secret).update(stamp).digest("hex").slice(0, 32);
  }
}

function authorized(req: http.IncomingMessage, cpe: Cpe, nonces: NonceIssuer): boolean {
  const header = req.headers.authorization;
  const auth = header === undefined ? undefined : parseAuthorization(header);
  // TR-069 §3.2.2: Digest is mandatory; Basic is never accepted here.
  if (auth?.scheme !== "Digest" || auth.uri !== req.url) return false;
  const ms = cpe.model.profile.managementServer;
  if (auth.username !== cpe.model.value(ms + "ConnectionRequestUsername")) return false;
  if (!nonces.valid(auth.nonce, Date.now())) return false;
  const password = cpe.model.value(ms + "ConnectionRequestPassword") ?? "";
  return verifyDigest(auth, { method: "GET", password, realm: REALM, nonce: auth.nonce });
}

function handleConnectionRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  byPath: ReadonlyMap<string, Cpe>,
  nonces: NonceIssuer,
): void {
  req.resume();
  const cpe = byPath.get((req.url ?? "").split("?")[0] ?? "");
  if (cpe === undefined) {
    res.writeHead(404, { "Content-Length": "0" }).end();
    return;
  }
  if (req.method !== "GET") {
    res.writeHead(405, { Allow: "GET", "Content-Length": "0" }).end();
    return;
  }
  if (!authorized(req, cpe, nonces)) {
    const challenge = digestChallenge(REALM, nonces.issue(Date.now()));
    res.writeHead(401, { "WWW-Authenticate": challenge, "Content-Length": "0" }).end();
    return;
  }
  // The answer goes out before the session starts (cwmp.md §5.1: CPEs that
  // start first confuse ACSs waiting for the 200).
  res.writeHead(200, { "Content-Length": "0" }).end(() => cpe.connectionRequest());
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function resolveProfile(options: FleetOptions): CompiledProfile {
  const source = options.profile ?? "tr181-gateway";
  let profile: CompiledProfile;
  if (typeof source === "string") {
    const loaded = loadProfile(source);
    if (!loaded.ok) throw new Error(`profile ${source}: ${loaded.error}`);
    profile = loaded.profile;
  } else {
    profile = source;
  }
  return options.quirks === undefined ? profile : withQuirks(profile, options.quirks);
}

/** The tables of --renumber-on-reboot as table paths ending in "."; throws
 * naming the first that is no table of the profile. */
export function renumberedTables(profile: CompiledProfile, paths: readonly string[]): string[] {
  return paths.map((raw) => {
    const path = raw.endsWith(".") ? raw : `${raw}.`;
    if (!profile.tables.has(`${templateOf(path)}{i}.`) || /\{i\}/.test(path)) {
      throw new Error(`renumberOnReboot: ${raw} is not a table of profile ${profile.id}`);
    }
    return path;
  });
}

function createCpe(options: FleetOptions, profile: CompiledProfile, index: number, crBase: string, renumbered: readonly string[]): Cpe {
  const number = String((options.serialStart ?? 0) + index).padStart(options.serialDigits ?? 6, "0");
  const serial = `${options.serialPrefix ?? "SIM"}${number}`;
  const oui = options.oui ?? profile.deviceId.oui;
  const productClass = options.productClass ?? profile.deviceId.productClass;
  const ms = profile.managementServer;
  const values: Record<string, string> = {
    [ms + "URL"]: options.acsUrl,
    [ms + "Username"]: perDevice(options.acsUsername, serial, [oui, productClass, serial].filter((s) => s !== "").join("-")),
    [ms + "Password"]: perDevice(options.acsPassword, serial, ""),
    [ms + "ConnectionRequestURL"]: `${crBase}/${encodeURIComponent(serial)}`,
    [ms + "ConnectionRequestUsername"]: perDevice(options.crUsername, serial, serial),
    [ms + "ConnectionRequestPassword"]: perDevice(options.crPassword, serial, `${serial}-cr`),
  };
  // The simulator informs periodically only when asked to, so a profile's
  // own "true" (the BM632w dump's) must not claim otherwise.
  values[ms + "PeriodicInformEnable"] = String(options.periodicInform === true);
  return new Cpe({
    acsUrl: options.acsUrl,
    profile,
    identity: { serialNumber: serial, oui, productClass, ...(options.manufacturer !== undefined && { manufacturer: options.manufacturer }) },
    values,
    ...(options.httpTimeoutMs !== undefined && { httpTimeoutMs: options.httpTimeoutMs }),
    ...(renumbered.length > 0 && { renumberOnReboot: renumbered }),
    ...(options.acsTls !== undefined && { acsTls: options.acsTls }),
    ...(options.onSession !== undefined && { onSession: options.onSession }),
  });
}

async function bootAll(cpes: readonly Cpe[], concurrency: number, periodic: boolean): Promise<SessionResult[]> {
  const results: SessionResult[] = new Array<SessionResult>(cpes.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < cpes.length) {
      const index = next++;
      const cpe = cpes[index];
      if (cpe === undefined) continue;
      results[index] = await cpe.boot();
      if (periodic) cpe.startPeriodic();
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, cpes.length)) }, worker));
  return results;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const profile = resolveProfile(options);
  const renumbered = renumberedTables(profile, options.renumberOnReboot ?? []);
  const host = options.crHost ?? "127.0.0.1";
  const byPath = new Map<string, Cpe>();
  const nonces = new NonceIssuer();
  const server = http.createServer((req, res) => {
    try {
      handleConnectionRequest(req, res, byPath, nonces);
    } catch {
      if (!res.headersSent) res.writeHead(500, { "Content-Length": "0" });
      res.end();
    }
  });
  const port = await listen(server, host, options.crPort ?? 0);
  const crBase = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const cpes = Array.from({ length: options.count }, (_, i) => createCpe(options, profile, i, crBase, renumbered));
  const bySerial = new Map<string, Cpe>();
  for (const cpe of cpes) {
    bySerial.set(cpe.serial, cpe);
    byPath.set(`/${encodeURIComponent(cpe.serial)}`, cpe);
  }
  return {
    cpes,
    connectionRequestPort: port,
    get: (serial) => bySerial.get(serial),
    bootAll: ({ concurrency = 64 } = {}) => bootAll(cpes, concurrency, options.periodicInform === true),
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all(cpes.map((cpe) => cpe.stop()));
      await closed;
    },
  };
}
