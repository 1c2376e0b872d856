import t from "tap";
import type { CwmpFault, SetParameterValues } from "../src/cwmp/rpc.js";
import {
  addObject,
  createDeviceModel,
  deleteObject,
  executeRpc,
  factoryReset,
  getParameterNames,
  getParameterValues,
  getRPCMethods,
  isCwmpFault,
  reboot,
  setParameterValues,
  type DeviceModel,
} from "../src/sim/data-model.js";
import { compileProfile, loadProfile, withQuirks, type CompiledProfile, type Quirks } from "../src/sim/profile.js";

function profile(quirks: Partial<Quirks> = {}): CompiledProfile {
  const loaded = loadProfile("tr181-gateway");
  if (!loaded.ok) throw new Error(loaded.error);
  return withQuirks(loaded.profile, quirks);
}

function device(quirks: Partial<Quirks> = {}, clock?: () => number): DeviceModel {
  return createDeviceModel(profile(quirks), { serialNumber: "SIM0001", oui: "A1B2C3" }, {}, clock);
}

function asFault(value: object): CwmpFault {
  if (!isCwmpFault(value)) throw new Error(`expected a fault, got ${JSON.stringify(value)}`);
  return value;
}

function gpn(dm: DeviceModel, parameterPath: string, nextLevel: boolean) {
  return getParameterNames(dm, { method: "GetParameterNames", parameterPath, nextLevel });
}

function gpv(dm: DeviceModel, ...parameterNames: string[]) {
  return getParameterValues(dm, { method: "GetParameterValues", parameterNames });
}

function spv(dm: DeviceModel, list: Array<[string, string]>, parameterKey = "key-1") {
  const req: SetParameterValues = {
    method: "SetParameterValues",
    parameterList: list.map(([name, value]) => ({ name, value, type: "xsd:string" })),
    parameterKey,
  };
  return setParameterValues(dm, req);
}

function valueOf(dm: DeviceModel, name: string): string | undefined {
  const res = gpv(dm, name);
  return isCwmpFault(res) ? undefined : res.parameterList[0]?.value;
}

t.test("profile: tr181-gateway compiles to a realistic tree", async (t) => {
  const p = profile();
  const params = [...p.tree.nodes.values()].filter((n) => n.kind === "param").length;
  t.ok(params >= 150 && params <= 600, `${params} parameters`);
  t.equal(p.root, "Device.");
  t.ok(p.tree.nodes.has("Device.NAT.PortMapping."), "empty table exists");
  t.equal(p.tree.children("Device.NAT.PortMapping.")?.length, 0);
  t.same(compileProfile({ id: "x" }).ok, false, "invalid profile is an error value");
});

t.test("identity fields follow the device's DeviceId", async (t) => {
  const dm = device();
  t.equal(valueOf(dm, "Device.DeviceInfo.SerialNumber"), "SIM0001");
  t.equal(valueOf(dm, "Device.DeviceInfo.ManufacturerOUI"), "A1B2C3");
  t.same(dm.deviceId(), {
    manufacturer: "Simulated Networks",
    oui: "A1B2C3",
    productClass: "HGW-2000",
    serialNumber: "SIM0001",
  });
  const other = createDeviceModel(dm.profile, { serialNumber: "SIM0002" });
  t.equal(valueOf(other, "Device.DeviceInfo.SerialNumber"), "SIM0002", "devices share the profile, not values");
});

