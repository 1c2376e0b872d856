// TP-469 section 1, the Get cases: real CPE values through the gateway,
// checked per TR-369 "The Get Message" (reference/usp.md §3): one
// req_path_result per requested path in order, one resolved_path_result per
// object with parameters relative to it, 7026 per path for what does not exist.
import t from "tap";
import type { Cpe } from "../src/sim/cpe.js";
import type { GetRequestedPathResult } from "../src/usp/messages.js";
import { cpeInstances, get, getResp, startBench } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPG" });
t.teardown(() => bench.stop());
const { cpe } = bench;

/** The parameters an object holds itself on the CPE, relative to it (what
 * one resolved_path_result carries). UpTime ticks, so it is left out. */
function ownParams(device: Cpe, objPath: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of device.model.children(objPath)) {
    if (name.endsWith(".") || name.endsWith(".UpTime")) continue;
    out[name.slice(objPath.length)] = device.model.value(name) ?? "";
  }
  return out;
}

function withoutUpTime(result: GetRequestedPathResult | undefined): GetRequestedPathResult | undefined {
  if (result === undefined) return undefined;
  return {
    ...result,
    resolvedPathResults: result.resolvedPathResults.map((r) => {
      const { UpTime: _ignored, ...rest } = r.resultParams;
      return { ...r, resultParams: rest };
    }),
  };
}

async function ask(paths: string[], maxDepth = 0): Promise<GetRequestedPathResult[]> {
  return getResp(await bench.ask(get(paths, maxDepth))).reqPathResults;
}

const ok = (requestedPath: string, resolved: [string, Record<string, string>][]): GetRequestedPathResult => ({
  requestedPath,
  errCode: 0,
  errMsg: "",
  resolvedPathResults: resolved.map(([resolvedPath, resultParams]) => ({ resolvedPath, resultParams })),
});

t.test("TP-469 1.36 Get message with full parameter path", async (t) => {
  t.same(await ask(["Device.DeviceInfo.SoftwareVersion"]), [
    ok("Device.DeviceInfo.SoftwareVersion", [["Device.DeviceInfo.", { SoftwareVersion: "4.2.7-sim" }]]),
  ]);
});

t.test("TP-469 1.37 Get message with multiple full parameter paths, same object", async (t) => {
  t.same(await ask(["Device.DeviceInfo.Manufacturer", "Device.DeviceInfo.SerialNumber"]), [
    ok("Device.DeviceInfo.Manufacturer", [["Device.DeviceInfo.", { Manufacturer: "Simulated Networks" }]]),
    ok("Device.DeviceInfo.SerialNumber", [["Device.DeviceInfo.", { SerialNumber: cpe.serial }]]),
  ]);
});

t.test("TP-469 1.38 Get message with multiple full parameter paths, different objects", async (t) => {
  t.same(await ask(["Device.DeviceInfo.ManufacturerOUI", "Device.WiFi.SSID.2.SSID", "Device.IP.Interface.1.Stats.BytesSent"]), [
    ok("Device.DeviceInfo.ManufacturerOUI", [["Device.DeviceInfo.", { ManufacturerOUI: "00256D" }]]),
    ok("Device.WiFi.SSID.2.SSID", [["Device.WiFi.SSID.2.", { SSID: "SimNet-5G" }]]),
    ok("Device.IP.Interface.1.Stats.BytesSent", [["Device.IP.Interface.1.Stats.", { BytesSent: "123456789" }]]),
  ]);
});

t.test("TP-469 1.39 Get message with object path", async (t) => {
  const [result] = await ask(["Device.DeviceInfo."]);
  t.same(withoutUpTime(result), ok("Device.DeviceInfo.", [
    ["Device.DeviceInfo.", ownParams(cpe, "Device.DeviceInfo.")],
    ["Device.DeviceInfo.FirmwareImage.1.", ownParams(cpe, "Device.DeviceInfo.FirmwareImage.1.")],
    ["Device.DeviceInfo.FirmwareImage.2.", ownParams(cpe, "Device.DeviceInfo.FirmwareImage.2.")],
    ["Device.DeviceInfo.MemoryStatus.", ownParams(cpe, "Device.DeviceInfo.MemoryStatus.")],
    ["Device.DeviceInfo.ProcessStatus.", ownParams(cpe, "Device.DeviceInfo.ProcessStatus.")],
  ]), "one result per object and sub-object, each with its own parameters relative to it");
  t.match(result?.resolvedPathResults[0]?.resultParams.UpTime, /^\d+$/);
});

