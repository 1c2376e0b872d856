// The ACS endpoint's session handling: cookies, the socket fallback, the
// per-device lock and CPE authentication, driven through Acs.handlePost with
// real SOAP bodies (no HTTP needed: the server only carries these bytes).
import t from "tap";
import { pino } from "pino";
import { Acs, sessionCookie, type AcsHooks } from "../src/cwmp/acs.js";
import { solveDigest, parseWwwAuthenticate, encodeBasic } from "../src/cwmp/auth.js";
import { CpeAuthenticator } from "../src/cwmp/cpe-auth.js";
import type { AcsRequest } from "../src/cwmp/rpc.js";
import { decodeEnvelope } from "../src/cwmp/soap-decode.js";
import { encodeEnvelope } from "../src/cwmp/soap-encode.js";
import { MemoryStore } from "../src/store/memory.js";

const logger = pino({ level: "silent" });

function informXml(serial: string, ns = "urn:dslforum-org:cwmp-1-0"): string {
  return encodeEnvelope({
    cwmpNamespace: ns,
    header: { id: `inf-${serial}` },
    body: {
      method: "Inform",
      deviceId: { manufacturer: "Acme", oui: "00256D", productClass: "GW", serialNumber: serial },
      event: [{ eventCode: "2 PERIODIC", commandKey: "" }],
      maxEnvelopes: 1,
      currentTime: "2026-11-24T00:00:00Z",
      retryCount: 0,
      parameterList: [],
    },
  });
}

function gpvResponseXml(id: string): string {
  return encodeEnvelope({
    cwmpNamespace: "urn:dslforum-org:cwmp-1-0",
    header: { id },
    body: { method: "GetParameterValuesResponse", parameterList: [{ name: "Device.DeviceInfo.UpTime", value: "7", type: "xsd:unsignedInt" }] },
  });
}

interface Harness {
  acs: Acs;
  store: MemoryStore;
  ended: string[];
  work: AcsRequest[];
  outcomes: string[];
  clock: { now: number };
}

function harness(auth = new CpeAuthenticator({ type: "none", username: "", password: "", realm: "r" })): Harness {
  const clock = { now: 1_000_000 };
  const store = new MemoryStore(() => clock.now);
  const h: Harness = { store, ended: [], work: [], outcomes: [], clock, acs: undefined as unknown as Acs };
  const hooks: AcsHooks = {
    onInform: async (inform) => ({ ok: true, endpointId: `os::00256D-${inform.deviceId.serialNumber}` }),
    nextRpc: async (_e, _s, last) => {
      if (last !== undefined) h.outcomes.push(last.outcome.ok ? last.outcome.response.method : `fault ${last.outcome.fault.faultCode}`);
      return h.work.shift() ?? null;
    },
    onCpeRequest: () => undefined,
    onSessionEnd: (endpointId, _id, reason) => h.ended.push(`${endpointId}:${reason}`),
  };
  h.acs = new Acs({ store, hooks, auth, logger, sessionTimeoutMs: 30_000, now: () => clock.now });
  return h;
}

const post = (h: Harness, body: string, socket: object, cookie?: string, authorization?: string) =>
  h.acs.handlePost({ body, socket, cookie, authorization });

function cookieOf(answer: { headers: Record<string, string> }): string {
  return (answer.headers["set-cookie"] ?? "").split(";")[0] ?? "";
}

