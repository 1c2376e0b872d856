// TLS on all three transports (issue 5), with certificates made by openssl
// for this run: HTTPS for the CWMP endpoint with client certificates, mqtts://
// to a TLS broker that requires the gateway's client certificate, and wss://
// for the WebSocket MTP in both directions. Secrets never reach the logs.
import { createServer as createTlsServer } from "node:tls";
import { createRequire } from "node:module";
import mqtt from "mqtt";
import { pino } from "pino";
import t from "tap";
import { loadConfig } from "../src/config.js";
import { startGateway } from "../src/gateway.js";
import { startFleet } from "../src/sim/fleet.js";
import { TlsConfigError, loadGatewayTls } from "../src/tls.js";
import { decodeMsg, decodeRecord, msgTypeForBody } from "../src/usp/decode.js";
import { noSessionRecord } from "../src/usp/encode.js";
import type { Body, Msg } from "../src/usp/messages.js";
import { uniquePrefix } from "./helpers/broker.js";
import { makeTestCerts } from "./helpers/certs.js";
import { CR_PASSWORD, CR_USERNAME } from "./helpers/gateway.js";
import { WsControllerServer, connectToGateway } from "./helpers/ws-controller.js";

const { createBroker } = createRequire(import.meta.url)("aedes") as typeof import("aedes");

const OUI = "00256D";
const certs = await makeTestCerts();
const prefix = uniquePrefix();
const mqttControllerId = `proto::mq-${prefix}`;
const wssControllerId = `proto::wss-${prefix}`;
const acceptControllerId = `proto::acc-${prefix}`;
const controllerTopic = `${prefix}/controller`;

// An MQTT broker that speaks only TLS and requires a client certificate from our CA.
const aedes = createBroker();
const brokerServer = createTlsServer({ cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true, rejectUnauthorized: true }, aedes.handle);
await new Promise<void>((resolve) => brokerServer.listen(0, "127.0.0.1", resolve));
const brokerUrl = `mqtts://127.0.0.1:${(brokerServer.address() as { port: number }).port}`;

const wssController = await WsControllerServer.listen({
  controllerId: wssControllerId,
  tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true },
});

const clientTls = { ca: certs.files.ca, cert: certs.files.clientCert, key: certs.files.clientKey };
const logs: string[] = [];
const config = loadConfig({
  fileText: JSON.stringify({
    cwmp: {
      host: "127.0.0.1",
      port: 0,
      tls: { cert: certs.files.serverCert, ca: certs.files.ca, requestClientCert: true },
      connectionRequest: { username: CR_USERNAME, password: CR_PASSWORD, timeoutSeconds: 2 },
    },
    // aedes speaks MQTT 3.1.1 only: replies use the "/reply-to=" suffix (R-MQTT.24).
    mqtt: { url: brokerUrl, version: "3.1.1", agentTopic: `${prefix}/agent/{endpointId}`, tls: clientTls },
    controllers: [
      { endpointId: mqttControllerId, mqttTopic: controllerTopic },
      { endpointId: wssControllerId, websocket: { url: wssController.url, tls: clientTls, retryMinimumWaitSeconds: 0.05 } },
      { endpointId: acceptControllerId, websocket: {} },
    ],
    websocket: { enabled: true, host: "127.0.0.1", port: 0, path: "/usp", tls: { cert: certs.files.serverCert, key: certs.files.serverKey } },
    requestTimeoutSeconds: 20,
    ops: { enabled: false },
    log: { level: "debug" },
  }),
  // The private key as PEM text in the environment, the rest as files.
  env: { CWMP2USP_CWMP__TLS__KEY: certs.serverKey },
});
const gateway = await startGateway(config, pino({ level: "debug" }, { write: (line: string) => logs.push(line) }));

const controller = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4, ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, reconnectPeriod: 0 });
const mqttMsgs: { fromId: string; type: string; msg?: Msg }[] = [];
controller.on("message", (_topic, payload) => {
  const decoded = decodeRecord(new Uint8Array(payload));
  if (!decoded.ok) return;
  const rt = decoded.record.recordType;
  const msg = rt.type === "noSessionContext" ? decodeMsg(rt.payload) : undefined;
  mqttMsgs.push({ fromId: decoded.record.fromId, type: rt.type, ...(msg?.ok === true ? { msg: msg.msg } : {}) });
});
// 3.1.1 publishes carry "/reply-to=<agent topic>" below the controller's topic.
await controller.subscribeAsync(`${controllerTopic}/#`, { qos: 1 });

const fleet = await startFleet({
  acsUrl: gateway.acsUrl,
  count: 1,
  serialPrefix: `TLS${process.pid}-`,
  oui: OUI,
  crUsername: CR_USERNAME,
  crPassword: CR_PASSWORD,
  acsTls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
});
t.teardown(async () => {
  await fleet.stop();
  await controller.endAsync();
  await gateway.stop();
  await wssController.close();
  await new Promise<void>((resolve) => brokerServer.close(() => resolve()));
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  await certs.remove();
});

const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("fleet has no CPE");
const agentId = `os::${OUI}-${cpe.serial}`;

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function getValue(msg: Msg | undefined): string | undefined {
  if (msg?.body.kind !== "response" || msg.body.response.type !== "getResp") return undefined;
  const resolved = msg.body.response.getResp.reqPathResults[0]?.resolvedPathResults[0];
  return resolved === undefined ? undefined : Object.values(resolved.resultParams)[0];
}