t.test("TR-069 A.3.2.3 GetParameterNames", async (t) => {
  const dm = device();
  t.test("ParameterPath \"\" with NextLevel=true gives the root object", async (t) => {
    t.same(gpn(dm, "", true), { method: "GetParameterNamesResponse", parameterList: [{ name: "Device.", writable: false }] });
  });
  t.test("ParameterPath \"\" with NextLevel=false gives the whole tree, root first", async (t) => {
    const res = gpn(dm, "", false);
    if (isCwmpFault(res)) return t.fail("fault");
    t.equal(res.parameterList[0]?.name, "Device.");
    t.equal(res.parameterList.length, dm.profile.tree.nodes.size);
  });
  t.test("NextLevel=true on an object lists only its direct children, objects with a trailing dot", async (t) => {
    const res = gpn(dm, "Device.WiFi.", true);
    if (isCwmpFault(res)) return t.fail("fault");
    const names = res.parameterList.map((p) => p.name);
    t.ok(names.includes("Device.WiFi.Radio."));
    t.ok(names.includes("Device.WiFi.RadioNumberOfEntries"));
    t.notOk(names.includes("Device.WiFi.Radio.1."), "no grandchildren");
    t.notOk(names.includes("Device.WiFi."), "not the object itself");
    t.ok(names.every((n) => n.startsWith("Device.WiFi.") && !n.slice("Device.WiFi.".length, -1).includes(".")));
  });
  t.test("NextLevel=false on an object gives the object and its whole subtree", async (t) => {
    const res = gpn(dm, "Device.WiFi.Radio.1.", false);
    if (isCwmpFault(res)) return t.fail("fault");
    t.equal(res.parameterList[0]?.name, "Device.WiFi.Radio.1.");
    t.ok(res.parameterList.some((p) => p.name === "Device.WiFi.Radio.1.Channel" && p.writable));
    t.ok(res.parameterList.every((p) => p.name.startsWith("Device.WiFi.Radio.1.")));
  });
  t.test("a full parameter name with NextLevel=false gives that parameter", async (t) => {
    t.same(gpn(dm, "Device.DeviceInfo.UpTime", false), {
      method: "GetParameterNamesResponse",
      parameterList: [{ name: "Device.DeviceInfo.UpTime", writable: false }],
    });
  });
  t.test("a full parameter name with NextLevel=true is 9003", async (t) => {
    t.equal(asFault(gpn(dm, "Device.DeviceInfo.UpTime", true)).faultCode, 9003);
  });
  t.test("unknown paths are 9005, including objects without the trailing dot", async (t) => {
    t.equal(asFault(gpn(dm, "Device.Nope.", true)).faultCode, 9005);
    t.equal(asFault(gpn(dm, "Device.DeviceInfo", false)).faultCode, 9005);
    t.equal(asFault(gpn(dm, "Device.DeviceInfo.UpTime.", false)).faultCode, 9005);
  });
  t.test("object Writable means AddObject (table) / DeleteObject (instance) is allowed", async (t) => {
    const res = gpn(dm, "Device.NAT.", true);
    if (isCwmpFault(res)) return t.fail("fault");
    t.same(res.parameterList.find((p) => p.name === "Device.NAT.PortMapping."), { name: "Device.NAT.PortMapping.", writable: true });
    t.same(res.parameterList.find((p) => p.name === "Device.NAT.InterfaceSetting."), { name: "Device.NAT.InterfaceSetting.", writable: false });
  });
  t.test("quirk: rootGpn=false rejects ParameterPath \"\" (genieacs#74)", async (t) => {
    t.equal(asFault(gpn(device({ rootGpn: false }), "", true)).faultCode, 9005);
  });
});

t.test("TR-069 A.3.2.2 GetParameterValues", async (t) => {
  const dm = device();
  t.test("full names carry their xsd type", async (t) => {
    t.same(gpv(dm, "Device.WiFi.Radio.1.Channel", "Device.WiFi.Radio.1.Enable"), {
      method: "GetParameterValuesResponse",
      parameterList: [
        { name: "Device.WiFi.Radio.1.Channel", value: "6", type: "xsd:unsignedInt" },
        { name: "Device.WiFi.Radio.1.Enable", value: "true", type: "xsd:boolean" },
      ],
    });
  });
  t.test("a partial path returns every parameter below it", async (t) => {
    const res = gpv(dm, "Device.DeviceInfo.");
    if (isCwmpFault(res)) return t.fail("fault");
    t.ok(res.parameterList.length > 10);
    t.ok(res.parameterList.every((p) => p.name.startsWith("Device.DeviceInfo.") && !p.name.endsWith(".")));
  });
  t.test("one unknown name fails the whole call with 9005", async (t) => {
    t.equal(asFault(gpv(dm, "Device.DeviceInfo.UpTime", "Device.DeviceInfo.Bogus")).faultCode, 9005);
  });
  t.test("passwords read back empty (TR-181 hidden values)", async (t) => {
    t.equal(valueOf(dm, "Device.WiFi.AccessPoint.1.Security.KeyPassphrase"), "");
    t.equal(dm.value("Device.WiFi.AccessPoint.1.Security.KeyPassphrase"), "simulated-passphrase");
  });
  t.test("UpTime counts from boot", async (t) => {
    let now = 1_000_000;
    const clocked = device({}, () => now);
    now += 42_500;
    t.equal(valueOf(clocked, "Device.DeviceInfo.UpTime"), "42");
  });
  t.test("quirk: partialPathGpv=false answers a partial path with 9005", async (t) => {
    const picky = device({ partialPathGpv: false });
    t.equal(asFault(gpv(picky, "Device.DeviceInfo.")).faultCode, 9005);
    t.notOk(isCwmpFault(gpv(picky, "Device.DeviceInfo.UpTime")));
  });
  t.test("quirk: booleanLiteral=1 reports booleans as 1/0 (genieacs#228)", async (t) => {
    t.equal(valueOf(device({ booleanLiteral: "1" }), "Device.WiFi.Radio.1.Enable"), "1");
  });
});

