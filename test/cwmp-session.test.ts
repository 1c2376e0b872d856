// The pure CWMP session engine: every transition of TR-069 §3.7.1 and the
// tolerated deviations, without sockets.
import t from "tap";
import type { CpeRequest, CwmpBody, CwmpEnvelope, Inform } from "../src/cwmp/rpc.js";
import { close, negotiateVersion, receive, sendRequest, startSession, type CwmpSession } from "../src/cwmp/session.js";

const NS = "urn:dslforum-org:cwmp-1-2";
const inform: Inform = {
  method: "Inform",
  deviceId: { manufacturer: "Acme", oui: "00256D", productClass: "GW", serialNumber: "SN1" },
  event: [{ eventCode: "1 BOOT", commandKey: "" }],
  maxEnvelopes: 1,
  currentTime: "2026-11-24T00:00:00Z",
  retryCount: 0,
  parameterList: [],
};
const informEnvelope: CwmpEnvelope = { cwmpNamespace: NS, header: { id: "inform-7" }, body: inform };

function opened(): CwmpSession {
  return startSession({ sessionId: "abcdef0123456789", endpointId: "os::00256D-SN1", envelope: informEnvelope, inform, now: 1000 }).session;
}

t.test("TR-069 §3.7.1 Inform opens a session answered by InformResponse in the CPE's namespace", async (t) => {
  const { session, envelope } = startSession({ sessionId: "s1", endpointId: "e", envelope: informEnvelope, inform, now: 5 });
  t.same(envelope, { cwmpNamespace: NS, header: { id: "inform-7" }, body: { method: "InformResponse", maxEnvelopes: 1 } });
  t.same(session.state, { phase: "cpeTurn" });
  t.equal(session.cwmpNamespace, NS, "replies echo the CPE's namespace (freeacs#222)");
  t.equal(session.startedAt, 5);
});

t.test("CWMP 1.4 SupportedCWMPVersions gets UseCWMPVersion with the highest common version", async (t) => {
  const env: CwmpEnvelope = { ...informEnvelope, header: { id: "1", supportedCwmpVersions: "1.0,1.2,1.3" } };
  const { envelope, session } = startSession({ sessionId: "s", endpointId: "e", envelope: env, inform, now: 0 });
  t.equal(envelope.header.useCwmpVersion, "1.3");
  t.equal(session.useCwmpVersion, "1.3");
  t.equal(negotiateVersion("1.4, 1.1"), "1.4");
  t.equal(negotiateVersion("2.0"), undefined);
  t.equal(negotiateVersion(undefined), undefined);
});

t.test("TR-069 A.3.1.1 a CPE GetRPCMethods in the CPE turn is answered with the ACS methods", async (t) => {
  const step = receive(opened(), { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "g1" }, body: { method: "GetRPCMethods" } } }, 2000);
  t.equal(step.kind, "reply");
  if (step.kind !== "reply") return;
  t.same(step.envelope.body, { method: "GetRPCMethodsResponse", methodList: [
      "Inform",
      "GetRPCMethods",
      "TransferComplete",
      "AutonomousTransferComplete",
      "DUStateChangeComplete",
      "AutonomousDUStateChangeComplete",
      "RequestDownload",
      "Kicked",
    ],
  });
  t.equal(step.envelope.header.id, "g1", "the response echoes the request ID");
  t.equal(step.session.lastActivityAt, 2000);
});

t.test("TR-069 A.3.3.2 TransferComplete is acknowledged and handed to the caller", async (t) => {
  const body = { method: "TransferComplete" as const, commandKey: "k", faultStruct: { faultCode: 0, faultString: "" }, startTime: "", completeTime: "" };
  const step = receive(opened(), { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "t" }, body } }, 0);
  t.equal(step.kind, "reply");
  if (step.kind !== "reply") return;
  t.same(step.envelope.body, { method: "TransferCompleteResponse" });
  t.same(step.cpeRequest, body);
});