t.test("TP-469 1.40 Get message with object instance path", async (t) => {
  t.same(await ask(["Device.WiFi.SSID.2."]), [
    ok("Device.WiFi.SSID.2.", [
      ["Device.WiFi.SSID.2.", ownParams(cpe, "Device.WiFi.SSID.2.")],
      ["Device.WiFi.SSID.2.Stats.", ownParams(cpe, "Device.WiFi.SSID.2.Stats.")],
    ]),
  ]);
});

t.test("TP-469 1.41 Get message with invalid parameter", async (t) => {
  const msg = await bench.ask(get(["Device.DeviceInfo.NoSuchParameter"]));
  const results = getResp(msg).reqPathResults;
  t.equal(results.length, 1, "a GetResp, not an Error (R-GET.0)");
  t.equal(results[0]?.requestedPath, "Device.DeviceInfo.NoSuchParameter");
  t.equal(results[0]?.errCode, 7026, "7026 Invalid path");
  t.not(results[0]?.errMsg, "", "err_msg says why");
  t.same(results[0]?.resolvedPathResults, []);
});

t.test("TP-469 1.42 Get message with invalid parameter and valid parameter", async (t) => {
  const [bad, good, ...rest] = await ask(["Device.DeviceInfo.NoSuchParameter", "Device.DeviceInfo.ModelName"]);
  t.equal(bad?.requestedPath, "Device.DeviceInfo.NoSuchParameter");
  t.equal(bad?.errCode, 7026);
  t.same(bad?.resolvedPathResults, []);
  t.same(good, ok("Device.DeviceInfo.ModelName", [["Device.DeviceInfo.", { ModelName: "HGW-2000 Home Gateway" }]]));
  t.same(rest, []);
});

t.test("TP-469 1.43 Get message using unique key addressing", async (t) => {
  t.same(await ask(['Device.IP.Interface.[Name=="br-lan"].Status', 'Device.WiFi.SSID.[Alias=="cpe-ssid-1"].Name']), [
    ok('Device.IP.Interface.[Name=="br-lan"].Status', [["Device.IP.Interface.2.", { Status: "Up" }]]),
    ok('Device.WiFi.SSID.[Alias=="cpe-ssid-1"].Name', [["Device.WiFi.SSID.1.", { Name: "wl0" }]]),
  ], "R-MSG.3 resolved paths carry instance numbers, not keys");
});

t.test("TP-469 1.44 Get message using wildcard search path on full parameter", async (t) => {
  t.same(await ask(["Device.WiFi.SSID.*.SSID"]), [
    ok("Device.WiFi.SSID.*.SSID", [
      ["Device.WiFi.SSID.1.", { SSID: "SimNet" }],
      ["Device.WiFi.SSID.2.", { SSID: "SimNet-5G" }],
    ]),
  ]);
});

t.test("TP-469 1.45 Get message using wildcard search path on object path", async (t) => {
  t.same(await ask(["Device.WiFi.SSID.*."]), [
    ok("Device.WiFi.SSID.*.", [
      ["Device.WiFi.SSID.1.", ownParams(cpe, "Device.WiFi.SSID.1.")],
      ["Device.WiFi.SSID.1.Stats.", ownParams(cpe, "Device.WiFi.SSID.1.Stats.")],
      ["Device.WiFi.SSID.2.", ownParams(cpe, "Device.WiFi.SSID.2.")],
      ["Device.WiFi.SSID.2.Stats.", ownParams(cpe, "Device.WiFi.SSID.2.Stats.")],
    ]),
  ]);
});

// Radio 1 is on channel 6 (2.4GHz), radio 2 on channel 36 (5GHz).
t.test("TP-469 1.46 Get message using search expression search path (equivalence)", async (t) => {
  t.same(await ask(['Device.WiFi.Radio.[OperatingFrequencyBand=="5GHz"].Channel']), [
    ok('Device.WiFi.Radio.[OperatingFrequencyBand=="5GHz"].Channel', [["Device.WiFi.Radio.2.", { Channel: "36" }]]),
  ]);
});

t.test("TP-469 1.47 Get message using search expression search path (non-equivalence)", async (t) => {
  t.same(await ask(['Device.WiFi.Radio.[OperatingFrequencyBand!="5GHz"].Channel']), [
    ok('Device.WiFi.Radio.[OperatingFrequencyBand!="5GHz"].Channel', [["Device.WiFi.Radio.1.", { Channel: "6" }]]),
  ]);
});

