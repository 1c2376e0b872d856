// TP-469 section 7, the WebSocket MTP (TR-369 "WebSocket Binding",
// reference/usp.md §4.3): each virtual agent connects to the controller's
// WebSocket server (agent as client, R-WS.5) and accepts sessions on the
// gateway's own server (agent as server, R-WS.6).
import WebSocket from "ws";
import t from "tap";
import { noSessionRecord } from "../src/usp/encode.js";
import { uniquePrefix } from "./helpers/broker.js";
import { WsControllerServer, connectToGateway, type WsPeer } from "./helpers/ws-controller.js";
import { get, getResp, sleep, startBench } from "./tp469/harness.js";

const prefix = uniquePrefix();
const clientSideId = `proto::tpws-${prefix}`;
const serverSideId = `proto::tpwsacc-${prefix}`;
const WS_PATH = "/usp/agent";
const server = await WsControllerServer.listen({ controllerId: clientSideId });
// R-WS.19 with m = 1 s, k = 2000: the first retry waits 1-2 s.
const bench = await startBench({
  serialPrefix: "TPW",
  gatewayOverrides: {
    controllers: [
      { endpointId: clientSideId, websocket: { url: server.url, retryMinimumWaitSeconds: 1, retryIntervalMultiplier: 2000, keepAliveSeconds: 1 } },
      { endpointId: serverSideId, websocket: {} },
    ],
    websocket: { enabled: true, host: "127.0.0.1", port: 0, path: WS_PATH },
  },
});
t.teardown(async () => {
  await bench.stop();
  await server.close();
});
const { agentId } = bench;
/** R-WS.2: each agent is the resource <path>/<its endpoint id>. */
const gatewayUrl = (): string => `${bench.gw.gateway.websocketUrl}/${encodeURIComponent(agentId)}`;

const openPeer = (p: WsPeer): boolean => p.eid === agentId && p.closeCode === undefined;

/** A session a controller opens on the gateway's server for the agent. */
async function accept(): Promise<{ peer: WsPeer; extensions: string | undefined }> {
  const session = await connectToGateway(`${gatewayUrl()}?eid=${encodeURIComponent(serverSideId)}`, serverSideId);
  t.teardown(() => session.peer.socket.terminate());
  return session;
}

t.test("TP-469 7.1 Session Establishment", async (t) => {
  const peer = await server.waitForPeer(openPeer);
  t.equal(peer.socket.protocol, "v1.usp", "R-WS.9/R-WS.11 the v1.usp subprotocol was agreed");
  t.equal(peer.eid, agentId, "R-WS.10b the agent named itself with ?eid=");
  const reply = await peer.request(agentId, get(["Device.DeviceInfo.SerialNumber"]));
  t.equal(reply.header.msgType, "GET_RESP", "a request on the session is answered on it");
  t.equal(getResp(reply).reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SerialNumber, bench.cpe.serial);
});

t.test("TP-469 7.2 Use of only one session", async (t) => {
  await server.waitForPeer(openPeer);
  await sleep(300);
  t.equal(server.peers.filter(openPeer).length, 1, "R-WS.4 one session between the agent and the controller");
  await t.rejects(
    connectToGateway(`${gatewayUrl()}?eid=${encodeURIComponent(clientSideId)}`, clientSideId),
    /HTTP 409/,
    "a second session of the same pair, opened from the controller's side, is refused",
  );
  t.equal(server.peers.filter(openPeer).length, 1, "and the first one stays");
});

t.test("TP-469 7.3 Agent session acceptance from Controller", async (t) => {
  const { peer } = await accept();
  t.equal(peer.socket.protocol, "v1.usp", "R-WS.11 the agent echoes v1.usp");
  const reply = await peer.request(agentId, get(["Device.DeviceInfo.Manufacturer"]));
  t.equal(getResp(reply).reqPathResults[0]?.resolvedPathResults[0]?.resultParams.Manufacturer, "Simulated Networks", "answered on the accepted session");
  peer.socket.close(1000);
  await peer.waitForClose();
});

t.test("TP-469 7.4 Closing a WebSocket Connection", async (t) => {
  const { peer } = await accept();
  await peer.request(agentId, get(["Device.DeviceInfo.ModelName"]));
  const startedAt = Date.now();
  peer.socket.close(1000, "done");
  const code = await peer.waitForClose(5000);
  t.equal(code, 1000, "the agent answered the Close frame (RFC 6455 §5.5.1), so the close was clean");
  t.ok(Date.now() - startedAt < 5000);
  const again = await accept();
  t.equal((await again.peer.request(agentId, get(["Device.DeviceInfo.ModelName"]))).header.msgType, "GET_RESP", "a new session can be opened afterwards");
  again.peer.socket.close(1000);
  await again.peer.waitForClose();
});

