// The admin API: bearer-token auth, routes and schemas through fastify
// `inject` with a fake backend, then once over a real socket against a
// running gateway with a simulated CPE.
import t from "tap";
import Fastify, { type FastifyInstance } from "fastify";
import { pino } from "pino";
import type { ConnectionRequestOutcome } from "../src/cwmp/connection-request.js";
import { adminApi, type AdminBackend } from "../src/ops/admin-api.js";
import { createAdminBackend } from "../src/ops/admin-backend.js";
import { adminOpenApiDocument } from "../src/ops/admin-openapi.js";
import { MemoryStore } from "../src/store/memory.js";
import type { DeviceRecord, PendingRequest } from "../src/store/store.js";
import type { UspReply } from "../src/translate/plan.js";
import { startFleet } from "../src/sim/fleet.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";

const TOKEN = "s3cret-admin-token-for-tests";
const NOW = Date.parse("2026-11-24T12:00:00Z");

function device(serial: string, productClass = "HGW"): DeviceRecord {
  return {
    endpointId: `os::00256D-${serial}`,
    deviceId: { manufacturer: "Acme", oui: "00256D", productClass, serialNumber: serial },
    rootObject: "Device.",
    cwmpNamespace: "urn:dslforum-org:cwmp-1-2",
    connectionRequestUrl: `http://10.0.0.1:7547/${serial}`,
    connectionRequestAuth: { username: "cpe", password: "cpe-cr-password" },
    lastInformAt: NOW - 60_000,
    firstSeenAt: NOW - 3_600_000,
    softwareVersion: "1.0",
  };
}

function pending(endpointId: string, msgId: string): PendingRequest {
  return {
    requestId: `r-${msgId}`,
    endpointId,
    controllerId: "proto::c",
    msgId,
    request: { type: "get", get: { paramPaths: ["Device.DeviceInfo."], maxDepth: 0 } },
    replyTo: { mtp: "mqtt", topic: "c" },
    recordVersion: "1.4",
    receivedAt: NOW - 5_000,
    deadline: NOW + 55_000,
  };
}

interface Harness {
  app: FastifyInstance;
  store: MemoryStore;
  answers: { pending: PendingRequest; reply: UspReply }[];
  forgotten: string[];
  logs: string[];
}

async function harness(token: string | undefined, outcome: ConnectionRequestOutcome = { ok: true, status: 200 }): Promise<Harness> {
  const store = new MemoryStore(() => NOW);
  for (const serial of ["A1", "B2", "C3"]) await store.putDevice(device(serial, serial === "C3" ? "ONT" : "HGW"));
  await store.enqueueRequest(pending("os::00256D-A1", "m-1"));
  await store.putAgentRows("os::00256D-A1", "Device.LocalAgent.Subscription.", [{ instance: 2, values: { ID: "boot", Enable: "true", NotifType: "Event", ReferenceList: "Device.Boot!" } }]);
  const answers: Harness["answers"] = [];
  const forgotten: string[] = [];
  const backend: AdminBackend = createAdminBackend({
    store,
    now: () => NOW,
    hasOpenSession: (eid) => eid === "os::00256D-B2",
    connectionRequest: async () => outcome,
    answer: async (p, reply) => void answers.push({ pending: p, reply }),
    forgetCached: (eid) => void forgotten.push(eid),
  });
  const logs: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const app = Fastify({ logger: false });
  await app.register(adminApi, { token, backend, logger });
  await app.ready();
  return { app, store, answers, forgotten, logs };
}

const auth = { authorization: `Bearer ${TOKEN}` };

t.test("without ops.adminToken every admin route is 404 and a log line says the API is disabled", async (t) => {
  for (const token of [undefined, ""]) {
    const h = await harness(token);
    for (const [method, url] of [["GET", "/admin/devices"], ["GET", "/admin/openapi.json"], ["DELETE", "/admin/devices/os::00256D-A1"]] as const) {
      const res = await h.app.inject({ method, url, headers: auth });
      t.equal(res.statusCode, 404, `${method} ${url}`);
    }
    t.match(h.logs.join(""), /admin API disabled: no ops.adminToken/);
    await h.app.close();
  }
});

