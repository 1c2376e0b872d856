// IP diagnostics on the simulated CPE (TR-069 Annex N, TR-181
// Device.IP.Diagnostics.*): DiagnosticsState=Requested, results after the
// session, "8 DIAGNOSTICS COMPLETE".
import t from "tap";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AcsRequest, ParameterValue } from "../src/cwmp/rpc.js";
import { createDeviceModel, executeRpc } from "../src/sim/data-model.js";
import { startFleet, type Fleet } from "../src/sim/fleet.js";
import { loadProfile } from "../src/sim/profile.js";
import { eventCodes, startSessionAcs, type RecordedSession, type SessionAcs } from "./helpers/session-acs.js";

const D = "Device.IP.Diagnostics.";

function spv(values: Record<string, string>): AcsRequest {
  const parameterList = Object.entries(values).map(([name, value]) => ({
    name,
    value,
    type: /NumberOf|MaxHop|TestFileLength|Timeout/.test(name) ? "xsd:unsignedInt" : "xsd:string",
  }));
  return { method: "SetParameterValues", parameterList, parameterKey: "" };
}

/** Boot session: `setup`; the 8 DIAGNOSTICS COMPLETE session reads `read` back. */
async function withCpe(t: { teardown(fn: () => unknown): void }, setup: AcsRequest[], read: string[]): Promise<{ acs: SessionAcs; fleet: Fleet }> {
  const acs = await startSessionAcs((inform) => {
    if (eventCodes(inform).includes("0 BOOTSTRAP")) return setup;
    return eventCodes(inform).includes("8 DIAGNOSTICS COMPLETE") ? [{ method: "GetParameterValues", parameterNames: read }] : [];
  });
  const fleet = await startFleet({ acsUrl: acs.url, count: 1, crPort: 0 });
  t.teardown(async () => {
    await fleet.stop();
    await acs.close();
  });
  return { acs, fleet };
}

async function results(acs: SessionAcs): Promise<{ session: RecordedSession; values: Record<string, string> }> {
  const session = await acs.waitFor((s) => eventCodes(s.inform).includes("8 DIAGNOSTICS COMPLETE"));
  return { session, values: valuesOf(session) };
}

t.test("TR-181 IPPing to 127.0.0.1: Complete with plausible figures, announced by 8 DIAGNOSTICS COMPLETE", async (t) => {
  const { acs, fleet } = await withCpe(t, [spv({ [`${D}IPPing.Host`]: "127.0.0.1", [`${D}IPPing.NumberOfRepetitions`]: "4", [`${D}IPPing.DiagnosticsState`]: "Requested" })], [`${D}IPPing.`]);
  await fleet.cpes[0]!.boot();
  const { session, values } = await results(acs);
  t.same(eventCodes(session.inform), ["8 DIAGNOSTICS COMPLETE"]);
  t.match(values, {
    "IPPing.DiagnosticsState": "Complete",
    "IPPing.IPAddressUsed": "127.0.0.1",
    "IPPing.SuccessCount": "4",
    "IPPing.FailureCount": "0",
    "IPPing.AverageResponseTime": "0",
  });
  const detailed = Number(values["IPPing.AverageResponseTimeDetailed"]);
  t.ok(detailed > 0 && detailed < 1000, `loopback RTT ${detailed} µs`);
  t.ok(Number(values["IPPing.MinimumResponseTimeDetailed"]) <= detailed && detailed <= Number(values["IPPing.MaximumResponseTimeDetailed"]));
});

t.test("TR-181 IPPing to an unresolvable host: Error_CannotResolveHostName; to TEST-NET-1 every echo fails", async (t) => {
  const { acs, fleet } = await withCpe(t, [spv({ [`${D}IPPing.Host`]: "no-such-host.invalid", [`${D}IPPing.DiagnosticsState`]: "Requested" })], [`${D}IPPing.DiagnosticsState`]);
  await fleet.cpes[0]!.boot();
  t.same((await results(acs)).values, { "IPPing.DiagnosticsState": "Error_CannotResolveHostName" });
  const lost = await withCpe(t, [spv({ [`${D}IPPing.Host`]: "192.0.2.7", [`${D}IPPing.DiagnosticsState`]: "Requested" })], [`${D}IPPing.`]);
  await lost.fleet.cpes[0]!.boot();
  t.match((await results(lost.acs)).values, { "IPPing.DiagnosticsState": "Complete", "IPPing.SuccessCount": "0", "IPPing.FailureCount": "3" });
});

