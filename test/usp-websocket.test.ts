// End to end over the WebSocket MTP (issue 3): simulated TR-181 CPEs →
// gateway → WebSocket → a test controller, with the agent as client (R-WS.5)
// and as server (R-WS.6).
import t from "tap";
import { readParameter, startFleet, type Fleet } from "../src/sim/fleet.js";
import type { Msg } from "../src/usp/messages.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { WsControllerServer, connectToGateway, type WsPeer } from "./helpers/ws-controller.js";

const OUI = "00256D";
const prefix = uniquePrefix();
const wsControllerId = `proto::ws-${prefix}`;
const acceptControllerId = `proto::acc-${prefix}`;
const mutedControllerId = `proto::mute-${prefix}`;

const broker = await testBroker();
const controller = await WsControllerServer.listen({ controllerId: wsControllerId });
const muted = await WsControllerServer.listen({ controllerId: mutedControllerId, echoSubprotocol: false });
const fastRetry = { retryMinimumWaitSeconds: 0.05, retryIntervalMultiplier: 1000, keepAliveSeconds: 5 };
const gw = await startTestGateway(broker.url, {
  controllers: [
    { endpointId: wsControllerId, websocket: { url: controller.url, ...fastRetry } },
    { endpointId: mutedControllerId, websocket: { url: muted.url, ...fastRetry } },
    // Reaches agents only on sessions it opens on the gateway's server.
    { endpointId: acceptControllerId, websocket: {} },
  ],
  websocket: { enabled: true, host: "127.0.0.1", port: 0, path: "/usp/agent" },
});
const fleet: Fleet = await startFleet({
  acsUrl: gw.gateway.acsUrl,
  count: 2,
  serialPrefix: `WS${process.pid}-`,
  oui: OUI,
  crUsername: CR_USERNAME,
  crPassword: CR_PASSWORD,
});
t.teardown(async () => {
  await fleet.stop();
  await gw.stop();
  await controller.close();
  await muted.close();
  await broker.close();
});

const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("fleet has no CPE");
const agentId = `os::${OUI}-${cpe.serial}`;
await fleet.bootAll({ concurrency: 2 });

function getRespValue(msg: Msg, path: string): string | undefined {
  if (msg.body.kind !== "response" || msg.body.response.type !== "getResp") throw new Error(`expected GetResp, got ${JSON.stringify(msg.body)}`);
  const param = path.slice(path.lastIndexOf(".") + 1);
  return msg.body.response.getResp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams[param];
}

/** Closes a controller-side session and gives the gateway a moment to see it
 * (R-WS.4 refuses a second session of the same pair while one is open). */
async function closed(peer: WsPeer): Promise<void> {
  peer.socket.close();
  await peer.waitForClose();
  await new Promise((r) => setTimeout(r, 100));
}

const isOpenPeerOf = (eid: string) => (p: WsPeer): boolean => p.eid === eid && p.closeCode === undefined;

t.test("R-WS.5 R-WS.10b R-MTP.6 each agent opens its own session with ?eid= and sends WebSocketConnect first", async (t) => {
  for (const device of fleet.cpes) {
    const eid = `os::${OUI}-${device.serial}`;
    const peer = await controller.waitForPeer(isOpenPeerOf(eid));
    t.equal(peer.socket.protocol, "v1.usp", "R-WS.9 subprotocol v1.usp");
    const first = await peer.waitFor(() => true);
    t.same(first.record.recordType, { type: "websocketConnect" });
    t.equal(first.record.fromId, eid);
    t.equal(first.record.toId, wsControllerId);
    t.equal(first.record.version, "1.4");
  }
  t.equal(controller.peers.filter((p) => p.eid === agentId).length, 1, "R-WS.4 one session per agent and controller");
});

t.test("R-WS.14 R-WS.4 a Get over WebSocket reaches the CPE and the reply comes back on the same session", async (t) => {
  const peer = await controller.waitForPeer(isOpenPeerOf(agentId));
  const msg = await peer.request(agentId, { type: "get", get: { paramPaths: ["Device.DeviceInfo.SoftwareVersion"], maxDepth: 0 } });
  t.equal(msg.header.msgType, "GET_RESP");
  t.equal(getRespValue(msg, "Device.DeviceInfo.SoftwareVersion"), readParameter(cpe, "Device.DeviceInfo.SoftwareVersion"));
  const other = controller.peers.find((p) => p.eid !== agentId);
  t.notOk(other?.received.some((r) => r.msg !== undefined), "nothing on another agent's session");
});