t.test("TR-069 A.3.2.1 SetParameterValues", async (t) => {
  t.test("success applies every value, sets ParameterKey, Status 0", async (t) => {
    const dm = device();
    t.same(spv(dm, [["Device.WiFi.Radio.1.Channel", "11"], ["Device.WiFi.SSID.1.SSID", "Home"]], "pk-7"), {
      method: "SetParameterValuesResponse",
      status: 0,
    });
    t.equal(valueOf(dm, "Device.WiFi.Radio.1.Channel"), "11");
    t.equal(valueOf(dm, "Device.WiFi.SSID.1.SSID"), "Home");
    t.equal(valueOf(dm, "Device.ManagementServer.ParameterKey"), "pk-7");
  });
  t.test("SetParameterValues is atomic: one bad parameter and nothing is applied", async (t) => {
    const dm = device();
    const fault = asFault(spv(dm, [["Device.WiFi.Radio.1.Channel", "11"], ["Device.WiFi.Radio.1.Bogus", "1"]], "pk-8"));
    t.equal(fault.faultCode, 9003);
    t.equal(fault.faultString, "Invalid arguments");
    t.same(fault.setParameterValuesFaults, [
      { parameterName: "Device.WiFi.Radio.1.Bogus", faultCode: 9005, faultString: "Invalid parameter name" },
    ]);
    t.equal(valueOf(dm, "Device.WiFi.Radio.1.Channel"), "6", "good value not applied");
    t.equal(valueOf(dm, "Device.ManagementServer.ParameterKey"), "", "ParameterKey unchanged on failure");
  });
  t.test("one SetParameterValuesFault per bad parameter: 9005, 9008, 9006, 9007", async (t) => {
    const dm = device();
    const fault = asFault(
      spv(dm, [
        ["Device.Nope", "x"],
        ["Device.DeviceInfo.SerialNumber", "X"],
        ["Device.WiFi.Radio.1.Enable", "yes"],
        ["Device.WiFi.Radio.1.OperatingFrequencyBand", "6GHz"],
        ["Device.WiFi.SSID.1.SSID", "ok"],
      ]),
    );
    t.same(
      fault.setParameterValuesFaults.map((f) => [f.parameterName, f.faultCode]),
      [
        ["Device.Nope", 9005],
        ["Device.DeviceInfo.SerialNumber", 9008],
        ["Device.WiFi.Radio.1.Enable", 9006],
        ["Device.WiFi.Radio.1.OperatingFrequencyBand", 9007],
      ],
    );
    t.equal(valueOf(dm, "Device.WiFi.SSID.1.SSID"), "SimNet");
  });
  t.test("an object name is 9005 and the same name twice is 9003", async (t) => {
    const dm = device();
    const fault = asFault(spv(dm, [["Device.WiFi.", "x"], ["Device.WiFi.SSID.1.SSID", "a"], ["Device.WiFi.SSID.1.SSID", "b"]]));
    t.same(fault.setParameterValuesFaults.map((f) => f.faultCode), [9005, 9003]);
  });
  t.test("booleans accept true/false/1/0 in any case and are stored canonically", async (t) => {
    const dm = device();
    for (const [raw, expected] of [["FALSE", "false"], ["1", "true"], ["0", "false"], ["True", "true"]] as const) {
      t.notOk(isCwmpFault(spv(dm, [["Device.WiFi.Radio.1.Enable", raw]])), raw);
      t.equal(valueOf(dm, "Device.WiFi.Radio.1.Enable"), expected);
    }
  });
  t.test("integers: not a number or outside the type is 9006, outside the profile range is 9007", async (t) => {
    const dm = device();
    const code = (name: string, value: string) => asFault(spv(dm, [[name, value]])).setParameterValuesFaults[0]?.faultCode;
    t.equal(code("Device.WiFi.Radio.1.Channel", "six"), 9006);
    t.equal(code("Device.WiFi.Radio.1.Channel", "-1"), 9006, "unsignedInt cannot be negative");
    t.equal(code("Device.WiFi.Radio.1.Channel", "4294967296"), 9006, "beyond unsignedInt");
    t.equal(code("Device.WiFi.Radio.1.Channel", "256"), 9007, "beyond the parameter's range 1..255");
    t.equal(code("Device.WiFi.Radio.1.TransmitPower", "-2"), 9007);
    t.equal(code("Device.WiFi.Radio.1.TransmitPower", "2147483648"), 9006, "beyond int");
    t.notOk(isCwmpFault(spv(dm, [["Device.WiFi.Radio.1.TransmitPower", "-1"]])));
  });
  t.test("dateTime must be xsd:dateTime; strings respect their maximum length", async (t) => {
    const dm = device();
    const code = (name: string, value: string) => asFault(spv(dm, [[name, value]])).setParameterValuesFaults[0]?.faultCode;
    t.equal(code("Device.ManagementServer.PeriodicInformTime", "yesterday"), 9006);
    t.equal(code("Device.ManagementServer.PeriodicInformTime", "2024-13-01T00:00:00Z"), 9006);
    t.notOk(isCwmpFault(spv(dm, [["Device.ManagementServer.PeriodicInformTime", "2025-06-01T12:00:00Z"]])));
    t.equal(code("Device.WiFi.SSID.1.SSID", "x".repeat(33)), 9007);
  });
  t.test("quirk: strictBooleanLiteral rejects the other literal with 9007 (genieacs#228)", async (t) => {
    const dm = device({ booleanLiteral: "1", strictBooleanLiteral: true });
    t.equal(asFault(spv(dm, [["Device.WiFi.Radio.1.Enable", "false"]])).setParameterValuesFaults[0]?.faultCode, 9007);
    t.notOk(isCwmpFault(spv(dm, [["Device.WiFi.Radio.1.Enable", "0"]])));
    t.equal(valueOf(dm, "Device.WiFi.Radio.1.Enable"), "0");
  });
});

