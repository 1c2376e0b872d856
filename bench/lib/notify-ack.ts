// The bench's controllers answer every Notify that asks for an answer
// (send_resp: each OnBoardRequest, R-NOT.5/6) with a NotifyResp, as a real
// controller does. Without it each agent retries its OnBoardRequest on the
// R-NOT.2 schedule (5–10 s, 10–20 s, … up to 2,560–5,120 s) for ever, and an
// idle fleet measured that retry traffic instead of idling.
import mqtt, { type MqttClient } from "mqtt";
import { fromDist } from "./dist.js";
import { benchTopics } from "./mqtt.js";

type UspEncode = typeof import("../../src/usp/encode.js");
type UspDecode = typeof import("../../src/usp/decode.js");
type UspRecord = import("../../src/usp/messages.js").UspRecord;

/** Returns a handler for every Record the controller receives; it publishes
 * the NotifyResp to the agent's topic when the Record is a Notify with send_resp. */
export async function notifyAcknowledger(client: MqttClient, runId: string): Promise<(record: UspRecord) => void> {
  const { noSessionRecord } = await fromDist<UspEncode>("usp/encode.js");
  const { decodeMsg } = await fromDist<UspDecode>("usp/decode.js");
  const topics = benchTopics(runId);
  return (record) => {
    if (record.recordType.type !== "noSessionContext") return;
    const decoded = decodeMsg(record.recordType.payload);
    if (!decoded.ok || decoded.msg.body.kind !== "request" || decoded.msg.body.request.type !== "notify") return;
    const notify = decoded.msg.body.request.notify;
    if (!notify.sendResp) return;
    const bytes = noSessionRecord({
      toId: record.fromId,
      fromId: topics.controllerId,
      msg: { header: { msgId: decoded.msg.header.msgId, msgType: "NOTIFY_RESP" }, body: { kind: "response", response: { type: "notifyResp", notifyResp: { subscriptionId: notify.subscriptionId } } } },
    });
    void client.publishAsync(topics.agentTopic.replace("{endpointId}", record.fromId), Buffer.from(bytes), { qos: 1 }).catch(() => undefined);
  };
}

/** A controller that does nothing but acknowledge, for scenarios that have
 * no controller of their own (session/): their agents' OnBoardRequests would
 * otherwise be retried during the timed phase. */
export async function acknowledgingController(mqttUrl: string, runId: string, version: 4 | 5): Promise<{ close: () => Promise<void> }> {
  const { decodeRecord } = await fromDist<UspDecode>("usp/decode.js");
  const client = await mqtt.connectAsync(mqttUrl, { clientId: `cwmp2usp-bench-ack-${runId}`, protocolVersion: version, reconnectPeriod: 0 });
  const topic = benchTopics(runId).controllerTopic;
  // Over 3.1.1 the records come on the /reply-to= level below the topic.
  await client.subscribeAsync([topic, `${topic}/+`], { qos: 1 });
  const acknowledge = await notifyAcknowledger(client, runId);
  client.on("message", (_topic, payload) => {
    const r = decodeRecord(new Uint8Array(payload));
    if (r.ok) acknowledge(r.record);
  });
  return { close: () => client.endAsync() };
}
