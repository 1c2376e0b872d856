// HTTP Basic and Digest (RFC 2617 / RFC 7616) as pure functions: header
// parsing, challenge solving (ACS → CPE Connection Request, TR-069 §3.2.2) and
// verification (CPE → ACS sessions, TR-069 §3.4.4). No I/O, no clock, no
// randomness: nonces and cnonces are passed in, so tests are deterministic.

import { createHash, timingSafeEqual } from "node:crypto";

export interface BasicCredentials {
  scheme: "Basic";
  username: string;
  password: string;
}

/** A parsed `Authorization: Digest …` header. Parameter names are lower-case. */
export interface DigestCredentials {
  scheme: "Digest";
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm?: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  opaque?: string;
}

export type AuthorizationHeader = BasicCredentials | DigestCredentials;

/** One challenge from `WWW-Authenticate`; `params` keys are lower-case. */
export interface AuthChallenge {
  scheme: string;
  params: Readonly<Record<string, string>>;
}

export interface DigestRequest {
  method: string;
  uri: string;
  username: string;
  password: string;
  /** Client nonce (16 hex chars is what GenieACS uses). */
  cnonce: string;
  /** Nonce count, sent as 8 hex digits (1 → "00000001"). */
  nc: number;
  /** Entity body, only used for qop=auth-int. */
  body?: string;
}

/** Split a header into auth-schemes and their auth-params. Tolerates quoted
 * and unquoted values, commas inside quoted strings (`qop="auth,auth-int"`),
 * extra whitespace and several challenges in one header. */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let pos = 0;
  while (pos < header.length) {
    const ch = header[pos] ?? "";
    if (ch === "," || /\s/.test(ch)) {
      pos++;
      continue;
    }
    const tokenMatch = /^[^\s=,]+/.exec(header.slice(pos));
    const token = tokenMatch?.[0] ?? "";
    if (token === "") {
      pos++; // stray "=": skip rather than loop forever
      continue;
    }
    pos += token.length;
    const afterWs = header.slice(pos).match(/^\s*/)?.[0].length ?? 0;
    if (header[pos + afterWs] !== "=") {
      challenges.push({ scheme: token, params: Object.create(null) as Record<string, string> });
      continue;
    }
    pos += afterWs + 1;
    pos += header.slice(pos).match(/^\s*/)?.[0].length ?? 0;
    let value: string;
    if (header[pos] === '"') {
      // quoted-string with backslash escapes (RFC 7230 §3.2.6)
      value = "";
      pos++;
      while (pos < header.length && header[pos] !== '"') {
        if (header[pos] === "\\" && pos + 1 < header.length) pos++;
        value += header[pos];
        pos++;
      }
      pos++;
    } else {
      value = /^[^\s,]*/.exec(header.slice(pos))?.[0] ?? "";
      pos += value.length;
    }
    const current = challenges[challenges.length - 1];
    if (current !== undefined) current.params[token.toLowerCase()] = value;
  }
  return challenges;
}

