// USP Record and Msg decoding (TR-369 1.4). Results are values and nothing
// throws past this module: the caller decides between answering and dropping
// per R-MTP.5 (bad Record) or answering 7004/7001 (bad Msg, R-ENC.5).
import type { Msg, RecordType, UspRecord } from "./messages.js";
import { msgTypeForBody, plainToBody } from "./msg-decode.js";
import { PlainShapeError, bytes, bytesList, enumName, oneof, str, sub, isPlain, num } from "./msg-plain.js";
import { HeaderProto, MsgProto, RecordProto, decodePlain, peekField, type Plain } from "./proto.js";

export { msgTypeForBody } from "./msg-decode.js";

/** Default bound on an inbound Record, checked before any parsing. The spec
 * leaves the limit to the Agent (LocalAgent.Controller.{i}.E2ESession
 * .MaxUSPRecordSize); 4 MiB comfortably fits a large GetSupportedDMResp. */
export const DEFAULT_MAX_RECORD_BYTES = 4 * 1024 * 1024;

export type DecodeRecordResult = { ok: true; record: UspRecord } | { ok: false; error: string };
export type DecodeMsgResult = { ok: true; msg: Msg } | { ok: false; error: string; msgId?: string };

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sizeProblem(input: unknown, maxBytes: number, what: string): string | null {
  if (!(input instanceof Uint8Array)) return `${what}: input is not a byte array`;
  if (input.length === 0) return `${what}: empty input`;
  if (input.length > maxBytes) return `${what}: ${input.length} bytes exceeds the ${maxBytes}-byte limit`;
  return null;
}

function recordType(p: Plain): RecordType {
  // R-ENC.3: exactly one record_type. "More than one" is caught in
  // decodePlain; "none" is caught by oneof().
  const which = oneof(p, "recordType");
  const r = sub(p, which);
  switch (which) {
    case "noSessionContext":
      return { type: "noSessionContext", payload: bytes(r, "payload") };
    case "sessionContext":
      return {
        type: "sessionContext",
        sessionId: str(r, "sessionId"),
        sequenceId: str(r, "sequenceId"),
        expectedId: str(r, "expectedId"),
        payloads: bytesList(r, "payload"),
      };
    case "websocketConnect":
      return { type: "websocketConnect" };
    case "mqttConnect":
      return {
        type: "mqttConnect",
        version: enumName(r, "version", ["V3_1_1", "V5"] as const),
        subscribedTopic: str(r, "subscribedTopic"),
      };
    case "stompConnect":
      return {
        type: "stompConnect",
        version: enumName(r, "version", ["V1_2"] as const),
        subscribedDestination: str(r, "subscribedDestination"),
      };
    case "disconnect":
      return { type: "disconnect", reason: str(r, "reason"), reasonCode: num(r, "reasonCode") };
    case "udsConnect":
      return { type: "udsConnect" };
  }
  throw new PlainShapeError(`Record: unexpected record_type ${which}`);
}

/** Decodes a usp_record.Record. Size is bounded before parsing (default
 * DEFAULT_MAX_RECORD_BYTES). mac_signature and sender_cert are not carried
 * into UspRecord; uint64 session fields become decimal strings. */
export function decodeRecord(bytesIn: Uint8Array, opts?: { maxBytes?: number }): DecodeRecordResult {
  const problem = sizeProblem(bytesIn, opts?.maxBytes ?? DEFAULT_MAX_RECORD_BYTES, "Record");
  if (problem) return { ok: false, error: problem };
  try {
    const p = decodePlain(RecordProto, bytesIn);
    return {
      ok: true,
      record: {
        version: str(p, "version"),
        toId: str(p, "toId"),
        fromId: str(p, "fromId"),
        // R-ENC.2: an unknown enum value makes the Record invalid.
        payloadSecurity: enumName(p, "payloadSecurity", ["PLAINTEXT", "TLS12"] as const),
        recordType: recordType(p),
      },
    };
  } catch (e) {
    return { ok: false, error: `Record could not be parsed: ${describe(e)}` };
  }
}

function msgIdOf(header: unknown): string | undefined {
  if (!isPlain(header)) return undefined;
  const id = header["msgId"];
  return typeof id === "string" && id !== "" ? id : undefined;
}

/** Decodes a usp.Msg. On failure, msgId is set whenever a non-empty msg_id
 * could be read, so the caller can answer with an Error (R-MTP.5, R-MSG.9).
 * The returned header's msgType is derived from the body (R-MSG.10). */
export function decodeMsg(bytesIn: Uint8Array, opts?: { maxBytes?: number }): DecodeMsgResult {
  const problem = sizeProblem(bytesIn, opts?.maxBytes ?? DEFAULT_MAX_RECORD_BYTES, "Msg");
  if (problem) return { ok: false, error: problem };
  let plain: Plain;
  try {
    plain = decodePlain(MsgProto, bytesIn);
  } catch (e) {
    const msgId = msgIdOf(peekField(HeaderProto, bytesIn, 1));
    const error = `Msg could not be parsed: ${describe(e)}`;
    return msgId === undefined ? { ok: false, error } : { ok: false, error, msgId };
  }
  const msgId = msgIdOf(plain["header"]);
  if (msgId === undefined) return { ok: false, error: "Msg has no header or an empty msg_id" };
  if (!isPlain(plain["body"])) return { ok: false, error: "Msg has no body", msgId };
  try {
    const body = plainToBody(plain["body"]);
    return { ok: true, msg: { header: { msgId, msgType: msgTypeForBody(body) }, body } };
  } catch (e) {
    return { ok: false, error: `Msg body is invalid: ${describe(e)}`, msgId };
  }
}