t.test("TR-181 DiagnosticsState: only Requested/Canceled may be written (9007); other writes reset it to None", async (t) => {
  const loaded = loadProfile("tr181-gateway");
  if (!loaded.ok) throw new Error(loaded.error);
  const dm = createDeviceModel(loaded.profile, { serialNumber: "S1" });
  const bad = executeRpc(dm, spv({ [`${D}IPPing.DiagnosticsState`]: "Complete" }));
  t.match(bad, { ok: false, fault: { faultCode: 9003, setParameterValuesFaults: [{ parameterName: `${D}IPPing.DiagnosticsState`, faultCode: 9007 }] } });
  t.match(executeRpc(dm, spv({ [`${D}IPPing.Host`]: "127.0.0.1", [`${D}IPPing.DiagnosticsState`]: "Requested" })), { ok: true });
  t.same(dm.takeWork(), [{ kind: "diagnostics", object: `${D}IPPing.` }]);
  dm.setValue(`${D}IPPing.DiagnosticsState`, "Complete");
  executeRpc(dm, spv({ [`${D}IPPing.Host`]: "10.0.0.1" }));
  t.equal(dm.value(`${D}IPPing.DiagnosticsState`), "None", "changing a test parameter discards old results");
  executeRpc(dm, spv({ [`${D}TraceRoute.DiagnosticsState`]: "Canceled" }));
  t.equal(dm.value(`${D}TraceRoute.DiagnosticsState`), "None");
  t.same(dm.takeWork(), []);
});

t.test("TR-181 TraceRoute fills RouteHops (renumbered from 1 each run); MaxHopCount too small is Error_MaxHopCountExceeded", async (t) => {
  const request = spv({ [`${D}TraceRoute.Host`]: "8.8.8.8", [`${D}TraceRoute.DiagnosticsState`]: "Requested" });
  const { acs, fleet } = await withCpe(t, [request], [`${D}TraceRoute.`]);
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  const { values } = await results(acs);
  const hops = Number(values["TraceRoute.RouteHopsNumberOfEntries"]);
  t.equal(values["TraceRoute.DiagnosticsState"], "Complete");
  t.ok(hops >= 4 && hops <= 10, `${hops} hops`);
  t.equal(values[`TraceRoute.RouteHops.${hops}.HostAddress`], "8.8.8.8");
  t.match(values["TraceRoute.RouteHops.1.RTTimes"], /^\d+,\d+,\d+$/);
  t.equal(values[`TraceRoute.RouteHops.${hops + 1}.HostAddress`], undefined);
  await cpe.whenIdle();
  const again = await withCpe(t, [spv({ [`${D}TraceRoute.Host`]: "8.8.8.8", [`${D}TraceRoute.MaxHopCount`]: "2", [`${D}TraceRoute.DiagnosticsState`]: "Requested" })], [`${D}TraceRoute.`]);
  await again.fleet.cpes[0]!.boot();
  const limited = (await results(again.acs)).values;
  t.equal(limited["TraceRoute.DiagnosticsState"], "Error_MaxHopCountExceeded");
  t.equal(limited["TraceRoute.RouteHopsNumberOfEntries"], "2");
  t.ok("TraceRoute.RouteHops.1.Host" in limited, "rows start at 1");
});

t.test("TR-181 DownloadDiagnostics and UploadDiagnostics really transfer to a loopback server", async (t) => {
  const seen: Array<{ method: string; bytes: number }> = [];
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on("data", (c: Buffer) => (bytes += c.length));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", bytes });
      res.writeHead(200).end(req.method === "GET" ? Buffer.alloc(5000) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const setup = [
    spv({ [`${D}DownloadDiagnostics.DownloadURL`]: `${base}/test.bin`, [`${D}DownloadDiagnostics.DiagnosticsState`]: "Requested" }),
    spv({ [`${D}UploadDiagnostics.UploadURL`]: `${base}/up`, [`${D}UploadDiagnostics.TestFileLength`]: "1000", [`${D}UploadDiagnostics.DiagnosticsState`]: "Requested" }),
  ];
  const { acs, fleet } = await withCpe(t, setup, [`${D}DownloadDiagnostics.`, `${D}UploadDiagnostics.`]);
  await fleet.cpes[0]!.boot();
  // Each test informs when it is done, so the results may span two sessions.
  const values = await valuesWhen(acs, (v) => v["DownloadDiagnostics.DiagnosticsState"] === "Complete" && v["UploadDiagnostics.DiagnosticsState"] === "Complete");
  t.match(values, {
    "DownloadDiagnostics.DiagnosticsState": "Complete",
    "DownloadDiagnostics.TestBytesReceived": "5000",
    "UploadDiagnostics.DiagnosticsState": "Complete",
    "UploadDiagnostics.TestBytesSent": "1000",
    "DownloadDiagnostics.IPAddressUsed": "127.0.0.1",
  });
  t.match(values["DownloadDiagnostics.ROMTime"], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, "microsecond timestamps");
  t.ok(Date.parse(values["DownloadDiagnostics.EOMTime"] ?? "") >= Date.parse(values["DownloadDiagnostics.BOMTime"] ?? ""));
  t.same(seen, [{ method: "GET", bytes: 0 }, { method: "PUT", bytes: 1000 }]);
});

function valuesOf(session: RecordedSession): Record<string, string> {
  const outcome = session.outcomes[0]?.outcome;
  const list: ParameterValue[] = outcome?.ok && outcome.response.method === "GetParameterValuesResponse" ? outcome.response.parameterList : [];
  return Object.fromEntries(list.map((p) => [p.name.replace(D, ""), p.value]));
}

async function valuesWhen(acs: SessionAcs, pred: (values: Record<string, string>) => boolean): Promise<Record<string, string>> {
  const session = await acs.waitFor((s) => eventCodes(s.inform).includes("8 DIAGNOSTICS COMPLETE") && pred(valuesOf(s)));
  return valuesOf(session);
}