t.test("TP-469 7.6 Error Handling - Unprocessed Records", async (t) => {
  const { peer } = await accept();
  peer.sendRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), true);
  t.equal(await peer.waitForClose(5000), 1003, "R-WS.16 a frame that is no USP Record closes the session with 1003");
  const after = await accept();
  t.equal((await after.peer.request(agentId, get(["Device.DeviceInfo.ModelName"]))).header.msgType, "GET_RESP", "the agent keeps serving");
  after.peer.socket.close(1000);
  await after.peer.waitForClose();
});

t.test("TP-469 7.7 Use of Ping and Pong frames", async (t) => {
  const peer = await server.waitForPeer(openPeer);
  const pinged = new Promise<void>((resolve) => peer.socket.once("ping", () => resolve()));
  await Promise.race([pinged, sleep(3000).then(() => Promise.reject(new Error("no Ping within 3 s")))]);
  t.pass("R-WS.17 the agent pings (keepAliveSeconds 1)");
  const ponged = new Promise<Buffer>((resolve) => peer.socket.once("pong", (data: Buffer) => resolve(data)));
  peer.socket.ping(Buffer.from("tp469-7.7"));
  const data = await Promise.race([ponged, sleep(3000).then(() => Promise.reject(new Error("no Pong within 3 s")))]);
  t.equal(data.toString(), "tp469-7.7", "R-WS.18 it answers a Ping with a Pong carrying the same data");
});

t.test("TP-469 7.8 WebSocket Session Retry", async (t) => {
  const peer = await server.waitForPeer(openPeer);
  const closedAt = Date.now();
  peer.socket.close(1001, "going away");
  await peer.waitForClose();
  const next = await server.waitForPeer((p) => p !== peer && openPeer(p), 10_000);
  const waited = (Date.now() - closedAt) / 1000;
  t.ok(waited >= 0.9 && waited <= 3, `R-WS.19 retried after ${waited.toFixed(2)} s: the first wait is 1-2 s (m = 1 s, k = 2000)`);
  const first = await next.waitFor(() => true);
  t.equal(first.record.recordType.type, "websocketConnect", "the new session starts with a WebSocketConnect record");
  t.equal((await next.request(agentId, get(["Device.DeviceInfo.ModelName"]))).header.msgType, "GET_RESP");
});

t.test("TP-469 7.10 WebSocket - Use of Connect Record", async (t) => {
  const peer = await server.waitForPeer(openPeer);
  const first = peer.received[0];
  t.same(first?.record.recordType, { type: "websocketConnect" }, "R-MTP.6 the first Record on the agent's session");
  t.equal(first?.record.fromId, agentId);
  t.equal(first?.record.toId, clientSideId);
  t.equal(first?.record.version, "1.4");
  const { peer: accepted } = await accept();
  const firstAccepted = await accepted.waitFor(() => true);
  t.same(firstAccepted.record.recordType, { type: "websocketConnect" }, "also first on a session the controller opened");
  t.equal(firstAccepted.record.toId, serverSideId);
  accepted.socket.close(1000);
  await accepted.waitForClose();
});

t.test("TP-469 7.11 Websocket response does not include bbf-usp-protocol", async (t) => {
  const { peer, extensions } = await accept();
  t.notOk((extensions ?? "").includes("bbf-usp-protocol"), "no bbf-usp-protocol extension in the handshake response when the controller sent none");
  peer.socket.close(1000);
  await peer.waitForClose();
});

t.test("TP-469 7.12 Agent can process USP Records within fragmented Websocket messages", async (t) => {
  const { peer } = await accept();
  const msgId = "tp469-7.12";
  const bytes = Buffer.from(noSessionRecord({ toId: agentId, fromId: serverSideId, msg: { header: { msgId, msgType: "GET" }, body: { kind: "request", request: get(["Device.DeviceInfo.HardwareVersion"]) } } }));
  const cut = Math.floor(bytes.length / 3);
  const send = (part: Buffer, fin: boolean): Promise<void> => new Promise((resolve, reject) => peer.socket.send(part, { binary: true, fin }, (err) => (err ? reject(err) : resolve())));
  await send(bytes.subarray(0, cut), false);
  await send(bytes.subarray(cut, 2 * cut), false);
  await send(bytes.subarray(2 * cut), true);
  const reply = await peer.waitFor((r) => r.msg?.header.msgId === msgId);
  t.equal(reply.msg?.header.msgType, "GET_RESP", "R-WS.14b a Record in three fragments is processed");
  t.equal(peer.socket.readyState, WebSocket.OPEN);
  peer.socket.close(1000);
  await peer.waitForClose();
});
