// The protocol pieces of a simulated CPE's session (cpe.ts): event codes and
// how events merge (TR-069 §3.7.1.5), the ACS methods it executes, and how it
// reads the ACS's HTTP replies (TR-069 §3.7.1.4).
import type { CpeRequest, CwmpBody, CwmpEnvelope, CwmpFault, EventStruct } from "../cwmp/rpc.js";
import { decodeEnvelope } from "../cwmp/soap-decode.js";
import type { AcsClient, HttpReply } from "./acs-client.js";

export function event(eventCode: string, commandKey = ""): EventStruct {
  return { eventCode, commandKey };
}

export const BOOTSTRAP = "0 BOOTSTRAP";
export const BOOT = "1 BOOT";
export const PERIODIC = "2 PERIODIC";
export const VALUE_CHANGE = "4 VALUE CHANGE";
export const CONNECTION_REQUEST = "6 CONNECTION REQUEST";
/** icwmp resends on 8005 up to 5 times (cwmp.md §4). */
export const MAX_RETRY_REQUEST = 5;
/** Guards against an ACS that never answers 204. */
export const MAX_RPCS_PER_SESSION = 10_000;
export const ACS_REQUESTS = new Set<CwmpBody["method"]>([
  "GetRPCMethods",
  "GetParameterNames",
  "GetParameterValues",
  "SetParameterValues",
  "SetParameterAttributes",
  "GetParameterAttributes",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "FactoryReset",
  "Download",
  "Upload",
  "ScheduleDownload",
  "CancelTransfer",
  "ChangeDUState",
  "ScheduleInform",
  "GetQueuedTransfers",
  "GetAllQueuedTransfers",
  "Unknown",
]);

/** Same event for mergeEvents: single events by code (several CRs before a
 * session are one "6 CONNECTION REQUEST", TR-069 §3.2.2), "M" events by code
 * and CommandKey (two Downloads are two "M Download", TR-069 §3.7.1.5). */
function sameEvent(a: EventStruct, b: EventStruct): boolean {
  return a.eventCode === b.eventCode && (!a.eventCode.startsWith("M ") || a.commandKey === b.commandKey);
}

/** Adds events without duplicates; the newest CommandKey wins. */
export function mergeEvents(into: EventStruct[], add: readonly EventStruct[]): EventStruct[] {
  const out = into.filter((e) => !add.some((a) => sameEvent(a, e)));
  return [...out, ...add];
}

/** A CPE request waiting to be sent after an InformResponse, with the events
 * announcing it; both are re-sent until the ACS answers it (cwmp.md §2.3). */
export interface OutboxEntry {
  request: CpeRequest;
  events: EventStruct[];
}

export function faultBody(fault: CwmpFault): CwmpBody {
  // icwmp marks argument errors Client and the rest Server (cwmp.md §4).
  const client = fault.faultCode === 9000 || fault.faultCode === 9003 || (fault.faultCode >= 9005 && fault.faultCode <= 9008);
  return { method: "Fault", faultcode: client ? "Client" : "Server", faultstring: "CWMP fault", fault };
}

/** A 200 with a SOAP envelope, or why not (4xx/5xx and bad XML fail the
 * session, TR-069 §3.7.1.4). */
export function decodeReply(reply: HttpReply): CwmpEnvelope | string {
  if (reply.status !== 200) return `HTTP ${reply.status}`;
  const decoded = decodeEnvelope(reply.body);
  return decoded.ok ? decoded.envelope : `malformed SOAP from the ACS: ${decoded.error}`;
}

/** POSTs one CPE request and checks the ACS's answer: its Response means
 * done (undefined), 8005 Retry request resends it unchanged, any other fault
 * or reply fails the session (TR-069 §3.7.1.4; cwmp.md §2.2). */
export async function postCpeRequest(client: AcsClient, payload: string, method: string): Promise<string | undefined> {
  for (let attempt = 0; attempt <= MAX_RETRY_REQUEST; attempt++) {
    const posted = await client.post(payload);
    if (!posted.ok) return posted.error;
    const decoded = decodeReply(posted.reply);
    if (typeof decoded === "string") return `${method}: ${decoded}`;
    const body = decoded.body;
    if (body.method === "Fault" && body.fault.faultCode === 8005) continue;
    if (body.method === "Fault") return `${method} fault ${body.fault.faultCode} ${body.fault.faultString}`;
    return body.method === `${method}Response` ? undefined : `expected ${method}Response, got ${body.method}`;
  }
  return `${method}: too many 8005 Retry request faults`;
}