t.test("RFC 6750 missing, wrong and right bearer tokens", async (t) => {
  const h = await harness(TOKEN);
  t.teardown(() => h.app.close());
  const missing = await h.app.inject({ method: "GET", url: "/admin/devices" });
  t.equal(missing.statusCode, 401);
  t.equal(missing.headers["www-authenticate"], 'Bearer realm="cwmp2usp-admin"');
  const wrong = await h.app.inject({ method: "GET", url: "/admin/devices", headers: { authorization: "Bearer nope" } });
  t.equal(wrong.statusCode, 401);
  t.match(wrong.headers["www-authenticate"], /error="invalid_token"/);
  const prefix = await h.app.inject({ method: "GET", url: "/admin/devices", headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` } });
  t.equal(prefix.statusCode, 401, "a prefix of the token is not the token");
  const basic = await h.app.inject({ method: "GET", url: "/admin/devices", headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` } });
  t.equal(basic.statusCode, 401, "only the Bearer scheme");
  const right = await h.app.inject({ method: "GET", url: "/admin/devices", headers: { authorization: `bearer ${TOKEN}` } });
  t.equal(right.statusCode, 200, "scheme is case-insensitive");
  const logs = h.logs.join("");
  t.match(logs, /admin API request rejected/);
  t.notMatch(logs, new RegExp(TOKEN.slice(0, 10)), "the token never reaches the log");
  t.notMatch(logs, /nope/, "nor a wrong one");
});

t.test("the OpenAPI document is served without a token and describes every route", async (t) => {
  const h = await harness(TOKEN);
  t.teardown(() => h.app.close());
  const res = await h.app.inject({ method: "GET", url: "/admin/openapi.json" });
  t.equal(res.statusCode, 200);
  const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
  t.match(doc.openapi, /^3\./);
  t.same(doc, JSON.parse(JSON.stringify(adminOpenApiDocument((doc as unknown as { info: { version: string } }).info.version))));
  for (const [path, methods] of Object.entries(doc.paths)) {
    const url = path.replace("{endpointId}", "x");
    for (const method of Object.keys(methods)) t.ok(h.app.hasRoute({ method: method.toUpperCase() as "GET", url: path.replace("{endpointId}", ":endpointId") }), `${method} ${url} is registered`);
  }
});

t.test("GET /admin/devices lists, searches and pages", async (t) => {
  const h = await harness(TOKEN);
  t.teardown(() => h.app.close());
  const all = (await h.app.inject({ method: "GET", url: "/admin/devices", headers: auth })).json();
  t.same(all.devices.map((d: { endpointId: string }) => d.endpointId), ["os::00256D-A1", "os::00256D-B2", "os::00256D-C3"]);
  t.same([all.total, all.limit, all.offset], [3, 100, 0]);
  t.same(all.devices[1], {
    endpointId: "os::00256D-B2",
    oui: "00256D",
    serialNumber: "B2",
    productClass: "HGW",
    manufacturer: "Acme",
    online: true,
    lastInformAt: "2026-11-24T11:59:00.000Z",
    rootObject: "Device.",
  });
  const ont = (await h.app.inject({ method: "GET", url: "/admin/devices?query=ont", headers: auth })).json();
  t.same(ont.devices.map((d: { serialNumber: string }) => d.serialNumber), ["C3"], "by product class, case-insensitive");
  const bySerial = (await h.app.inject({ method: "GET", url: "/admin/devices?query=b2", headers: auth })).json();
  t.equal(bySerial.total, 1);
  const page = (await h.app.inject({ method: "GET", url: "/admin/devices?limit=1&offset=1", headers: auth })).json();
  t.same([page.total, page.devices.length, page.devices[0].serialNumber], [3, 1, "B2"]);
  const bad = await h.app.inject({ method: "GET", url: "/admin/devices?limit=0", headers: auth });
  t.equal(bad.statusCode, 400, "schema-validated query");
});

t.test("GET /admin/devices/:endpointId shows state and pending requests, never the CR password", async (t) => {
  const h = await harness(TOKEN);
  t.teardown(() => h.app.close());
  const res = await h.app.inject({ method: "GET", url: `/admin/devices/${encodeURIComponent("os::00256D-A1")}`, headers: auth });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.match(body, {
    endpointId: "os::00256D-A1",
    known: true,
    online: false,
    rootObject: "Device.",
    cwmpNamespace: "urn:dslforum-org:cwmp-1-2",
    connectionRequestUrl: "http://10.0.0.1:7547/A1",
    connectionRequestCredentials: "device",
    lastInformAt: "2026-11-24T11:59:00.000Z",
  });
  t.same(body.subscriptions, [{ path: "Device.LocalAgent.Subscription.2.", params: { ID: "boot", Enable: "true", NotifType: "Event", ReferenceList: "Device.Boot!" } }]);
  t.same(body.pendingRequests, [{ msgId: "m-1", type: "get", controllerId: "proto::c", ageSeconds: 5, deadline: "2026-11-24T12:00:55.000Z" }]);
  t.notMatch(res.body, /cpe-cr-password/);
  const unknown = await h.app.inject({ method: "GET", url: "/admin/devices/os::nope", headers: auth });
  t.same([unknown.statusCode, unknown.json().message], [404, "no device os::nope"]);
});

