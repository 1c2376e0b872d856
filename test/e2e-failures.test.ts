// Every USP request gets exactly one answer, also when the CPE cannot be
// reached or never comes; bad CWMP input never disturbs other sessions.
import http from "node:http";
import type { AddressInfo } from "node:net";
import t from "tap";
import { encodeEnvelope } from "../src/cwmp/soap-encode.js";
import { startFleet } from "../src/sim/fleet.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway, type TestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";

const broker = await testBroker();
t.teardown(() => broker.close());

/** Runs one raw CWMP session (Inform, empty POST) as a CPE whose Connection
 * Request URL is `crUrl`; returns the HTTP statuses seen. */
async function informAs(acsUrl: string, serial: string, crUrl: string): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: string, cookie?: string): Promise<{ status: number; cookie?: string; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.request(acsUrl, { method: "POST", agent, headers: { "content-type": "text/xml", ...(cookie !== undefined ? { cookie } : {}) } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, ...(res.headers["set-cookie"]?.[0] !== undefined ? { cookie: res.headers["set-cookie"][0].split(";")[0] as string } : {}) }));
      });
      req.on("error", reject);
      req.end(body);
    });
  const inform = encodeEnvelope({
    cwmpNamespace: "urn:dslforum-org:cwmp-1-0",
    header: { id: "1" },
    body: {
      method: "Inform",
      deviceId: { manufacturer: "Test", oui: "00256D", productClass: "Raw", serialNumber: serial },
      event: [{ eventCode: "1 BOOT", commandKey: "" }],
      maxEnvelopes: 1,
      currentTime: "2026-11-24T00:00:00Z",
      retryCount: 0,
      parameterList: [{ name: "Device.ManagementServer.ConnectionRequestURL", value: crUrl, type: "xsd:string" }],
    },
  });
  const first = await post(inform);
  const second = await post("", first.cookie);
  agent.destroy();
  return [first.status, second.status];
}

t.test("CPE offline: a failed Connection Request answers the request with a USP Error saying so", async (t) => {
  const gw = await startTestGateway(broker.url);
  const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
  t.teardown(async () => {
    await controller.close();
    await gw.stop();
  });
  // A CR URL on a port nobody listens on.
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  t.same(await informAs(gw.gateway.acsUrl, "OFFLINE1", `http://127.0.0.1:${port}/cr`), [200, 204]);
  const agentId = "os::00256D-OFFLINE1";
  const msg = await controller.request(agentId, gw.agentTopic(agentId), { type: "get", get: { paramPaths: ["Device.DeviceInfo."], maxDepth: 0 } });
  t.equal(msg.body.kind, "error");
  if (msg.body.kind !== "error") return;
  t.equal(msg.body.error.errCode, 7002);
  t.match(msg.body.error.errMsg, /CPE unreachable: Connection Request to http:\/\/127\.0\.0\.1:\d+\/cr failed \(unreachable/);
});

t.test("CPE never comes: the request times out after requestTimeoutSeconds with a USP Error saying so", async (t) => {
  const gw: TestGateway = await startTestGateway(broker.url, { requestTimeoutSeconds: 2 });
  const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
  // A CR endpoint that accepts every request but whose CPE never informs.
  let crHits = 0;
  const lazy = http.createServer((_req, res) => {
    crHits += 1;
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => lazy.listen(0, "127.0.0.1", r));
  t.teardown(async () => {
    await controller.close();
    await gw.stop();
    await new Promise<void>((r) => lazy.close(() => r()));
  });
  const crUrl = `http://127.0.0.1:${(lazy.address() as AddressInfo).port}/cr`;
  t.same(await informAs(gw.gateway.acsUrl, "SLEEPY1", crUrl), [200, 204]);
  const agentId = "os::00256D-SLEEPY1";
  const started = Date.now();
  const msgId = await controller.send(agentId, gw.agentTopic(agentId), { type: "get", get: { paramPaths: ["Device.DeviceInfo.UpTime"], maxDepth: 0 } });
  const reply = await controller.waitFor((r) => r.msg?.header.msgId === msgId, 10_000);
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 1900, `answered after the 2 s deadline (${elapsed} ms)`);
  t.equal(crHits, 1, "one Connection Request was sent");
  const body = reply.msg?.body;
  t.equal(body?.kind, "error");
  if (body?.kind !== "error") return;
  t.equal(body.error.errCode, 7000);
  t.match(body.error.errMsg, /timeout: the CPE did not open a CWMP session within 2 s \(the Connection Request was accepted but no session followed\)/);
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(controller.countFor(msgId), 1, "exactly one answer");
});

t.test("malformed SOAP gets HTTP 400 and does not disturb another CPE's session", async (t) => {
  const gw = await startTestGateway(broker.url);
  const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
  const fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `BAD${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
  t.teardown(async () => {
    await fleet.stop();
    await controller.close();
    await gw.stop();
  });
  await fleet.bootAll();
  const post = (body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.request(gw.gateway.acsUrl, { method: "POST", headers }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  const garbage = await post("<soap-env:Envelope><unclosed>", { "content-type": "text/xml" });
  t.equal(garbage.status, 400);
  t.match(garbage.body, /malformed SOAP/);
  const notXml = await post("hello", { "content-type": "application/json" });
  t.equal(notXml.status, 400);
  const doctype = await post('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>');
  t.equal(doctype.status, 400, "entity declarations are refused");
  const emptyOutside = await post("");
  t.equal(emptyOutside.status, 400, "an empty POST outside a session is refused");
  t.match(emptyOutside.body, /Inform must come first/);
  const get = await new Promise<number>((resolve) => http.get(gw.gateway.acsUrl, (res) => resolve(res.statusCode ?? 0)));
  t.equal(get, 405, "GET on the ACS URL is not allowed");
  // The simulated CPE is still served normally.
  const cpe = fleet.cpes[0];
  if (cpe === undefined) return t.fail("no CPE");
  const agentId = `os::00256D-${cpe.serial}`;
  const msg = await controller.request(agentId, gw.agentTopic(agentId), { type: "get", get: { paramPaths: ["Device.DeviceInfo.SerialNumber"], maxDepth: 0 } });
  if (msg.body.kind !== "response" || msg.body.response.type !== "getResp") return t.fail(JSON.stringify(msg.body));
  t.equal(msg.body.response.getResp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SerialNumber, cpe.serial);
});
