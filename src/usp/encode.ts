// USP Record and Msg encoding (TR-369 1.4), the inverse of decode.ts. Output
// is canonical proto3 (default-valued fields are not written). Encoding a
// value that does not fit messages.ts is a bug, so this module may throw.
import type { Msg, RecordType, UspRecord } from "./messages.js";
import { msgToPlain } from "./msg-encode.js";
import { MsgProto, RecordProto, encodePlain, type Plain } from "./proto.js";

function recordTypePlain(r: RecordType): Plain {
  switch (r.type) {
    case "noSessionContext":
      return { noSessionContext: { payload: r.payload } };
    case "sessionContext":
      return {
        sessionContext: { sessionId: r.sessionId, sequenceId: r.sequenceId, expectedId: r.expectedId, payload: r.payloads },
      };
    case "websocketConnect":
      return { websocketConnect: {} };
    case "mqttConnect":
      return { mqttConnect: { version: r.version, subscribedTopic: r.subscribedTopic } };
    case "stompConnect":
      return { stompConnect: { version: r.version, subscribedDestination: r.subscribedDestination } };
    case "disconnect":
      return { disconnect: { reason: r.reason, reasonCode: r.reasonCode } };
    case "udsConnect":
      return { udsConnect: {} };
  }
}

export function encodeRecord(record: UspRecord): Uint8Array {
  return encodePlain(RecordProto, {
    version: record.version,
    toId: record.toId,
    fromId: record.fromId,
    payloadSecurity: record.payloadSecurity,
    ...recordTypePlain(record.recordType),
  });
}

export function encodeMsg(msg: Msg): Uint8Array {
  return encodePlain(MsgProto, msgToPlain(msg));
}

/** A plaintext NoSessionContext Record carrying one Msg. */
export function noSessionRecord(args: { toId: string; fromId: string; msg: Msg; version?: string }): Uint8Array {
  return encodeRecord({
    version: args.version ?? "1.4",
    toId: args.toId,
    fromId: args.fromId,
    payloadSecurity: "PLAINTEXT",
    recordType: { type: "noSessionContext", payload: encodeMsg(args.msg) },
  });
}

/** The MQTTConnectRecord an Agent sends after connecting (R-MTP.6), naming
 * the topic it can be reached on. Record version is "1.4". */
export function mqttConnectRecord(args: {
  toId: string;
  fromId: string;
  version: "V3_1_1" | "V5";
  subscribedTopic: string;
}): Uint8Array {
  return encodeRecord({
    version: "1.4",
    toId: args.toId,
    fromId: args.fromId,
    payloadSecurity: "PLAINTEXT",
    recordType: { type: "mqttConnect", version: args.version, subscribedTopic: args.subscribedTopic },
  });
}
