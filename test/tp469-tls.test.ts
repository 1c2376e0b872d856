// TP-469 cases on TLS for the MTPs (R-MQTT.48, TR-369 WebSocket binding and
// "Security"), with certificates made by openssl for this run
// (test/helpers/certs.ts): mqtts:// through an MqttTap that terminates TLS in
// front of the test broker, and wss:// with the agent as client and as server.
import type { TLSSocket } from "node:tls";
import t from "tap";
import { uniquePrefix } from "./helpers/broker.js";
import { makeTestCerts } from "./helpers/certs.js";
import { TestController } from "./helpers/usp-controller.js";
import { WsControllerServer, connectToGateway } from "./helpers/ws-controller.js";
import { get, getResp, sleep, startBench } from "./tp469/harness.js";

const certs = await makeTestCerts();
const prefix = uniquePrefix();
const mqttId = `proto::tptls-${prefix}`;
const mqttTopic = `${prefix}/tls-controller`;
const wssId = `proto::tpwss-${prefix}`;
const untrustingId = `proto::tpwssx-${prefix}`;
const acceptId = `proto::tpwssacc-${prefix}`;
const serverTls = { cert: certs.serverCert, key: certs.serverKey };
const wssServer = await WsControllerServer.listen({ controllerId: wssId, tls: serverTls });
const untrusted = await WsControllerServer.listen({ controllerId: untrustingId, tls: serverTls });
const fast = { retryMinimumWaitSeconds: 0.2, retryIntervalMultiplier: 1000 };
const bench = await startBench({
  serialPrefix: "TPT",
  noBoot: true,
  tap: { tls: serverTls },
  gatewayOverrides: {
    mqtt: { tls: { ca: certs.files.ca } },
    controllers: [
      { endpointId: mqttId, mqttTopic },
      { endpointId: wssId, websocket: { url: wssServer.url, tls: { ca: certs.files.ca }, ...fast } },
      // Trusts another CA, so the agent must refuse the server's certificate.
      { endpointId: untrustingId, websocket: { url: untrusted.url, tls: { ca: certs.files.otherCa }, ...fast } },
      { endpointId: acceptId, websocket: {} },
    ],
    websocket: { enabled: true, host: "127.0.0.1", port: 0, path: "/usp/agent", tls: { cert: certs.files.serverCert, key: certs.files.serverKey } },
  },
});
const controller = await TestController.connect(bench.broker.url, mqttId, mqttTopic);
await bench.fleet.bootAll();
t.teardown(async () => {
  await controller.close();
  await bench.stop();
  await wssServer.close();
  await untrusted.close();
  await certs.remove();
});
const { agentId, agentTopic } = bench;
const tap = bench.tap;
if (tap === undefined) throw new Error("no MQTT tap");
const TLS_1_2_OR_LATER = /^TLSv1\.[23]$/;

t.test("TP-469 11.3 MQTT Use of TLS", async (t) => {
  t.match(tap.url, /^mqtts:\/\//);
  t.ok(tap.tlsVersions.length > 0 && tap.tlsVersions.every((v) => TLS_1_2_OR_LATER.test(v)), `R-MQTT.48 TLS 1.2 or later: ${tap.tlsVersions.join(", ")}`);
  const connect = tap.packets.find((p) => p.dir === "up" && p.packet.cmd === "connect");
  t.equal(connect?.packet.cmd === "connect" ? connect.packet.protocolVersion : undefined, 5, "the MQTT 5 session runs inside TLS");
  const record = await controller.waitFor((r) => r.record.fromId === agentId && r.record.recordType.type === "mqttConnect");
  t.same(record.record.recordType, { type: "mqttConnect", version: "V5", subscribedTopic: agentTopic });
  const reply = await controller.request(agentId, agentTopic, get(["Device.DeviceInfo.SerialNumber"]));
  t.equal(getResp(reply).reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SerialNumber, bench.cpe.serial, "a Get crosses mqtts both ways");
});

t.test("TP-469 7.9 Use of TLS", async (t) => {
  // Agent as client (R-WS.5) over wss://, the controller's certificate verified.
  const peer = await wssServer.waitForPeer((p) => p.eid === agentId);
  t.equal(peer.socket.protocol, "v1.usp");
  const reply = await peer.request(agentId, get(["Device.DeviceInfo.Manufacturer"]));
  t.equal(getResp(reply).reqPathResults[0]?.resolvedPathResults[0]?.resultParams.Manufacturer, "Simulated Networks", "a Get over the agent's wss session");
  await sleep(1000);
  t.equal(untrusted.handshakes, 0, "no session with a server whose certificate the agent does not trust");
  // Agent as server (R-WS.6) over wss://.
  const url = `${bench.gw.gateway.websocketUrl}/${encodeURIComponent(agentId)}?eid=${encodeURIComponent(acceptId)}`;
  t.match(url, /^wss:\/\//);
  const { peer: accepted } = await connectToGateway(url, acceptId, { tls: { ca: certs.ca } });
  const version = (accepted.socket as unknown as { _socket: TLSSocket })._socket.getProtocol();
  t.match(version, TLS_1_2_OR_LATER, `TLS 1.2 or later: ${version}`);
  t.equal((await accepted.request(agentId, get(["Device.DeviceInfo.ModelName"]))).header.msgType, "GET_RESP", "a Get over the gateway's wss server");
  accepted.socket.close(1000);
  await accepted.waitForClose();
  await t.rejects(connectToGateway(url, acceptId, { tls: { ca: certs.otherCa } }), /certificate/, "the gateway's server presents its configured certificate");
});
