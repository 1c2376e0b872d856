// TP-469 cases about the message and record layer rather than one data-model
// message: GetSupportedProtocol (1.80), a bad request outside a session
// context (3.1), and the evidence for marking 3.2-3.15 n/a: Session Context
// Records are refused with a DisconnectRecord 7106 (R-E2E.6a).
import t from "tap";
import { encodeMsg } from "../src/usp/encode.js";
import { MsgProto, encodePlain } from "../src/usp/proto.js";
import type { RecordType } from "../src/usp/messages.js";
import { get, getResp, startBench } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPP" });
t.teardown(() => bench.stop());
const { controller, agentId, agentTopic, gw } = bench;

function record(recordType: RecordType): Parameters<typeof controller.sendRecord>[1] {
  return { version: "1.4", toId: agentId, fromId: gw.controllerId, payloadSecurity: "PLAINTEXT", recordType };
}

t.test("TP-469 1.80 GetSupportedProtocol", async (t) => {
  const msg = await bench.ask({ type: "getSupportedProtocol", getSupportedProtocol: { controllerSupportedProtocolVersions: "1.0,1.3,1.4" } });
  t.equal(msg.header.msgType, "GET_SUPPORTED_PROTO_RESP");
  if (msg.body.kind !== "response" || msg.body.response.type !== "getSupportedProtocolResp") return t.fail(JSON.stringify(msg.body));
  const versions = msg.body.response.getSupportedProtocolResp.agentSupportedProtocolVersions;
  t.match(versions, /^\d+\.\d+(,\d+\.\d+)*$/, "a comma-separated list of major.minor versions");
  t.ok(versions.split(",").includes("1.4"), "the Record version the agent sends (1.4) is listed");
});

t.test("TP-469 3.1 Bad request outside a session context", async (t) => {
  // A Msg with a readable msg_id but no body: the agent can name the request,
  // so it answers with an Error (R-MTP.5) instead of dropping it.
  const payload = encodePlain(MsgProto, { header: { msgId: "tp469-3.1-bad", msgType: "GET" } });
  await controller.sendRecord(agentTopic, record({ type: "noSessionContext", payload }));
  const reply = await controller.waitFor((r) => r.msg?.header.msgId === "tp469-3.1-bad");
  t.equal(reply.record.fromId, agentId);
  t.equal(reply.record.toId, gw.controllerId);
  t.equal(reply.record.recordType.type, "noSessionContext", "answered outside a session context too");
  t.equal(reply.msg?.header.msgType, "ERROR");
  if (reply.msg?.body.kind !== "error") return t.fail(JSON.stringify(reply.msg?.body));
  t.ok(reply.msg.body.error.errCode >= 7000 && reply.msg.body.error.errCode <= 7099, `err_code ${reply.msg.body.error.errCode} is a message error`);
  t.equal(reply.msg.body.error.errCode, 7004, "7004 Invalid arguments (R-ENC.5)");
  t.not(reply.msg.body.error.errMsg, "");
  const after = getResp(await bench.ask(get(["Device.DeviceInfo.Manufacturer"])));
  t.equal(after.reqPathResults[0]?.errCode, 0, "the agent keeps serving");
});

t.test("R-E2E.6a a Session Context Record is refused with a DisconnectRecord 7106 (why TP-469 3.2-3.15 are n/a)", async (t) => {
  const payload = encodeMsg({ header: { msgId: "tp469-e2e", msgType: "GET" }, body: { kind: "request", request: get(["Device.DeviceInfo.Manufacturer"]) } });
  await controller.sendRecord(agentTopic, record({ type: "sessionContext", sessionId: "1", sequenceId: "1", expectedId: "1", payloads: [payload] }));
  const reply = await controller.waitFor((r) => r.record.fromId === agentId && r.record.recordType.type === "disconnect");
  t.equal(reply.record.toId, gw.controllerId);
  t.match(reply.record.recordType, { type: "disconnect", reasonCode: 7106 });
  t.equal(controller.countFor("tp469-e2e"), 0, "the request inside is not run");
});
