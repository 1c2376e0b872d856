import t, { type Test } from "tap";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { basicChallenge, digestChallenge, parseAuthorization, verifyBasic, verifyDigest } from "../src/cwmp/auth.js";
import { sendConnectionRequest } from "../src/cwmp/connection-request.js";

const CREDS = { username: "cr-user", password: "cr-pass" };
const REALM = "easycwmp";
const NONCE = "4f1a2b3c4d5e6f708192a3b4c5d6e7f8";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(t: Test, handler: Handler): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/cr-4b1d`, server };
}

/** A CPE-like CR endpoint: 401 + Digest challenge unless the request carries a
 * valid Digest response for CREDS, then `okStatus`. */
function digestCpe(okStatus = 200, onAuthorized?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Handler {
  return (req, res) => {
    const auth = parseAuthorization(req.headers.authorization ?? "");
    if (
      auth?.scheme === "Digest" &&
      auth.uri === req.url &&
      verifyDigest(auth, { method: "GET", password: CREDS.password, realm: REALM, nonce: NONCE })
    ) {
      if (onAuthorized?.(req, res) === true) return;
      res.writeHead(okStatus).end();
      return;
    }
    res.writeHead(401, { "WWW-Authenticate": digestChallenge(REALM, NONCE, "opq") }).end("auth required");
  };
}

t.test("TR-069 §3.2.2 Digest-authenticated Connection Request succeeds with 200", async (t) => {
  const seen: string[] = [];
  const { url, server } = await serve(t, (req, res) => {
    seen.push(req.headers.authorization ?? "(none)");
    digestCpe()(req, res);
  });
  t.strictSame(await sendConnectionRequest(url, CREDS, { timeoutMs: 2000 }), { ok: true, status: 200 });
  t.equal(seen.length, 2, "unauthenticated first, then one Digest retry");
  t.equal(seen[0], "(none)");
  t.match(seen[1], /^Digest username="cr-user", realm="easycwmp", nonce="[0-9a-f]+", uri="\/cr-4b1d", algorithm=MD5, response="[0-9a-f]{32}", qop=auth, nc=00000001, cnonce="[0-9a-f]{16}", opaque="opq"$/);
  await new Promise((r) => setTimeout(r, 50));
  const open = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
  t.equal(open, 0, "no socket left open after the call");
});

t.test("TR-069 §3.2.2 204 No Content is success", async (t) => {
  const { url } = await serve(t, digestCpe(204));
  t.strictSame(await sendConnectionRequest(url, CREDS, { timeoutMs: 2000 }), { ok: true, status: 204 });
});

t.test("cwmp.md §7 #13 wrong password: second 401 → auth-failed", async (t) => {
  const { url } = await serve(t, digestCpe());
  const outcome = await sendConnectionRequest(url, { username: "cr-user", password: "nope" }, { timeoutMs: 2000 });
  t.match(outcome, { ok: false, reason: "auth-failed" });
});

t.test("cwmp.md §5.1 Basic is used only when the CPE offers only Basic", async (t) => {
  const { url } = await serve(t, (req, res) => {
    const auth = parseAuthorization(req.headers.authorization ?? "");
    if (auth?.scheme === "Basic" && verifyBasic(auth, CREDS)) return void res.writeHead(200).end();
    res.writeHead(401, { "WWW-Authenticate": basicChallenge(REALM) }).end();
  });
  t.strictSame(await sendConnectionRequest(url, CREDS, { timeoutMs: 2000 }), { ok: true, status: 200 });
});

t.test("TR-069 §3.2.2 503 → busy", async (t) => {
  const { url } = await serve(t, (_req, res) => void res.writeHead(503).end());
  t.match(await sendConnectionRequest(url, CREDS, { timeoutMs: 2000 }), { ok: false, reason: "busy" });
});

t.test("unexpected status → bad-status", async (t) => {
  const { url } = await serve(t, (_req, res) => void res.writeHead(404).end());
  t.match(await sendConnectionRequest(url, CREDS, { timeoutMs: 2000 }), { ok: false, reason: "bad-status", detail: /404/ });
});

t.test("closed port → unreachable", async (t) => {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.match(await sendConnectionRequest(`http://127.0.0.1:${port}/`, CREDS, { timeoutMs: 2000 }), {
    ok: false,
    reason: "unreachable",
    detail: /ECONNREFUSED/,
  });
});

t.test("a CPE that never answers → timeout, bounded by timeoutMs", async (t) => {
  const { url } = await serve(t, () => undefined);
  const started = Date.now();
  t.match(await sendConnectionRequest(url, CREDS, { timeoutMs: 300 }), { ok: false, reason: "timeout" });
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 250 && elapsed < 1000, `took ${elapsed} ms`);
});

t.test("timeout bounds the whole exchange, including the auth round", async (t) => {
  const { url } = await serve(t, digestCpe(200, () => true)); // authorized request is never answered
  const started = Date.now();
  t.match(await sendConnectionRequest(url, CREDS, { timeoutMs: 300 }), { ok: false, reason: "timeout" });
  t.ok(Date.now() - started < 1000);
});

t.test("quirk: CPE resets the socket once during the digest round, retry succeeds (genieacs#148)", async (t) => {
  let resets = 0;
  const { url } = await serve(
    t,
    digestCpe(200, (req) => {
      if (resets > 0) return false;
      resets++;
      req.socket.destroy();
      return true;
    }),
  );
  t.strictSame(await sendConnectionRequest(url, CREDS, { timeoutMs: 2000 }), { ok: true, status: 200 });
  t.equal(resets, 1);
});

t.test("quirk: a CPE that resets on every authenticated attempt → unreachable after one retry", async (t) => {
  let resets = 0;
  const { url } = await serve(
    t,
    digestCpe(200, (req) => {
      resets++;
      req.socket.destroy();
      return true;
    }),
  );
  t.match(await sendConnectionRequest(url, CREDS, { timeoutMs: 2000 }), { ok: false, reason: "unreachable" });
  t.equal(resets, 2);
});

t.test("TR-069 §3.2.2 the Connection Request must be HTTP: https and garbage URLs → invalid-url", async (t) => {
  t.match(await sendConnectionRequest("https://127.0.0.1:7547/", CREDS, { timeoutMs: 500 }), { ok: false, reason: "invalid-url" });
  t.match(await sendConnectionRequest("not a url", CREDS, { timeoutMs: 500 }), { ok: false, reason: "invalid-url" });
});