t.test("an unknown CPE method gets ACS fault 8000", async (t) => {
  const step = receive(opened(), { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "k" }, body: { method: "Unknown", name: "X_ACME_Hello" } } }, 0);
  t.equal(step.kind, "reply");
  if (step.kind !== "reply" || step.envelope.body.method !== "Fault") return t.fail("expected a fault");
  t.equal(step.envelope.body.fault.faultCode, 8000);
  t.match(step.envelope.body.fault.faultString, /X_ACME_Hello/);
});

t.test("TR-069 §3.7.1.4 the empty POST hands the turn to the ACS", async (t) => {
  const step = receive(opened(), { kind: "empty" }, 0);
  t.equal(step.kind, "acsTurn");
});

t.test("an ACS request is numbered and the response matched to it", async (t) => {
  const sent = sendRequest(opened(), { method: "GetParameterValues", parameterNames: ["Device.DeviceInfo.UpTime"] }, 3000);
  t.same(sent.session.state, { phase: "awaitingResponse", requestId: "abcdef01-1", request: { method: "GetParameterValues", parameterNames: ["Device.DeviceInfo.UpTime"] } });
  t.equal(sent.envelope.header.id, "abcdef01-1");
  t.equal(sent.envelope.cwmpNamespace, NS);
  const response = { method: "GetParameterValuesResponse" as const, parameterList: [{ name: "Device.DeviceInfo.UpTime", value: "5", type: "xsd:unsignedInt" }] };
  const step = receive(sent.session, { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "abcdef01-1" }, body: response } }, 3100);
  t.equal(step.kind, "rpcOutcome");
  if (step.kind !== "rpcOutcome") return;
  t.same(step.outcome, { ok: true, response });
  t.same(step.warnings, []);
  t.same(step.session.state, { phase: "cpeTurn" });
  const second = sendRequest(step.session, { method: "GetRPCMethods" }, 3200);
  t.equal(second.envelope.header.id, "abcdef01-2", "IDs keep counting within the session");
});

t.test("a CPE fault is an outcome value, not a failure of the session", async (t) => {
  const sent = sendRequest(opened(), { method: "GetParameterValues", parameterNames: ["Device.Nope"] }, 0);
  const fault = { faultCode: 9005, faultString: "Invalid parameter name", setParameterValuesFaults: [] };
  const step = receive(sent.session, { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: sent.envelope.header.id }, body: { method: "Fault", faultcode: "Client", faultstring: "CWMP fault", fault } } }, 0);
  t.equal(step.kind, "rpcOutcome");
  if (step.kind !== "rpcOutcome") return;
  t.same(step.outcome, { ok: false, fault });
});

t.test("quirk: a response with the wrong cwmp:ID is accepted with a warning (genieacs#82)", async (t) => {
  const sent = sendRequest(opened(), { method: "GetRPCMethods" }, 0);
  const step = receive(sent.session, { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "" }, body: { method: "GetRPCMethodsResponse", methodList: [] } } }, 0);
  t.equal(step.kind, "rpcOutcome");
  if (step.kind !== "rpcOutcome") return;
  t.match(step.warnings[0], /does not match/);
});

t.test("out-of-order messages are bad state (netcwmp#5)", async (t) => {
  const cases: [string, CwmpSession, Parameters<typeof receive>[1]][] = [
    ["a response with nothing outstanding", opened(), { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "x" }, body: { method: "GetRPCMethodsResponse", methodList: [] } } }],
    ["a second Inform", opened(), { kind: "envelope", envelope: informEnvelope }],
    ["an empty POST instead of a response", sendRequest(opened(), { method: "GetRPCMethods" }, 0).session, { kind: "empty" }],
    ["the wrong response method", sendRequest(opened(), { method: "GetRPCMethods" }, 0).session, { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "x" }, body: { method: "SetParameterValuesResponse", status: 0 } } }],
    ["anything after close", close(opened()), { kind: "empty" }],
  ];
  for (const [name, session, input] of cases) {
    const step = receive(session, input, 0);
    t.equal(step.kind, "badState", name);
    t.same(step.session.state, { phase: "closed" }, `${name}: session closed`);
  }
});

