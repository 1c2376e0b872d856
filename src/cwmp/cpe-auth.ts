// Authenticating CPEs that open sessions (TR-069 §3.4.4): none, Basic, or
// Digest. Digest nonces are stateless (issue time + HMAC), so any gateway
// instance can verify a nonce another one issued, and no per-socket state is kept.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { basicChallenge, digestChallenge, parseAuthorization, verifyBasic, verifyDigest } from "./auth.js";

export interface CpeAuthConfig {
  type: "none" | "basic" | "digest";
  username: string;
  password: string;
  realm: string;
}

export type CpeAuthResult = { ok: true } | { ok: false; challenge: string; reason: string };

/** A nonce stays valid this long; CPEs answer a challenge within seconds. */
const NONCE_LIFETIME_MS = 5 * 60 * 1000;

export class CpeAuthenticator {
  private readonly secret: Buffer;

  constructor(private readonly config: CpeAuthConfig, secret: Buffer = randomBytes(32)) {
    this.secret = secret;
  }

  check(authorization: string | undefined, method: string, now: number): CpeAuthResult {
    const { type, username, password, realm } = this.config;
    if (type === "none") return { ok: true };
    const challenge = type === "basic" ? basicChallenge(realm) : digestChallenge(realm, this.issueNonce(now));
    if (authorization === undefined) return { ok: false, challenge, reason: "no credentials" };
    const parsed = parseAuthorization(authorization);
    if (parsed === undefined) return { ok: false, challenge, reason: "unparseable Authorization header" };
    if (type === "basic") {
      if (parsed.scheme !== "Basic") return { ok: false, challenge, reason: "Basic required" };
      return verifyBasic(parsed, { username, password }) ? { ok: true } : { ok: false, challenge, reason: "wrong credentials" };
    }
    if (parsed.scheme !== "Digest") return { ok: false, challenge, reason: "Digest required" };
    if (parsed.username !== username) return { ok: false, challenge, reason: "wrong credentials" };
    if (!this.nonceIsValid(parsed.nonce, now)) return { ok: false, challenge, reason: "stale or forged nonce" };
    const valid = verifyDigest(parsed, { method, password, realm, nonce: parsed.nonce });
    return valid ? { ok: true } : { ok: false, challenge, reason: "wrong credentials" };
  }

  private issueNonce(now: number): string {
    const stamp = now.toString(16);
    return `${stamp}.${this.mac(stamp)}`;
  }

  private nonceIsValid(nonce: string, now: number): boolean {
    const [stamp, mac] = nonce.split(".");
    if (stamp === undefined || mac === undefined) return false;
    const expected = Buffer.from(this.mac(stamp));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    const issuedAt = Number.parseInt(stamp, 16);
    return Number.isFinite(issuedAt) && now - issuedAt >= 0 && now - issuedAt <= NONCE_LIFETIME_MS;
  }

  private mac(stamp: string): string {
    return createHmac("sha256", this.secret).update(stamp).digest("hex").slice(0, 32);
  }
}