t.test("R-WS.16 a text frame closes the session with 1003; the agent reconnects and keeps serving", async (t) => {
  const peer = await controller.waitForPeer(isOpenPeerOf(agentId));
  peer.sendRaw("this is not a USP Record", false);
  t.equal(await peer.waitForClose(), 1003);
  const again = await controller.waitForPeer((p) => p !== peer && isOpenPeerOf(agentId)(p));
  await again.waitFor((r) => r.record.recordType.type === "websocketConnect");
  const msg = await again.request(agentId, { type: "get", get: { paramPaths: ["Device.DeviceInfo.Manufacturer"], maxDepth: 0 } });
  t.equal(getRespValue(msg, "Device.DeviceInfo.Manufacturer"), readParameter(cpe, "Device.DeviceInfo.Manufacturer"));
});

t.test("R-WS.16 a binary frame that is no USP Record closes the session with 1003", async (t) => {
  const peer = await controller.waitForPeer(isOpenPeerOf(agentId));
  peer.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]), true);
  t.equal(await peer.waitForClose(), 1003);
  await controller.waitForPeer((p) => p !== peer && isOpenPeerOf(agentId)(p));
});

t.test("R-WS.12 no session when the server does not echo v1.usp; the agent keeps retrying", async (t) => {
  const deadline = Date.now() + 5000;
  while (muted.handshakes < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.ok(muted.handshakes >= 4, `retried (${muted.handshakes} handshakes)`);
  t.ok(muted.peers.every((p) => p.received.length === 0), "no Record was sent on a session without v1.usp");
});

t.test("R-WS.6 a controller opens a session to an agent on the gateway's server", async (t) => {
  const url = `${gw.gateway.websocketUrl}/${encodeURIComponent(agentId)}?eid=${encodeURIComponent(acceptControllerId)}`;
  const { peer } = await connectToGateway(url, acceptControllerId);
  const first = await peer.waitFor(() => true);
  t.same(first.record.recordType, { type: "websocketConnect" }, "R-MTP.6 WebSocketConnect record first");
  t.equal(first.record.fromId, agentId);
  t.equal(first.record.toId, acceptControllerId);
  const msg = await peer.request(agentId, { type: "get", get: { paramPaths: ["Device.DeviceInfo.SerialNumber"], maxDepth: 0 } });
  t.equal(getRespValue(msg, "Device.DeviceInfo.SerialNumber"), cpe.serial, "the reply comes back on the controller's own session");
  await closed(peer);
});

t.test("R-WS.11a the deprecated bbf-usp-protocol extension is answered with the agent's eid", async (t) => {
  const url = `${gw.gateway.websocketUrl}/${encodeURIComponent(agentId)}`;
  const { peer, extensions } = await connectToGateway(url, acceptControllerId, {
    headers: { "Sec-WebSocket-Extensions": `bbf-usp-protocol; eid="${acceptControllerId}"` },
  });
  t.equal(extensions, `bbf-usp-protocol; eid="${agentId}"`);
  const first = await peer.waitFor(() => true);
  t.equal(first.record.toId, acceptControllerId, "the controller's eid came from the extension");
  await closed(peer);
});

t.test("a controller that names itself only in its first Record is served", async (t) => {
  const { peer } = await connectToGateway(`${gw.gateway.websocketUrl}/${encodeURIComponent(agentId)}`, acceptControllerId);
  const msg = await peer.request(agentId, { type: "getSupportedProtocol", getSupportedProtocol: { controllerSupportedProtocolVersions: "1.4" } });
  t.equal(msg.header.msgType, "GET_SUPPORTED_PROTO_RESP");
  t.same(peer.received[0]?.record.recordType, { type: "websocketConnect" }, "WebSocketConnect before the reply");
  await closed(peer);
});

t.test("R-WS.12a R-WS.4 the gateway's server refuses bad handshakes", async (t) => {
  const base = gw.gateway.websocketUrl;
  await t.rejects(connectToGateway(`${base}/${encodeURIComponent(agentId)}`, acceptControllerId, { protocols: ["chat"] }), /HTTP 400/, "no v1.usp");
  await t.rejects(connectToGateway(`${base}/os::NOPE-0`, acceptControllerId), /HTTP 404/, "unknown agent");
  await t.rejects(connectToGateway(`${base}/${encodeURIComponent(agentId)}?eid=proto::stranger`, "proto::stranger"), /HTTP 403/, "not a configured controller");
  await t.rejects(connectToGateway(`${base}/${encodeURIComponent(agentId)}?eid=${encodeURIComponent(wsControllerId)}`, wsControllerId), /HTTP 409/, "the pair already has a session (R-WS.4)");
});

t.test("R-MTP.7 at shutdown every session gets a DisconnectRecord, then Close 1001", async (t) => {
  const peer = await controller.waitForPeer(isOpenPeerOf(agentId));
  await gw.stop();
  const last = await peer.waitFor((r) => r.record.recordType.type === "disconnect");
  t.equal(last.record.fromId, agentId);
  t.equal(last.record.toId, wsControllerId);
  t.equal(await peer.waitForClose(), 1001);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(controller.peers.filter((p) => p.eid === agentId && p.closeCode === undefined).length, 0, "no reconnect after stop");
});