t.test("TR-069 §3.7.1 a full session: Inform, empty POST, one RPC, 204", async (t) => {
  const h = harness();
  h.work.push({ method: "GetParameterValues", parameterNames: ["Device.DeviceInfo.UpTime"] });
  const socket = {};
  const inform = await post(h, informXml("A1"), socket);
  t.equal(inform.status, 200);
  t.match(inform.headers["set-cookie"], /^session=[0-9a-f]{24}; Path=\//);
  const ir = decodeEnvelope(inform.body);
  t.ok(ir.ok && ir.envelope.body.method === "InformResponse" && ir.envelope.header.id === "inf-A1", "InformResponse echoes the ID");
  const rpc = await post(h, "", socket, cookieOf(inform));
  t.equal(rpc.status, 200);
  const req = decodeEnvelope(rpc.body);
  if (!req.ok) return t.fail(req.error);
  t.equal(req.envelope.body.method, "GetParameterValues");
  const done = await post(h, gpvResponseXml(req.envelope.header.id), socket, cookieOf(inform));
  t.equal(done.status, 204);
  t.same(h.outcomes, ["GetParameterValuesResponse"]);
  t.same(h.ended, ["os::00256D-A1:completed"]);
  t.equal(h.acs.hasOpenSession("os::00256D-A1"), false);
});

t.test("quirk: a CPE that drops the cookie continues on the same socket (genieacs#79)", async (t) => {
  const h = harness();
  const socket = {};
  t.equal((await post(h, informXml("B1"), socket)).status, 200);
  t.equal((await post(h, "", socket)).status, 204, "empty POST without cookie, same socket");
  t.same(h.ended, ["os::00256D-B1:completed"]);
});

t.test("a session continues on a new connection with its cookie, also ,-separated (genieacs cwmp.ts)", async (t) => {
  const h = harness();
  const inform = await post(h, informXml("C1"), {});
  const done = await post(h, "", {}, `foo=bar, ${cookieOf(inform)}, Path=/`);
  t.equal(done.status, 204);
  t.equal(sessionCookie("a=b; session=abc123"), "abc123");
  t.equal(sessionCookie('session="q1"'), "q1");
  t.equal(sessionCookie("sessionx=1"), undefined);
  t.equal(sessionCookie(undefined), undefined);
});

t.test("an empty POST or a response with no session is refused with 400", async (t) => {
  const h = harness();
  const empty = await post(h, "", {});
  t.equal(empty.status, 400);
  t.equal(empty.closeConnection, true);
  const response = await post(h, gpvResponseXml("x"), {});
  t.equal(response.status, 400);
  t.match(response.body, /Inform must come first/);
});

t.test("quirk: a stale cookie on the next Inform starts a new session (genieacs ca83704)", async (t) => {
  const h = harness();
  const socket = {};
  const first = await post(h, informXml("D1"), socket);
  const second = await post(h, informXml("D1"), socket, cookieOf(first));
  t.equal(second.status, 200);
  t.not(cookieOf(second), cookieOf(first), "a new session id");
  t.same(h.ended, ["os::00256D-D1:replaced"]);
});

t.test("TR-069 §3.7.1.4 one session per device: a second Inform from elsewhere gets 503", async (t) => {
  const h = harness();
  await h.store.acquireSessionLock("os::00256D-E1", "another-instance", 60_000);
  const answer = await post(h, informXml("E1"), {});
  t.equal(answer.status, 503);
  t.equal(answer.headers["retry-after"], "30");
  h.clock.now += 60_001;
  t.equal((await post(h, informXml("E1"), {})).status, 200, "the lock lapses");
});

t.test("an idle session is swept after the session timeout and its lock freed", async (t) => {
  const h = harness();
  await post(h, informXml("F1"), {});
  t.equal(h.acs.hasOpenSession("os::00256D-F1"), true);
  h.clock.now += 30_001;
  await h.acs.sweepIdleSessions();
  t.equal(h.acs.hasOpenSession("os::00256D-F1"), false);
  t.same(h.ended, ["os::00256D-F1:timeout"]);
  t.equal(await h.store.acquireSessionLock("os::00256D-F1", "next", 1000), true);
});

t.test("malformed XML mid-session ends that session with 400", async (t) => {
  const h = harness();
  const socket = {};
  await post(h, informXml("G1"), socket);
  const bad = await post(h, "<soap-env:Envelope><oops", socket);
  t.equal(bad.status, 400);
  t.same(h.ended, ["os::00256D-G1:error"]);
});

t.test("answers keep the CPE's cwmp namespace (freeacs#222)", async (t) => {
  const h = harness();
  const answer = await post(h, informXml("H1", "urn:dslforum-org:cwmp-1-2"), {});
  t.match(answer.body, /xmlns:cwmp="urn:dslforum-org:cwmp-1-2"/);
});

t.test("TR-069 §3.4.4 Digest authentication of the Inform", async (t) => {
  const h = harness(new CpeAuthenticator({ type: "digest", username: "acs", password: "pw", realm: "cwmp2usp" }));
  const challenged = await post(h, informXml("I1"), {});
  t.equal(challenged.status, 401);
  const [challenge] = parseWwwAuthenticate(challenged.headers["www-authenticate"] ?? "");
  if (challenge === undefined) return t.fail("no challenge");
  t.equal(challenge.scheme.toLowerCase(), "digest");
  const wrong = solveDigest(challenge, { method: "POST", uri: "/", username: "acs", password: "nope", cnonce: "0a4f113b", nc: 1 });
  t.equal((await post(h, informXml("I1"), {}, undefined, wrong)).status, 401, "wrong password");
  const right = solveDigest(challenge, { method: "POST", uri: "/", username: "acs", password: "pw", cnonce: "0a4f113b", nc: 1 });
  t.equal((await post(h, informXml("I1"), {}, undefined, right)).status, 200);
  h.clock.now += 10 * 60 * 1000;
  t.equal((await post(h, informXml("I2"), {}, undefined, right)).status, 401, "a stale nonce is refused");
  const forged = right?.replace(/nonce="[^"]+"/, 'nonce="0.deadbeef"');
  t.equal((await post(h, informXml("I3"), {}, undefined, forged)).status, 401, "a forged nonce is refused");
});

t.test("TR-069 §3.4.4 Basic authentication of the Inform", async (t) => {
  const h = harness(new CpeAuthenticator({ type: "basic", username: "acs", password: "pw", realm: "cwmp2usp" }));
  const challenged = await post(h, informXml("J1"), {});
  t.equal(challenged.status, 401);
  t.equal(challenged.headers["www-authenticate"], 'Basic realm="cwmp2usp"');
  t.equal((await post(h, informXml("J1"), {}, undefined, encodeBasic("acs", "bad"))).status, 401);
  t.equal((await post(h, informXml("J1"), {}, undefined, encodeBasic("acs", "pw"))).status, 200);
});
