// Several gateway instances, one fleet: a CWMP session whose next POST reaches
// another instance (same cookie, new connection) continues there from the
// store, the device lock moves with it, and the instance it left neither ends
// it nor keeps stale work for it. Two Acs objects share one store here, as two
// processes share Redis (the store contract makes both backends equivalent).
import t from "tap";
import { pino } from "pino";
import { Acs, type AcsHooks, type CwmpHttpAnswer } from "../src/cwmp/acs.js";
import { CpeAuthenticator } from "../src/cwmp/cpe-auth.js";
import type { AcsRequest, CwmpBody } from "../src/cwmp/rpc.js";
import { decodeEnvelope } from "../src/cwmp/soap-decode.js";
import { encodeEnvelope } from "../src/cwmp/soap-encode.js";
import { MemoryStore } from "../src/store/memory.js";

const SESSION_TIMEOUT_MS = 30_000;
const GPV: AcsRequest = { method: "GetParameterValues", parameterNames: ["Device.DeviceInfo.UpTime"] };

/** One gateway instance: its Acs and a log of what its hooks saw. */
interface Instance {
  name: string;
  acs: Acs;
  /** RPCs this instance will hand out at its ACS turns. */
  work: AcsRequest[];
  events: string[];
}

interface Cluster {
  store: MemoryStore;
  clock: { now: number };
  a: Instance;
  b: Instance;
}

function instance(name: string, store: MemoryStore, clock: { now: number }): Instance {
  const node: Instance = { name, work: [], events: [], acs: undefined as unknown as Acs };
  const hooks: AcsHooks = {
    onInform: async (inform) => ({ ok: true, endpointId: `os::00256D-${inform.deviceId.serialNumber}` }),
    nextRpc: async (_endpointId, _sessionId, last) => {
      node.events.push(last === undefined ? "turn" : `turn after ${last.outcome.ok ? last.outcome.response.method : "fault"}`);
      return node.work.shift() ?? null;
    },
    onCpeRequest: () => undefined,
    onSessionEnd: (_endpointId, _sessionId, reason) => node.events.push(`end ${reason}`),
    onSessionMoved: () => node.events.push("moved"),
  };
  const auth = new CpeAuthenticator({ type: "none", username: "", password: "", realm: "r" });
  node.acs = new Acs({ store, hooks, auth, logger: pino({ level: "silent" }), sessionTimeoutMs: SESSION_TIMEOUT_MS, now: () => clock.now });
  return node;
}

function cluster(): Cluster {
  const clock = { now: 5_000_000 };
  const store = new MemoryStore(() => clock.now);
  return { store, clock, a: instance("a", store, clock), b: instance("b", store, clock) };
}

function envelope(id: string, body: CwmpBody): string {
  return encodeEnvelope({ cwmpNamespace: "urn:dslforum-org:cwmp-1-0", header: { id }, body });
}

function inform(serial: string): string {
  return envelope(`inf-${serial}`, {
    method: "Inform",
    deviceId: { manufacturer: "Acme", oui: "00256D", productClass: "GW", serialNumber: serial },
    event: [{ eventCode: "6 CONNECTION REQUEST", commandKey: "" }],
    maxEnvelopes: 1,
    currentTime: "2026-11-24T00:00:00Z",
    retryCount: 0,
    parameterList: [],
  });
}

function gpvResponse(request: CwmpHttpAnswer): string {
  const decoded = decodeEnvelope(request.body);
  const id = decoded.ok ? decoded.envelope.header.id : "?";
  return envelope(id, { method: "GetParameterValuesResponse", parameterList: [{ name: "Device.DeviceInfo.UpTime", value: "7", type: "xsd:unsignedInt" }] });
}

function methodOf(answer: CwmpHttpAnswer): string {
  const decoded = decodeEnvelope(answer.body);
  return decoded.ok ? decoded.envelope.body.method : `HTTP ${answer.status}`;
}

/** Every POST on a new connection, as behind a load balancer. */
function post(node: Instance, body: string, cookie?: string): Promise<CwmpHttpAnswer> {
  return node.acs.handlePost({ body, cookie, authorization: undefined, socket: {} });
}

function cookieOf(answer: CwmpHttpAnswer): string {
  return (answer.headers["set-cookie"] ?? "").split(";")[0] ?? "";
}