t.test("TP-469 1.48 Get message using search expression search path (exclusive greater comparison)", async (t) => {
  t.same(await ask(["Device.WiFi.Radio.[Channel>6].Channel", "Device.WiFi.Radio.[Channel>36].Channel"]), [
    ok("Device.WiFi.Radio.[Channel>6].Channel", [["Device.WiFi.Radio.2.", { Channel: "36" }]]),
    ok("Device.WiFi.Radio.[Channel>36].Channel", []),
  ], "the bound itself is excluded");
});

t.test("TP-469 1.49 Get message using search expression search path (exclusive lesser comparison)", async (t) => {
  t.same(await ask(["Device.WiFi.Radio.[Channel<36].Channel", "Device.WiFi.Radio.[Channel<6].Channel"]), [
    ok("Device.WiFi.Radio.[Channel<36].Channel", [["Device.WiFi.Radio.1.", { Channel: "6" }]]),
    ok("Device.WiFi.Radio.[Channel<6].Channel", []),
  ], "the bound itself is excluded");
});

t.test("TP-469 1.50 Get message using search expression search path (inclusive greater comparison)", async (t) => {
  t.same(await ask(["Device.WiFi.Radio.[Channel>=36].Channel", "Device.WiFi.Radio.[Channel>=6].Channel"]), [
    ok("Device.WiFi.Radio.[Channel>=36].Channel", [["Device.WiFi.Radio.2.", { Channel: "36" }]]),
    ok("Device.WiFi.Radio.[Channel>=6].Channel", [
      ["Device.WiFi.Radio.1.", { Channel: "6" }],
      ["Device.WiFi.Radio.2.", { Channel: "36" }],
    ]),
  ], "the bound itself is included");
});

t.test("TP-469 1.51 Get message using search expression search path (inclusive lesser comparison)", async (t) => {
  t.same(await ask(["Device.WiFi.Radio.[Channel<=6].Channel", "Device.WiFi.Radio.[Channel<=36].Channel"]), [
    ok("Device.WiFi.Radio.[Channel<=6].Channel", [["Device.WiFi.Radio.1.", { Channel: "6" }]]),
    ok("Device.WiFi.Radio.[Channel<=36].Channel", [
      ["Device.WiFi.Radio.1.", { Channel: "6" }],
      ["Device.WiFi.Radio.2.", { Channel: "36" }],
    ]),
  ], "the bound itself is included");
});

t.test("TP-469 1.82 Get message with unmatched search expression", async (t) => {
  t.same(await ask(["Device.WiFi.Radio.[Channel>1000].Channel", 'Device.IP.Interface.[Name=="nowhere"].'], 0), [
    ok("Device.WiFi.Radio.[Channel>1000].Channel", []),
    ok('Device.IP.Interface.[Name=="nowhere"].', []),
  ], "R-GET.1a: success with no resolved paths");
});

t.test("TP-469 1.86 Get message with unresolved instances - using a search path", async (t) => {
  t.same(cpeInstances(cpe, "Device.NAT.PortMapping."), [], "the CPE has no PortMapping rows");
  t.same(await ask(["Device.NAT.PortMapping.*.", "Device.NAT.PortMapping.[Enable==true].ExternalPort"]), [
    ok("Device.NAT.PortMapping.*.", []),
    ok("Device.NAT.PortMapping.[Enable==true].ExternalPort", []),
  ]);
});

t.test("TP-469 1.87 Get message with unresolved instances - using an object path", async (t) => {
  t.same(cpeInstances(cpe, "Device.NAT.PortMapping."), [], "the CPE has no PortMapping rows");
  t.same(await ask(["Device.NAT.PortMapping."]), [ok("Device.NAT.PortMapping.", [])]);
});

t.test("TP-469 1.89 Get message using max_depth", async (t) => {
  const [one] = await ask(["Device.DeviceInfo."], 1);
  t.same(withoutUpTime(one), ok("Device.DeviceInfo.", [["Device.DeviceInfo.", ownParams(cpe, "Device.DeviceInfo.")]]), "max_depth 1: the object's own parameters");
  const [two] = await ask(["Device.DeviceInfo."], 2);
  t.same(
    two?.resolvedPathResults.map((r) => r.resolvedPath),
    ["Device.DeviceInfo.", "Device.DeviceInfo.FirmwareImage.1.", "Device.DeviceInfo.FirmwareImage.2.", "Device.DeviceInfo.MemoryStatus.", "Device.DeviceInfo.ProcessStatus."],
    "max_depth 2: plus the first level of sub-objects (a table's rows among them)",
  );
});
