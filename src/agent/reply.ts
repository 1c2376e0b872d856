// Builds the USP Msg that answers a request: same msg_id (R-MSG.9) and the
// msg_type that matches the body (R-MSG.10 lets the body win, but a correct
// header costs nothing).
import { msgTypeForBody } from "../usp/decode.js";
import type { Body, Msg } from "../usp/messages.js";
import type { UspReply } from "../translate/plan.js";

export function replyMsg(msgId: string, reply: UspReply): Msg {
  const body: Body = reply.kind === "response" ? { kind: "response", response: reply.response } : { kind: "error", error: reply.error };
  return { header: { msgId, msgType: msgTypeForBody(body) }, body };
}

/** USP versions this agent speaks; answered to GetSupportedProtocol. */
export const AGENT_SUPPORTED_PROTOCOL_VERSIONS = "1.0,1.1,1.2,1.3,1.4";

/** The Record version used in a reply: the controller's, when we speak it. */
export function replyRecordVersion(requestVersion: string): string {
  return AGENT_SUPPORTED_PROTOCOL_VERSIONS.split(",").includes(requestVersion) ? requestVersion : "1.4";
}