t.test("TR-069 A.3.2.6 AddObject", async (t) => {
  t.test("creates the next instance with the profile's defaults", async (t) => {
    const dm = device();
    t.same(addObject(dm, { method: "AddObject", objectName: "Device.NAT.PortMapping.", parameterKey: "add-1" }), {
      method: "AddObjectResponse",
      instanceNumber: 1,
      status: 0,
    });
    t.same(gpv(dm, "Device.NAT.PortMapping.1.Protocol", "Device.NAT.PortMapping.1.Enable", "Device.NAT.PortMappingNumberOfEntries"), {
      method: "GetParameterValuesResponse",
      parameterList: [
        { name: "Device.NAT.PortMapping.1.Protocol", value: "TCP", type: "xsd:string" },
        { name: "Device.NAT.PortMapping.1.Enable", value: "false", type: "xsd:boolean" },
        { name: "Device.NAT.PortMappingNumberOfEntries", value: "1", type: "xsd:unsignedInt" },
      ],
    });
    t.equal(valueOf(dm, "Device.ManagementServer.ParameterKey"), "add-1");
    t.equal(valueOf(device(), "Device.NAT.PortMappingNumberOfEntries"), "0", "other devices unaffected");
  });
  t.test("AddObject numbering never reuses a deleted instance number", async (t) => {
    const dm = device();
    const add = () => addObject(dm, { method: "AddObject", objectName: "Device.NAT.PortMapping.", parameterKey: "" });
    t.match(add(), { instanceNumber: 1 });
    t.match(add(), { instanceNumber: 2 });
    deleteObject(dm, { method: "DeleteObject", objectName: "Device.NAT.PortMapping.2.", parameterKey: "" });
    t.match(add(), { instanceNumber: 3 });
    const existing = addObject(dm, { method: "AddObject", objectName: "Device.DNS.Client.Server.", parameterKey: "" });
    t.match(existing, { instanceNumber: 3 }, "continues after the profile's instances");
  });
  t.test("nested tables: a new IPv4Address row on an existing interface", async (t) => {
    const dm = device();
    t.match(addObject(dm, { method: "AddObject", objectName: "Device.IP.Interface.1.IPv4Address.", parameterKey: "" }), {
      instanceNumber: 2,
    });
    t.equal(valueOf(dm, "Device.IP.Interface.1.IPv4Address.2.AddressingType"), "Static");
    t.equal(valueOf(dm, "Device.IP.Interface.1.IPv4AddressNumberOfEntries"), "2");
  });
  t.test("unknown or non-table paths are 9005, read-only tables 9003", async (t) => {
    const dm = device();
    const code = (objectName: string) => asFault(addObject(dm, { method: "AddObject", objectName, parameterKey: "" })).faultCode;
    t.equal(code("Device.NAT.Nope."), 9005);
    t.equal(code("Device.NAT.PortMapping"), 9005, "missing trailing dot");
    t.equal(code("Device.DeviceInfo."), 9005, "not a table");
    t.equal(code("Device.WiFi.Radio.1."), 9005, "an instance, not a table");
    t.equal(code("Device.WiFi.Radio."), 9003, "read-only table");
  });
});