/** Parse an `Authorization` header (Basic or Digest). undefined if malformed. */
export function parseAuthorization(header: string): AuthorizationHeader | undefined {
  const basic = /^\s*Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (basic !== null) {
    // token68 may end in "=" padding, so Basic is not parsed as auth-params.
    const decoded = Buffer.from(basic[1] ?? "", "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    return { scheme: "Basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const [challenge] = parseWwwAuthenticate(header);
  if (challenge === undefined || challenge.scheme.toLowerCase() !== "digest") return undefined;
  const p = challenge.params;
  const { username, realm, nonce, uri, response } = p;
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
    return undefined;
  }
  const creds: DigestCredentials = { scheme: "Digest", username, realm, nonce, uri, response };
  if (p.algorithm !== undefined) creds.algorithm = p.algorithm;
  if (p.qop !== undefined) creds.qop = p.qop;
  if (p.nc !== undefined) creds.nc = p.nc;
  if (p.cnonce !== undefined) creds.cnonce = p.cnonce;
  if (p.opaque !== undefined) creds.opaque = p.opaque;
  return creds;
}

type HashName = "md5" | "sha256";

/** RFC 7616 §3.4.2 algorithms; undefined for ones we cannot compute. */
function algorithmOf(name: string | undefined): { hash: HashName; sess: boolean } | undefined {
  switch ((name ?? "MD5").toUpperCase()) {
    case "MD5":
      return { hash: "md5", sess: false };
    case "MD5-SESS":
      return { hash: "md5", sess: true };
    case "SHA-256":
      return { hash: "sha256", sess: false };
    case "SHA-256-SESS":
      return { hash: "sha256", sess: true };
    default:
      return undefined;
  }
}

function h(hash: HashName, data: string): string {
  return createHash(hash).update(data, "utf8").digest("hex");
}

interface DigestInputs {
  hash: HashName;
  sess: boolean;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  qop: string | undefined;
  nc: string;
  cnonce: string;
  body: string;
}

/** request-digest of RFC 2617 §3.2.2.1, including the RFC 2069 no-qop form. */
function computeResponse(i: DigestInputs): string {
  let ha1 = h(i.hash, `${i.username}:${i.realm}:${i.password}`);
  if (i.sess) ha1 = h(i.hash, `${ha1}:${i.nonce}:${i.cnonce}`);
  const ha2 =
    i.qop === "auth-int"
      ? h(i.hash, `${i.method}:${i.uri}:${h(i.hash, i.body)}`)
      : h(i.hash, `${i.method}:${i.uri}`);
  if (i.qop === undefined) return h(i.hash, `${ha1}:${i.nonce}:${ha2}`);
  return h(i.hash, `${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`);
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** Answer a Digest challenge. Returns the Authorization header value, or
 * undefined if the challenge cannot be answered (no nonce, unknown algorithm,
 * or a qop list offering neither auth nor auth-int). */
export function solveDigest(challenge: AuthChallenge, req: DigestRequest): string | undefined {
  const p = challenge.params;
  const algorithm = algorithmOf(p.algorithm);
  const nonce = p.nonce;
  if (algorithm === undefined || nonce === undefined || challenge.scheme.toLowerCase() !== "digest") return undefined;
  const realm = p.realm ?? "";

  let qop: string | undefined;
  if (p.qop !== undefined) {
    // The server may offer a list; prefer auth, which needs no body hash and is
    // what CPE stacks implement best (easycwmp: genieacs#64, #91).
    const offered = p.qop.split(",").map((q) => q.trim().toLowerCase());
    if (offered.includes("auth")) qop = "auth";
    else if (offered.includes("auth-int")) qop = "auth-int";
    else return undefined;
  }
  const nc = req.nc.toString(16).padStart(8, "0");
  const response = computeResponse({
    ...algorithm,
    username: req.username,
    realm,
    password: req.password,
    method: req.method,
    uri: req.uri,
    nonce,
    qop,
    nc,
    cnonce: req.cnonce,
    body: req.body ?? "",
  });

  const parts = [
    `username=${quote(req.username)}`,
    `realm=${quote(realm)}`,
    `nonce=${quote(nonce)}`,
    `uri=${quote(req.uri)}`,
  ];
  // Echo algorithm only when the server named it: some RFC 2069-era CPEs
  // reject parameters they did not ask for.
  if (p.algorithm !== undefined) parts.push(`algorithm=${p.algorithm}`);
  parts.push(`response=${quote(response)}`);
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(req.cnonce)}`);
  // opaque must be returned unchanged (RFC 2617 §3.2.1).
  if (p.opaque !== undefined) parts.push(`opaque=${quote(p.opaque)}`);
  return `Digest ${parts.join(", ")}`;
}

export interface DigestExpectation {
  method: string;
  password: string;
  realm: string;
  nonce: string;
}

/** Server side: recompute the response from the client's own parameters and
 * compare in constant time. Realm and nonce must be the ones we issued. */
export function verifyDigest(auth: DigestCredentials, expected: DigestExpectation): boolean {
  const algorithm = algorithmOf(auth.algorithm);
  if (algorithm === undefined) return false;
  if (auth.realm !== expected.realm || auth.nonce !== expected.nonce) return false;
  const qop = auth.qop?.toLowerCase();
  if (qop !== undefined && qop !== "auth" && qop !== "auth-int") return false;
  if (qop !== undefined && (auth.nc === undefined || auth.cnonce === undefined)) return false;
  if (algorithm.sess && auth.cnonce === undefined) return false;
  const computed = computeResponse({
    ...algorithm,
    username: auth.username,
    realm: auth.realm,
    password: expected.password,
    method: expected.method,
    uri: auth.uri,
    nonce: auth.nonce,
    qop,
    nc: auth.nc ?? "",
    cnonce: auth.cnonce ?? "",
    body: "",
  });
  return constantTimeEqual(computed, auth.response.toLowerCase());
}

/** A `WWW-Authenticate` value for CPE → ACS Digest (TR-069 §3.4.4: Digest is
 * mandatory without TLS). Only qop=auth is offered: we never hash bodies. */
export function digestChallenge(realm: string, nonce: string, opaque?: string): string {
  let value = `Digest realm=${quote(realm)}, qop="auth", nonce=${quote(nonce)}, algorithm=MD5`;
  if (opaque !== undefined) value += `, opaque=${quote(opaque)}`;
  return value;
}

export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}

/** `Authorization: Basic …` value (RFC 7617, UTF-8 user-pass). */
export function encodeBasic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

export function verifyBasic(auth: BasicCredentials, expected: { username: string; password: string }): boolean {
  // Evaluate both so timing does not reveal which one was wrong.
  const userOk = constantTimeEqual(auth.username, expected.username);
  const passOk = constantTimeEqual(auth.password, expected.password);
  return userOk && passOk;
}

function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}