t.test("a session moves between instances POST by POST, keeping its lock, and ends once", async (t) => {
  const { store, a, b } = cluster();
  const started = await post(a, inform("M1"));
  const cookie = cookieOf(started);
  const sessionId = cookie.slice("session=".length);
  b.work.push(GPV);
  const rpc = await post(b, "", cookie);
  t.equal(methodOf(rpc), "GetParameterValues", "instance b took the ACS turn of a's session");
  t.equal(await store.sessionLockOwner("os::00256D-M1"), sessionId, "the lock moved with the session (same owner)");
  t.equal(b.acs.hasOpenSession("os::00256D-M1"), true);

  const done = await post(a, gpvResponse(rpc), cookie);
  t.equal(done.status, 204, "back on a: the response is taken and the session ends");
  t.same(a.events, ["moved", "turn after GetParameterValuesResponse", "end completed"], "a dropped its stale view before continuing");
  t.same(b.events, ["turn"]);
  t.equal(await store.sessionLockOwner("os::00256D-M1"), undefined, "lock released");
  t.equal(await store.loadCwmpSession(sessionId), undefined, "session record deleted");

  // b still remembers the session; it learns it ended without ending it again.
  t.equal((await post(b, "", cookie)).status, 400, "an ended session continues nowhere");
  t.same(b.events, ["turn", "moved"]);
  t.equal(b.acs.hasOpenSession("os::00256D-M1"), false);
});

t.test("the instance a session left does not time it out while it lives elsewhere", async (t) => {
  const { store, clock, a, b } = cluster();
  const cookie = cookieOf(await post(a, inform("M2")));
  const sessionId = cookie.slice("session=".length);
  clock.now += SESSION_TIMEOUT_MS / 2;
  b.work.push(GPV);
  const rpc = await post(b, "", cookie);
  clock.now += SESSION_TIMEOUT_MS / 2 + 1;
  await a.acs.sweepIdleSessions();
  t.same(a.events, ["moved"], "a forgot it without ending it");
  t.equal(await store.sessionLockOwner("os::00256D-M2"), sessionId, "the lock stays with the live session");
  t.equal((await post(b, gpvResponse(rpc), cookie)).status, 204);
  t.same(b.events, ["turn", "turn after GetParameterValuesResponse", "end completed"]);
});

t.test("an idle session is timed out by the instance that served it last", async (t) => {
  const { store, clock, a, b } = cluster();
  const cookie = cookieOf(await post(a, inform("M3")));
  clock.now += SESSION_TIMEOUT_MS + 1;
  await b.acs.sweepIdleSessions();
  await a.acs.sweepIdleSessions();
  t.same(a.events, ["end timeout"]);
  t.same(b.events, []);
  t.equal(await store.sessionLockOwner("os::00256D-M3"), undefined);
  t.equal((await post(b, "", cookie)).status, 400);
});

t.test("a session whose lock a newer session of the device took cannot be resumed", async (t) => {
  const { store, a, b } = cluster();
  const cookie = cookieOf(await post(a, inform("M4")));
  const sessionId = cookie.slice("session=".length);
  // Instance a died and its lock lapsed; the CPE started over through another instance.
  await store.releaseSessionLock("os::00256D-M4", sessionId);
  await store.acquireSessionLock("os::00256D-M4", "newer-session", 60_000);
  const stale = await post(b, "", cookie);
  t.equal(stale.status, 400, "the old session is superseded");
  t.equal(await store.loadCwmpSession(sessionId), undefined, "and dropped from the store");
  t.equal(await store.sessionLockOwner("os::00256D-M4"), "newer-session", "the newer session keeps the lock");
  t.same(b.events, []);
});

t.test("a session that loses its lock mid-way ends at its next ACS turn", async (t) => {
  const { store, a } = cluster();
  const cookie = cookieOf(await post(a, inform("M5")));
  const sessionId = cookie.slice("session=".length);
  await store.releaseSessionLock("os::00256D-M5", sessionId);
  await store.acquireSessionLock("os::00256D-M5", "newer-session", 60_000);
  a.work.push(GPV);
  const answer = await post(a, "", cookie);
  t.equal(answer.status, 400);
  t.match(answer.body, /superseded/);
  t.same(a.events, ["end replaced"], "no work was handed to a session that is not the device's");
  t.equal(await store.sessionLockOwner("os::00256D-M5"), "newer-session");
});
