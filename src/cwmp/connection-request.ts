// ACS → CPE HTTP Connection Request (TR-069 §3.2.2, cwmp.md §5.1): an HTTP GET
// to ManagementServer.ConnectionRequestURL, answered 200/204 before the CPE
// opens a session carrying "6 CONNECTION REQUEST". The CPE must demand Digest
// auth, so the normal exchange is GET → 401 challenge → GET with credentials.
// Unlike genieacs lib/connection-request.ts this returns a typed outcome, not a
// string where "" means success (STYLE.md §4 item 3).

import { randomBytes } from "node:crypto";
import http from "node:http";
import { encodeBasic, parseWwwAuthenticate, solveDigest, type AuthChallenge } from "./auth.js";

export type ConnectionRequestOutcome =
  | { ok: true; status: number }
  | {
      ok: false;
      reason: "invalid-url" | "unreachable" | "timeout" | "auth-failed" | "busy" | "bad-status";
      detail: string;
    };

export interface ConnectionRequestCredentials {
  username: string;
  password: string;
}

type HttpResult =
  | { kind: "reply"; status: number; challenges: AuthChallenge[] }
  | { kind: "error"; code: string; message: string }
  | { kind: "timeout" };

// Socket errors that mean "nobody (reachable) is listening". GenieACS reports
// ECONNRESET/ECONNREFUSED as "Device is offline" (cwmp.md §5.1).
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

export async function sendConnectionRequest(
  url: string,
  credentials: ConnectionRequestCredentials,
  options: { timeoutMs: number },
): Promise<ConnectionRequestOutcome> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, reason: "invalid-url", detail: `not a URL: ${JSON.stringify(url)}` };
  }
  if (target.protocol !== "http:") {
    // TR-069 §3.2.2: the Connection Request MUST be plain HTTP (no TLS).
    return { ok: false, reason: "invalid-url", detail: `unsupported scheme ${target.protocol} (http: required)` };
  }

  const deadline = Date.now() + options.timeoutMs;
  // One socket, kept alive for the auth round: some CPEs tie the nonce to the
  // TCP connection (GenieACS does the same with maxSockets 1). The agent is
  // private to this call and destroyed at the end, so no socket outlives it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await attempt(target, credentials, agent, deadline, options.timeoutMs);
    if (first.kind !== "reset-during-auth") return first.outcome;
    // genieacs#148: some devices drop the socket during the digest round. One
    // immediate retry of the whole exchange, on a fresh connection and a fresh
    // challenge, since the old nonce may have died with the old socket.
    const second = await attempt(target, credentials, agent, deadline, options.timeoutMs);
    if (second.kind !== "reset-during-auth") return second.outcome;
    return { ok: false, reason: "unreachable", detail: `connection reset twice during authentication: ${second.detail}` };
  } finally {
    agent.destroy();
  }
}

type Attempt = { kind: "done"; outcome: ConnectionRequestOutcome } | { kind: "reset-during-auth"; detail: string };

async function attempt(
  target: URL,
  credentials: ConnectionRequestCredentials,
  agent: http.Agent,
  deadline: number,
  timeoutMs: number,
): Promise<Attempt> {
  const done = (outcome: ConnectionRequestOutcome): Attempt => ({ kind: "done", outcome });

  const first = await get(target, agent, undefined, deadline);
  if (first.kind !== "reply") return done(failure(first, timeoutMs));
  // A CPE that does not ask for credentials has still accepted the request.
  if (first.status !== 401) return done(statusOutcome(first.status));

  const authorization = authorize(first.challenges, target, credentials);
  if (authorization === undefined) {
    const offered = first.challenges.map((c) => c.scheme).join(", ") || "none";
    return done({ ok: false, reason: "auth-failed", detail: `no usable WWW-Authenticate challenge (offered: ${offered})` });
  }
  const second = await get(target, agent, authorization, deadline);
  if (second.kind === "error" && second.code === "ECONNRESET") return { kind: "reset-during-auth", detail: second.message };
  if (second.kind !== "reply") return done(failure(second, timeoutMs));
  if (second.status === 401) {
    // cwmp.md §7 #13: a 401 loop means our stored credentials are wrong.
    return done({ ok: false, reason: "auth-failed", detail: "credentials rejected (second 401)" });
  }
  return done(statusOutcome(second.status));
}

