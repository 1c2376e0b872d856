// The gateway task that reads a Boot!'s ParameterMap (src/agent/notify/
// boot-parameter-map.ts), run against the simulated TR-181 CPE's RPC
// handling (src/sim/data-model.ts) instead of a session: full names,
// wildcards, search expressions, partial paths, gateway-served names, and
// names the CPE does not have; a CPE that cannot take partial-path GPVs; the
// session ending first.
import t from "tap";
import type { AcsRequest, RpcOutcome } from "../src/cwmp/rpc.js";
import { LocalTree } from "../src/agent/local-agent/local-tree.js";
import { bootParameterTask, parameterMap, type BootValues } from "../src/agent/notify/boot-parameter-map.js";
import { createDeviceModel, executeRpc } from "../src/sim/data-model.js";
import { loadProfile } from "../src/sim/profile.js";
import { DEFAULT_PROFILE, type DeviceProfile } from "../src/translate/plan.js";

function cpe(): ReturnType<typeof createDeviceModel> {
  const loaded = loadProfile("tr181-gateway");
  if (!loaded.ok) throw new Error(loaded.error);
  return createDeviceModel(loaded.profile, { serialNumber: "BOOT0001", oui: "A1B2C3" });
}

function served(): LocalTree {
  const tree = new LocalTree("Device.");
  tree.addObject("Device.LocalAgent.");
  tree.addParam("Device.LocalAgent.EndpointID", { type: "xsd:string", writable: false, value: "os::A1B2C3-BOOT0001" });
  return tree;
}

/** Runs the task to its end as a session would; returns the values and every RPC that reached the CPE. */
function run(names: string[], profile: DeviceProfile = DEFAULT_PROFILE): { values: BootValues | undefined; sent: AcsRequest[] } {
  const dm = cpe();
  let values: BootValues | undefined;
  const task = bootParameterTask({ names, profile, served: served(), done: (v) => (values = v), failed: (reason) => t.fail(reason) });
  const sent: AcsRequest[] = [];
  let rpcs = task.next([]);
  for (let round = 0; rpcs !== undefined && rpcs.length > 0 && round < 20; round++) {
    sent.push(...rpcs);
    const outcomes: RpcOutcome[] = rpcs.map((rpc) => executeRpc(dm, rpc));
    rpcs = task.next(outcomes);
  }
  return { values, sent };
}

t.test("full names, wildcards, search expressions and partial paths resolve as a Get's would", async (t) => {
  const names = ["Device.DeviceInfo.SoftwareVersion", "Device.WiFi.SSID.*.SSID", 'Device.WiFi.Radio.[OperatingFrequencyBand=="5GHz"].Channel', "Device.DeviceInfo.MemoryStatus."];
  const { values } = run(names);
  if (values === undefined) return t.fail("never finished");
  const dm = cpe();
  t.same(values.get("Device.DeviceInfo.SoftwareVersion"), { "Device.DeviceInfo.SoftwareVersion": dm.value("Device.DeviceInfo.SoftwareVersion") });
  t.same(values.get("Device.WiFi.SSID.*.SSID"), { "Device.WiFi.SSID.1.SSID": dm.value("Device.WiFi.SSID.1.SSID"), "Device.WiFi.SSID.2.SSID": dm.value("Device.WiFi.SSID.2.SSID") });
  const radio5 = [1, 2].find((i) => dm.value(`Device.WiFi.Radio.${i}.OperatingFrequencyBand`) === "5GHz");
  t.same(values.get(names[2] ?? ""), { [`Device.WiFi.Radio.${radio5}.Channel`]: dm.value(`Device.WiFi.Radio.${radio5}.Channel`) }, "only the 5 GHz radio");
  t.same(values.get("Device.DeviceInfo.MemoryStatus."), { "Device.DeviceInfo.MemoryStatus.Total": "262144", "Device.DeviceInfo.MemoryStatus.Free": "131072" }, "a partial path: every parameter below it");
});

t.test("a gateway-served name is answered from the agent's tree, an unknown one is left out", async (t) => {
  const { values, sent } = run(["Device.LocalAgent.EndpointID", "Device.NoSuchObject.Foo", "Device.DeviceInfo.Manufacturer"]);
  if (values === undefined) return t.fail("never finished");
  t.same(values.get("Device.LocalAgent.EndpointID"), { "Device.LocalAgent.EndpointID": "os::A1B2C3-BOOT0001" });
  t.notOk(values.has("Device.NoSuchObject.Foo"));
  t.same(values.get("Device.DeviceInfo.Manufacturer"), { "Device.DeviceInfo.Manufacturer": "Simulated Networks" });
  t.notOk(
    sent.some((rpc) => JSON.stringify(rpc).includes("Device.LocalAgent.")),
    "nothing under Device.LocalAgent. reached the CPE",
  );
  t.equal(
    parameterMap(["Device.NoSuchObject.Foo", "Device.DeviceInfo.Manufacturer", "Device.LocalAgent.EndpointID"], values),
    '{"Device.DeviceInfo.Manufacturer":"Simulated Networks","Device.LocalAgent.EndpointID":"os::A1B2C3-BOOT0001"}',
    "ParameterMap: a JSON object in row order",
  );
  t.equal(parameterMap([], values), "{}");
});

t.test("a CPE that cannot take partial-path GPVs: names are listed first", async (t) => {
  const { values, sent } = run(["Device.DeviceInfo.MemoryStatus."], { ...DEFAULT_PROFILE, partialPathGpv: false });
  t.same(values?.get("Device.DeviceInfo.MemoryStatus."), { "Device.DeviceInfo.MemoryStatus.Total": "262144", "Device.DeviceInfo.MemoryStatus.Free": "131072" });
  t.ok(sent.some((rpc) => rpc.method === "GetParameterNames"), "a GetParameterNames went first");
  t.notOk(sent.some((rpc) => rpc.method === "GetParameterValues" && rpc.parameterNames.some((n) => n.endsWith("."))), "no partial path in a GetParameterValues");
});

t.test("the session ends before the values are read: failed, with the reason", async (t) => {
  const reasons: string[] = [];
  const task = bootParameterTask({ names: ["Device.DeviceInfo.SoftwareVersion"], profile: DEFAULT_PROFILE, served: served(), done: () => t.fail("not done"), failed: (r) => reasons.push(r) });
  t.ok((task.next([]) ?? []).length > 0, "it asks the CPE");
  task.abandoned?.();
  t.same(reasons, ["the session ended before the BootParameter values were read"]);
});
