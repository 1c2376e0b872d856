// Builds the USP Msg that answers a request: same msg_id (R-MSG.9) and the
// response msg_type that matches the body (R-MSG.10 lets the body win, but a
// correct header costs nothing).
import type { Msg, MsgType, Response } from "../usp/messages.js";
import type { UspReply } from "../translate/plan.js";

const RESPONSE_MSG_TYPE: Record<Response["type"], MsgType> = {
  getResp: "GET_RESP",
  getSupportedDmResp: "GET_SUPPORTED_DM_RESP",
  getInstancesResp: "GET_INSTANCES_RESP",
  setResp: "SET_RESP",
  addResp: "ADD_RESP",
  deleteResp: "DELETE_RESP",
  operateResp: "OPERATE_RESP",
  notifyResp: "NOTIFY_RESP",
  getSupportedProtocolResp: "GET_SUPPORTED_PROTO_RESP",
  registerResp: "REGISTER_RESP",
  deregisterResp: "DEREGISTER_RESP",
};

export function replyMsg(msgId: string, reply: UspReply): Msg {
  switch (reply.kind) {
    case "response":
      return { header: { msgId, msgType: RESPONSE_MSG_TYPE[reply.response.type] }, body: { kind: "response", response: reply.response } };
    case "error":
      return { header: { msgId, msgType: "ERROR" }, body: { kind: "error", error: reply.error } };
  }
}

/** USP versions this agent speaks; answered to GetSupportedProtocol. */
export const AGENT_SUPPORTED_PROTOCOL_VERSIONS = "1.0,1.1,1.2,1.3,1.4";

/** The Record version used in a reply: the controller's, when we speak it. */
export function replyRecordVersion(requestVersion: string): string {
  return AGENT_SUPPORTED_PROTOCOL_VERSIONS.split(",").includes(requestVersion) ? requestVersion : "1.4";
}
