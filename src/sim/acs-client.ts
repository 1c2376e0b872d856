// The HTTP side of one CPE's CWMP session: POSTs over a single keep-alive
// connection, the session cookie, and answering the ACS's 401 (TR-069 §3.4.4,
// cwmp.md §2.5). It knows nothing about SOAP; cpe.ts drives the session.
import http from "node:http";
import https from "node:https";
import { randomBytes } from "node:crypto";
import { encodeBasic, parseWwwAuthenticate, solveDigest } from "../cwmp/auth.js";
import type { Quirks } from "./profile.js";

export interface HttpReply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export type PostResult = { ok: true; reply: HttpReply } | { ok: false; error: string };

export interface Credentials {
  username: string;
  password: string;
}

export interface AcsClientOptions {
  url: URL;
  quirks: Quirks;
  /** TR-069 §3.2.1.1: the CPE waits at least 30 s for each HTTP response. */
  timeoutMs: number;
  /** Read at each challenge: the ACS may change them with SetParameterValues. */
  credentials: () => Credentials;
  /** For an https:// ACS URL: the CA to trust and the CPE's own certificate (TR-069 §3.3). */
  tls?: AcsClientTls;
}

/** PEM text. */
export interface AcsClientTls {
  ca?: string;
  cert?: string;
  key?: string;
}

/** Cookies that outlive one session when the profile re-sends stale cookies. */
export type CookieJar = Map<string, string>;

export class AcsClient {
  private readonly options: AcsClientOptions;
  private readonly agent: http.Agent;
  private readonly cookies: CookieJar;
  /** Once challenged with Basic, send it pre-emptively for the rest of the session. */
  private basic: string | undefined;
  private nonceCount = 0;

  constructor(options: AcsClientOptions, cookies: CookieJar) {
    this.options = options;
    // One connection per CPE (TR-069 §3.4.1: no pipelining, one session).
    const agentOptions = { keepAlive: true, maxSockets: 1, ...options.tls };
    this.agent = options.url.protocol === "https:" ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.cookies = cookies;
  }

  /** POSTs one message; `payload` undefined is the empty POST that hands the
   * turn to the ACS (TR-069 §3.7.1.4). A 401 is answered once; a second 401
   * fails the session. */
  async post(payload: string | undefined): Promise<PostResult> {
    let authorization = this.basic;
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await this.send(payload, authorization);
      if (!result.ok || result.reply.status !== 401) return result;
      if (attempt === 1) break;
      const answer = this.answerChallenge(result.reply.headers["www-authenticate"]);
      if (answer === undefined) return { ok: false, error: "401 with an unsupported or missing challenge" };
      authorization = answer;
    }
    return { ok: false, error: "HTTP 401 after sending credentials" };
  }

  /** Ends the session: the CPE closes its connection (TR-069 §3.7.1.4). */
  close(): void {
    this.agent.destroy();
  }

  private answerChallenge(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    const challenges = parseWwwAuthenticate(header);
    const { username, password } = this.options.credentials();
    const digest = challenges.find((c) => c.scheme.toLowerCase() === "digest");
    if (digest !== undefined) {
      this.nonceCount += 1;
      const { pathname, search } = this.options.url;
      return solveDigest(digest, {
        method: "POST",
        uri: pathname + search,
        username,
        password,
        cnonce: randomBytes(8).toString("hex"),
        nc: this.nonceCount,
      });
    }
    if (challenges.some((c) => c.scheme.toLowerCase() === "basic")) {
      this.basic = encodeBasic(username, password);
      return this.basic;
    }
    return undefined;
  }

  private headers(payload: string | undefined, authorization: string | undefined): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = { "Content-Length": Buffer.byteLength(payload ?? "") };
    if (payload !== undefined) {
      headers["Content-Type"] = 'text/xml; charset="utf-8"';
      // TR-069 §3.4.1: SOAPAction with no value; the empty POST has none.
      headers["SOAPAction"] = "";
    } else if (this.options.quirks.emptyPostContentType) {
      headers["Content-Type"] = 'text/xml; charset="utf-8"';
    }
    if (authorization !== undefined) headers["Authorization"] = authorization;
    if (this.options.quirks.sendsCookies && this.cookies.size > 0) {
      headers["Cookie"] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    return headers;
  }

  private send(payload: string | undefined, authorization: string | undefined): Promise<PostResult> {
    const { url, timeoutMs } = this.options;
    const transport = url.protocol === "https:" ? https : http;
    return new Promise((resolve) => {
      const req = transport.request(url, { method: "POST", agent: this.agent, headers: this.headers(payload, authorization) });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no HTTP response within ${timeoutMs} ms`)));
      req.on("error", (err) => resolve({ ok: false, error: err.message }));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (err) => resolve({ ok: false, error: err.message }));
        res.on("end", () => {
          this.storeCookies(res.headers["set-cookie"]);
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({ ok: true, reply: { status: res.statusCode ?? 0, body, headers: res.headers } });
        });
      });
      req.end(payload);
    });
  }

  private storeCookies(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const pair = line.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
}