t.test("TR-069 A.3.2.7 DeleteObject", async (t) => {
  const dm = device();
  t.same(deleteObject(dm, { method: "DeleteObject", objectName: "Device.DNS.Client.Server.2.", parameterKey: "del-1" }), {
    method: "DeleteObjectResponse",
    status: 0,
  });
  t.equal(asFault(gpn(dm, "Device.DNS.Client.Server.2.", false)).faultCode, 9005, "subtree removed");
  t.equal(asFault(gpv(dm, "Device.DNS.Client.Server.2.DNSServer")).faultCode, 9005);
  t.equal(valueOf(dm, "Device.DNS.Client.ServerNumberOfEntries"), "1");
  t.equal(valueOf(dm, "Device.ManagementServer.ParameterKey"), "del-1");
  const code = (objectName: string) => asFault(deleteObject(dm, { method: "DeleteObject", objectName, parameterKey: "" })).faultCode;
  t.equal(code("Device.DNS.Client.Server.2."), 9005, "already deleted");
  t.equal(code("Device.DNS.Client.Server."), 9005, "a table, not an instance");
  t.equal(code("Device.WiFi.Radio.1."), 9003, "row of a read-only table");
  t.equal(valueOf(device(), "Device.DNS.Client.ServerNumberOfEntries"), "2", "profile tree untouched");
});

t.test("TR-069 A.3.2.8 Reboot and A.4.1.6 FactoryReset are recorded for after the session", async (t) => {
  const dm = device();
  t.same(reboot(dm, { method: "Reboot", commandKey: "rb-1" }), { method: "RebootResponse" });
  t.same(dm.pending.reboot, { commandKey: "rb-1" });
  spv(dm, [["Device.WiFi.SSID.1.SSID", "Changed"]]);
  addObject(dm, { method: "AddObject", objectName: "Device.NAT.PortMapping.", parameterKey: "" });
  t.same(factoryReset(dm), { method: "FactoryResetResponse" });
  t.equal(dm.pending.factoryReset, true);
  dm.factoryReset();
  t.equal(valueOf(dm, "Device.WiFi.SSID.1.SSID"), "SimNet", "values restored");
  t.equal(valueOf(dm, "Device.NAT.PortMappingNumberOfEntries"), "0", "objects restored");
  t.equal(valueOf(dm, "Device.DeviceInfo.SerialNumber"), "SIM0001", "identity kept");
  t.equal(dm.pending.reboot, undefined);
});

t.test("TR-069 A.3.1.1 GetRPCMethods and 9000 for anything else", async (t) => {
  const dm = device();
  t.ok(getRPCMethods().methodList.includes("SetParameterValues"));
  t.same(executeRpc(dm, { method: "GetRPCMethods" }), { ok: true, response: getRPCMethods() });
  const unknown = executeRpc(dm, { method: "Unknown", name: "ScheduleInform" });
  t.match(unknown, { ok: false, fault: { faultCode: 9000, faultString: "Method not supported" } });
  t.match(executeRpc(dm, { method: "InformResponse", maxEnvelopes: 1 }), { ok: false, fault: { faultCode: 9000 } });
  t.match(executeRpc(dm, { method: "GetParameterValues", parameterNames: ["Device.X"] }), { ok: false, fault: { faultCode: 9005 } });
});