t.test("HTTPS: a CPE with a client certificate informs over https", async (t) => {
  t.match(gateway.acsUrl, /^https:\/\/127\.0\.0\.1:\d+\//);
  const [result] = await fleet.bootAll();
  t.equal(result?.ok, true, JSON.stringify(result));
});

t.test("HTTPS: a CPE without a client certificate gets no session", async (t) => {
  const stranger = await startFleet({ acsUrl: gateway.acsUrl, count: 1, serialPrefix: `TLSX${process.pid}-`, oui: OUI, acsTls: { ca: certs.ca } });
  const untrusting = await startFleet({ acsUrl: gateway.acsUrl, count: 1, serialPrefix: `TLSY${process.pid}-`, oui: OUI, acsTls: { ca: certs.otherCa, cert: certs.clientCert, key: certs.clientKey } });
  try {
    const [refused] = await stranger.bootAll();
    t.equal(refused?.ok, false, "the TLS handshake fails without a client certificate");
    const [distrusted] = await untrusting.bootAll();
    t.equal(distrusted?.ok, false, "a CPE that does not trust the gateway's CA does not talk to it");
  } finally {
    await stranger.stop();
    await untrusting.stop();
  }
});

t.test("mqtts: the gateway connects with its client certificate; MQTTConnect record and a Get go through", async (t) => {
  await until(() => mqttMsgs.some((m) => m.fromId === agentId && m.type === "mqttConnect"), "the MQTTConnect record");
  const msgId = `${prefix}-get-1`;
  const body: Body = { kind: "request", request: { type: "get", get: { paramPaths: ["Device.DeviceInfo.SerialNumber"], maxDepth: 0 } } };
  const record = noSessionRecord({ toId: agentId, fromId: mqttControllerId, msg: { header: { msgId, msgType: msgTypeForBody(body) }, body } });
  const agentTopic = config.mqtt.agentTopic.replace("{endpointId}", agentId);
  await controller.publishAsync(`${agentTopic}/reply-to=${controllerTopic.replaceAll("/", "%2F")}`, Buffer.from(record), { qos: 1 });
  await until(() => mqttMsgs.some((m) => m.msg?.header.msgId === msgId), "the GetResp", 15_000);
  t.equal(getValue(mqttMsgs.find((m) => m.msg?.header.msgId === msgId)?.msg), cpe.serial, "the Get crossed HTTPS and mqtts");
});

t.test("wss client: the agent's session to the controller's wss server presents the client certificate", async (t) => {
  const peer = await wssController.waitForPeer((p) => p.eid === agentId);
  const first = await peer.waitFor(() => true);
  t.same(first.record.recordType, { type: "websocketConnect" });
  const msg = await peer.request(agentId, { type: "get", get: { paramPaths: ["Device.DeviceInfo.Manufacturer"], maxDepth: 0 } });
  t.ok(getValue(msg) !== undefined, "GetResp over wss");
});

t.test("wss server: a controller connects to the gateway over wss", async (t) => {
  t.match(gateway.websocketUrl, /^wss:\/\//);
  const url = `${gateway.websocketUrl}/${encodeURIComponent(agentId)}?eid=${encodeURIComponent(acceptControllerId)}`;
  const { peer } = await connectToGateway(url, acceptControllerId, { tls: { ca: certs.ca } });
  const msg = await peer.request(agentId, { type: "get", get: { paramPaths: ["Device.DeviceInfo.SerialNumber"], maxDepth: 0 } });
  t.equal(getValue(msg), cpe.serial);
  peer.socket.close();
  await t.rejects(connectToGateway(url, acceptControllerId, { tls: { ca: certs.otherCa } }), /certificate/, "a controller that does not trust the gateway's CA");
});

t.test("secrets are never logged", async (t) => {
  t.ok(logs.length > 10, "the gateway logged at debug level");
  const secrets = [certs.serverKey, certs.clientKey].map((pem) => pem.split("\n")[1] ?? "");
  for (const secret of secrets) t.notOk(logs.some((line) => line.includes(secret)), "no key material in the logs");
  t.notOk(logs.some((line) => line.includes("PRIVATE KEY")), "no PEM block in the logs");
});

t.test("a TLS file that cannot be read names its key, not its content", async (t) => {
  const base = loadConfig({ fileText: JSON.stringify({ cwmp: { tls: { cert: "/nonexistent/cert.pem", key: certs.serverKey } } }) });
  t.throws(() => loadGatewayTls(base), { message: "cwmp.tls.cert: cannot read /nonexistent/cert.pem: ENOENT" });
  const notPem = loadConfig({ fileText: JSON.stringify({ mqtt: { tls: { ca: certs.dir } } }) });
  t.throws(() => loadGatewayTls(notPem), { message: /^mqtt\.tls\.ca: cannot read .*: EISDIR$/ });
  try {
    loadGatewayTls(notPem);
  } catch (err) {
    t.ok(err instanceof TlsConfigError);
  }
  const bad = loadConfig({ fileText: JSON.stringify({ mqtt: { tls: { ca: certs.files.serverKey.replace(".key", ".ext") } } }) });
  t.throws(() => loadGatewayTls(bad), /mqtt\.tls\.ca: .* holds no PEM data/);
});