t.test("a CPE request while a response is awaited is answered and the wait continues", async (t) => {
  const sent = sendRequest(opened(), { method: "GetRPCMethods" }, 0);
  const step = receive(sent.session, { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "c" }, body: { method: "GetRPCMethods" } } }, 0);
  t.equal(step.kind, "reply");
  t.equal(step.session.state.phase, "awaitingResponse");
});

t.test("TR-069 A.3.3.3-A.3.3.7 the other CPE requests get their responses and are handed to the caller", async (t) => {
  const fault = { faultCode: 0, faultString: "" };
  const cases: Array<[CpeRequest, CwmpBody]> = [
    [
      {
        method: "AutonomousTransferComplete",
        announceUrl: "",
        transferUrl: "http://files/fw.bin",
        isDownload: true,
        fileType: "1 Firmware Upgrade Image",
        fileSize: 10,
        targetFileName: "",
        faultStruct: fault,
        startTime: "2026-11-24T00:00:00Z",
        completeTime: "2026-11-24T00:00:05Z",
      },
      { method: "AutonomousTransferCompleteResponse" },
    ],
    [{ method: "DUStateChangeComplete", results: [], commandKey: "du-1" }, { method: "DUStateChangeCompleteResponse" }],
    [{ method: "AutonomousDUStateChangeComplete", results: [] }, { method: "AutonomousDUStateChangeCompleteResponse" }],
    [{ method: "RequestDownload", fileType: "3 Vendor Configuration File", fileTypeArg: [] }, { method: "RequestDownloadResponse" }],
    [{ method: "Kicked", command: "login", referer: "http://lan/", arg: "", next: "http://lan/done" }, { method: "KickedResponse", nextUrl: "http://lan/done" }],
  ];
  for (const [body, response] of cases) {
    const step = receive(opened(), { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "r1" }, body } }, 0);
    if (step.kind !== "reply") {
      t.fail(`${body.method}: ${step.kind}`);
      continue;
    }
    t.same(step.envelope.body, response, body.method);
    t.equal(step.envelope.header.id, "r1");
    t.same(step.cpeRequest, body, `${body.method} exposed as cpeRequest`);
    t.same(step.session.state, { phase: "cpeTurn" });
  }
});

t.test("TR-069 A.3.2.8 a DownloadResponse to an outstanding Download is its outcome; a CPE request in between is answered", async (t) => {
  const download = {
    method: "Download" as const,
    commandKey: "dl-1",
    fileType: "1 Firmware Upgrade Image",
    url: "http://files/fw.bin",
    username: "",
    password: "",
    fileSize: 0,
    targetFileName: "",
    delaySeconds: 0,
    successUrl: "",
    failureUrl: "",
  };
  const sent = sendRequest(opened(), download, 10);
  const id = sent.envelope.header.id;
  const du: CpeRequest = { method: "DUStateChangeComplete", results: [], commandKey: "x" };
  const between = receive(sent.session, { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "c" }, body: du } }, 11);
  t.equal(between.kind, "reply");
  t.same(between.session.state, sent.session.state, "still awaiting the DownloadResponse");
  const response = { method: "DownloadResponse" as const, status: 1, startTime: "0001-01-01T00:00:00Z", completeTime: "0001-01-01T00:00:00Z" };
  const step = receive(between.session, { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id }, body: response } }, 12);
  t.match(step, { kind: "rpcOutcome", request: download, outcome: { ok: true, response }, warnings: [] });
  const spa = sendRequest(opened(), { method: "SetParameterAttributes", parameterList: [] }, 0);
  const wrong = receive(spa.session, { kind: "envelope", envelope: { cwmpNamespace: NS, header: { id: "x" }, body: { method: "ChangeDUStateResponse" } } }, 1);
  t.match(wrong, { kind: "badState", message: /expected SetParameterAttributesResponse, got ChangeDUStateResponse/ });
});
