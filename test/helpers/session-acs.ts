// A minimal ACS for simulator tests, built on the gateway's pure session
// engine (src/cwmp/session.ts): it answers the CPE's own requests
// (TransferComplete, DUStateChangeComplete...) the way the gateway does, then
// sends the scripted ACS requests one at a time and ends with 204.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AcsRequest, CpeRequest, CwmpEnvelope, Inform, RpcOutcome } from "../../src/cwmp/rpc.js";
import { decodeEnvelope } from "../../src/cwmp/soap-decode.js";
import { encodeEnvelope } from "../../src/cwmp/soap-encode.js";
import { receive, sendRequest, startSession, type CwmpSession } from "../../src/cwmp/session.js";

export interface RecordedSession {
  inform: Inform;
  /** CPE→ACS requests after the Inform, in order. */
  cpeRequests: CpeRequest[];
  outcomes: Array<{ request: AcsRequest; outcome: RpcOutcome }>;
  done: boolean;
}

export interface SessionAcs {
  url: string;
  sessions: RecordedSession[];
  /** Resolves with the first finished session matching `pred`. */
  waitFor(pred: (s: RecordedSession) => boolean, timeoutMs?: number): Promise<RecordedSession>;
  close(): Promise<void>;
}

/** `script` picks the ACS requests of a session from its Inform (and the
 * number of sessions seen before). */
export type Script = (inform: Inform, index: number) => AcsRequest[];

export function eventCodes(inform: Inform): string[] {
  return inform.event.map((e) => e.eventCode);
}

interface Live {
  session: CwmpSession;
  record: RecordedSession;
  pending: AcsRequest[];
}

export interface SessionAcsOptions {
  /** Answer this CPE request with HTTP 500 instead (the CPE's session fails). */
  failCpeRequest?: (request: CpeRequest) => boolean;
}

interface AcsState {
  script: Script;
  options: SessionAcsOptions;
  sessions: RecordedSession[];
  live: Map<string, Live>;
  counter: number;
}

function reply(res: http.ServerResponse, envelope: CwmpEnvelope, cookie?: string): void {
  const headers: http.OutgoingHttpHeaders = { "Content-Type": 'text/xml; charset="utf-8"' };
  if (cookie !== undefined) headers["Set-Cookie"] = `session=${cookie}; Path=/`;
  res.writeHead(200, headers).end(encodeEnvelope(envelope));
}

/** The next scripted ACS request, or 204 when there is none (TR-069 §3.7.1.4). */
function nextRequest(state: AcsState, res: http.ServerResponse, l: Live): void {
  const request = l.pending.shift();
  if (request === undefined) {
    l.record.done = true;
    state.live.delete(l.session.id);
    res.writeHead(204).end();
    return;
  }
  const sent = sendRequest(l.session, request, Date.now());
  l.session = sent.session;
  reply(res, sent.envelope);
}

function onInform(state: AcsState, res: http.ServerResponse, envelope: CwmpEnvelope, inform: Inform): void {
  const id = `s${++state.counter}`;
  const started = startSession({ sessionId: id, endpointId: "test", envelope, inform, now: Date.now() });
  const record: RecordedSession = { inform, cpeRequests: [], outcomes: [], done: false };
  const l: Live = { session: started.session, record, pending: state.script(inform, state.sessions.length) };
  state.sessions.push(record);
  state.live.set(id, l);
  reply(res, started.envelope, id);
}

function onPost(state: AcsState, req: http.IncomingMessage, res: http.ServerResponse, text: string): void {
  const decoded = text === "" ? undefined : decodeEnvelope(text);
  if (decoded !== undefined && !decoded.ok) return void res.writeHead(400).end();
  if (decoded?.envelope.body.method === "Inform") return onInform(state, res, decoded.envelope, decoded.envelope.body);
  const l = state.live.get(/session=(\w+)/.exec(req.headers.cookie ?? "")?.[1] ?? "");
  if (l === undefined) return void res.writeHead(400).end("no session");
  const step = receive(l.session, decoded === undefined ? { kind: "empty" } : { kind: "envelope", envelope: decoded.envelope }, Date.now());
  l.session = step.session;
  switch (step.kind) {
    case "reply":
      if (step.cpeRequest !== null && state.options.failCpeRequest?.(step.cpeRequest) === true) {
        state.live.delete(l.session.id);
        l.record.done = true;
        return void res.writeHead(500).end();
      }
      if (step.cpeRequest !== null) l.record.cpeRequests.push(step.cpeRequest);
      return reply(res, step.envelope);
    case "rpcOutcome":
      l.record.outcomes.push({ request: step.request, outcome: step.outcome });
      return nextRequest(state, res, l);
    case "acsTurn":
      return nextRequest(state, res, l);
    case "badState":
      state.live.delete(l.session.id);
      return void res.writeHead(400).end(step.message);
  }
}

export async function startSessionAcs(script: Script = () => [], options: SessionAcsOptions = {}): Promise<SessionAcs> {
  const state: AcsState = { script, options, sessions: [], live: new Map(), counter: 0 };
  const sessions = state.sessions;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => onPost(state, req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/acs`,
    sessions,
    async waitFor(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = sessions.find((s) => s.done && pred(s));
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for an ACS session (${sessions.length} seen)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