/** Authorization for the best challenge: Digest (mandatory for CPEs, TR-069
 * §3.2.2); Basic only when the CPE offers nothing else. */
function authorize(challenges: AuthChallenge[], target: URL, credentials: ConnectionRequestCredentials): string | undefined {
  for (const challenge of challenges) {
    if (challenge.scheme.toLowerCase() !== "digest") continue;
    const header = solveDigest(challenge, {
      method: "GET",
      uri: target.pathname + target.search,
      username: credentials.username,
      password: credentials.password,
      cnonce: randomBytes(8).toString("hex"),
      nc: 1,
    });
    if (header !== undefined) return header;
  }
  if (challenges.some((c) => c.scheme.toLowerCase() === "basic")) {
    return encodeBasic(credentials.username, credentials.password);
  }
  return undefined;
}

function statusOutcome(status: number): ConnectionRequestOutcome {
  if (status === 200 || status === 204) return { ok: true, status };
  // TR-069 §3.2.2: a CPE rate-limiting CRs, or already in a session, answers
  // 503; behind a proxy it means the device is offline (cwmp.md §5.1).
  if (status === 503) return { ok: false, reason: "busy", detail: "503 Service Unavailable" };
  if (status === 401) return { ok: false, reason: "auth-failed", detail: "401 Unauthorized" };
  return { ok: false, reason: "bad-status", detail: `unexpected HTTP status ${status}` };
}

function failure(result: Exclude<HttpResult, { kind: "reply" }>, timeoutMs: number): ConnectionRequestOutcome {
  if (result.kind === "timeout") return { ok: false, reason: "timeout", detail: `no answer within ${timeoutMs} ms` };
  if (UNREACHABLE_CODES.has(result.code)) return { ok: false, reason: "unreachable", detail: `${result.code}: ${result.message}` };
  if (result.code === "ETIMEDOUT") return { ok: false, reason: "timeout", detail: result.message };
  if (result.code.startsWith("HPE_")) {
    return { ok: false, reason: "bad-status", detail: `malformed HTTP response: ${result.message}` };
  }
  return { ok: false, reason: "unreachable", detail: `${result.code || "error"}: ${result.message}` };
}

/** One GET, resolved (never rejected) with the status and any challenges, a
 * socket error, or a timeout at `deadline`. */
function get(target: URL, agent: http.Agent, authorization: string | undefined, deadline: number): Promise<HttpResult> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.resolve({ kind: "timeout" });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: HttpResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = http.request(
      target,
      {
        method: "GET",
        agent,
        headers: authorization === undefined ? {} : { authorization },
        // CPE HTTP stacks send malformed 401s (Orange tr069agent drops the final
        // CRLF, genieacs#280); this is an outbound request to a device, so the
        // smuggling risks the strict parser guards against do not apply.
        insecureHTTPParser: true,
      },
      (res) => {
        // Drain the body so the kept-alive socket can carry the auth round.
        res.on("error", () => undefined);
        res.resume();
        finish({ kind: "reply", status: res.statusCode ?? 0, challenges: challengesOf(res.rawHeaders) });
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: "timeout" });
      req.destroy();
    }, remaining);
    req.on("error", (err: NodeJS.ErrnoException) => finish({ kind: "error", code: err.code ?? "", message: err.message }));
    req.end();
  });
}

/** Every challenge from every WWW-Authenticate header (a CPE may send Digest
 * and Basic as separate headers). */
function challengesOf(rawHeaders: string[]): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === "www-authenticate") {
      challenges.push(...parseWwwAuthenticate(rawHeaders[i + 1] ?? ""));
    }
  }
  return challenges;
}