t.test("POST …/connection-request returns the typed outcome", async (t) => {
  const failing = await harness(TOKEN, { ok: false, reason: "unreachable", detail: "connect ECONNREFUSED 10.0.0.1:7547" });
  t.teardown(() => failing.app.close());
  const res = await failing.app.inject({ method: "POST", url: "/admin/devices/os::00256D-A1/connection-request", headers: auth });
  t.same([res.statusCode, res.json()], [200, { endpointId: "os::00256D-A1", outcome: { ok: false, reason: "unreachable", detail: "connect ECONNREFUSED 10.0.0.1:7547" } }]);
  const missing = await failing.app.inject({ method: "POST", url: "/admin/devices/os::nope/connection-request", headers: auth });
  t.equal(missing.statusCode, 404);
});

t.test("DELETE forgets the device, answers its queued requests once, drops its model", async (t) => {
  const h = await harness(TOKEN);
  t.teardown(() => h.app.close());
  const res = await h.app.inject({ method: "DELETE", url: "/admin/devices/os::00256D-A1", headers: auth });
  t.same([res.statusCode, res.json()], [200, { endpointId: "os::00256D-A1", forgotten: true, answeredRequests: 1 }]);
  t.equal(await h.store.getDevice("os::00256D-A1"), undefined);
  t.same(await h.store.pendingRequests("os::00256D-A1"), []);
  t.same(h.answers.map((a) => [a.pending.msgId, a.reply.kind === "error" ? a.reply.error.errCode : 0]), [["m-1", 7002]]);
  t.same(h.forgotten, ["os::00256D-A1"]);
  const again = await h.app.inject({ method: "DELETE", url: "/admin/devices/os::00256D-A1", headers: auth });
  t.equal(again.statusCode, 404);
});

t.test("over a real socket: a running gateway with a simulated CPE", async (t) => {
  const broker = await testBroker();
  const gw = await startTestGateway(broker.url, { ops: { adminToken: TOKEN } });
  const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
  let sessions = 0;
  const fleet = await startFleet({
    acsUrl: gw.gateway.acsUrl,
    count: 1,
    serialPrefix: `ADM${process.pid}-`,
    oui: "00256D",
    crUsername: CR_USERNAME,
    crPassword: CR_PASSWORD,
    onSession: () => void (sessions += 1),
  });
  t.teardown(async () => {
    await fleet.stop();
    await controller.close();
    await gw.stop();
    await broker.close();
  });
  await fleet.bootAll();
  const serial = fleet.cpes[0]?.serial ?? "";
  const eid = `os::00256D-${serial}`;
  const base = `${gw.gateway.opsUrl}/admin`;
  t.equal((await fetch(`${base}/devices`)).status, 401);
  const list = (await (await fetch(`${base}/devices?query=${serial}`, { headers: auth })).json()) as { devices: { endpointId: string }[] };
  t.same(list.devices.map((d) => d.endpointId), [eid]);
  await controller.request(eid, gw.agentTopic(eid), {
    type: "add",
    add: { allowPartial: false, createObjs: [{ objPath: "Device.LocalAgent.Subscription.", paramSettings: [{ param: "ID", value: "adm-1", required: true }, { param: "NotifType", value: "Event", required: true }, { param: "ReferenceList", value: "Device.Boot!", required: true }] }] },
  });
  const detail = (await (await fetch(`${base}/devices/${encodeURIComponent(eid)}`, { headers: auth })).json()) as Record<string, unknown>;
  t.match(detail, { endpointId: eid, known: true, rootObject: "Device.", connectionRequestCredentials: "gateway-default", pendingRequests: [] });
  t.match(detail.subscriptions, [{ path: /^Device\.LocalAgent\.Subscription\.\d+\.$/, params: { ID: "adm-1", NotifType: "Event", ReferenceList: "Device.Boot!" } }], "a controller's subscription shows");
  t.match(detail.connectionRequestUrl, /^http:\/\/127\.0\.0\.1:\d+\//);
  const cr = await fetch(`${base}/devices/${encodeURIComponent(eid)}/connection-request`, { method: "POST", headers: auth });
  t.match(await cr.json(), { endpointId: eid, outcome: { ok: true } });
  // The CPE answers the Connection Request with a session of its own; let it
  // finish, or its Inform would register the device again after the DELETE.
  while (sessions < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  const forgot = await fetch(`${base}/devices/${encodeURIComponent(eid)}`, { method: "DELETE", headers: auth });
  t.equal(forgot.status, 200);
  t.equal(await gw.gateway.store.getDevice(eid), undefined);
});
