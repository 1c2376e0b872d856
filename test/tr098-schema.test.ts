// The generated TR-098 schema (mappings/tr098-schema.json) read back through
// src/translate/tr098/schema.ts: facts checked against the BBF XML
// tr-098-1-8-0-full.xml (InternetGatewayDevice:1.14). Its drift check runs
// with the TR-181 one in schema.test.ts.
import { readFileSync } from "node:fs";
import t from "tap";
import { TR098_TARGET } from "../scripts/generate-schema.js";
import { TR181 } from "../src/translate/schema.js";
import { TR098 } from "../src/translate/tr098/schema.js";

const WAN_IP = "InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnection.{i}.";
const WLAN = "InternetGatewayDevice.LANDevice.{i}.WLANConfiguration.{i}.";

function obj(path: string): NonNullable<ReturnType<typeof TR098.object>> {
  const o = TR098.object(path);
  if (o === undefined) throw new Error(`${path} is not in the TR-098 schema`);
  return o;
}

t.test("header: InternetGatewayDevice:1.14 from tr-098-1-8-0-full.xml", async (t) => {
  const raw = JSON.parse(readFileSync(TR098_TARGET.schemaFile, "utf8")) as Record<string, unknown>;
  t.equal(raw.generatedBy, "scripts/generate-schema.ts");
  t.equal(raw.source, "tr-098-1-8-0-full.xml");
  t.match(raw.sha256, /^[0-9a-f]{64}$/);
  t.equal(TR098.model, "InternetGatewayDevice:1.14");
  t.equal(TR098.spec, "urn:broadband-forum-org:tr-098-1-8-0");
  t.not(TR098.sha256, TR181.sha256, "a schema of its own, not the TR-181 one");
});

t.test("every object and parameter of the model (XML: 192 objects, 1800 parameters, no commands or events)", async (t) => {
  const all = TR098.subtree("InternetGatewayDevice.");
  t.equal(all.length, 192);
  t.equal(all.reduce((n, o) => n + o.params.length, 0), 1800, "parameters");
  t.equal(all.reduce((n, o) => n + o.commands.length + o.events.length, 0), 0, "TR-098 has no USP commands or events");
  t.equal(TR098.object("Device."), undefined, "no TR-181 object leaks in");
  t.equal(TR181.object("InternetGatewayDevice."), undefined, "and no TR-098 object into TR-181");
});

t.test("WANIPConnection.{i}.PortMapping.{i}. is a table the ACS may add to, keyed by RemoteHost+ExternalPort+PortMappingProtocol and Alias", async (t) => {
  const pm = obj(`${WAN_IP}PortMapping.{i}.`);
  t.equal(pm.isMultiInstance, true);
  t.equal(pm.access, "OBJ_ADD_DELETE", "access readWrite");
  t.same(pm.uniqueKeys, [["RemoteHost", "ExternalPort", "PortMappingProtocol"], ["Alias"]]);
  t.same(pm.paramsByName.get("PortMappingProtocol"), {
    name: "PortMappingProtocol",
    valueType: "PARAM_STRING",
    xsdType: "xsd:string",
    access: "readWrite",
    notifyCanDeny: false,
    secured: false,
  });
  t.same(pm.paramsByName.get("PortMappingEnabled")?.xsdType, "xsd:boolean");
  t.same(pm.paramsByName.get("ExternalPort")?.xsdType, "xsd:unsignedInt");
  t.same(pm.paramsByName.get("PortMappingLeaseDuration")?.notifyCanDeny, true, "activeNotify canDeny");
  t.same(pm.paramsByName.get("Alias"), {
    name: "Alias",
    valueType: "PARAM_STRING",
    xsdType: "xsd:string",
    access: "readWrite",
    notifyCanDeny: true,
    secured: false,
  }, "dataType ref=\"Alias\" resolves through _AliasCWMP to string; readWrite in CWMP");
  t.same(
    TR098.childObjects(WAN_IP).map((o) => o.path),
    [`${WAN_IP}DHCPClient.`, `${WAN_IP}PortMapping.{i}.`, `${WAN_IP}Stats.`],
    "a table row is the child of the object holding the table",
  );
});

t.test("LANDevice.{i}.WLANConfiguration.{i}. is a read-only table; KeyPassphrase is hidden", async (t) => {
  const wlan = obj(WLAN);
  t.equal(wlan.isMultiInstance, true);
  t.equal(wlan.access, "OBJ_READ_ONLY");
  t.same(wlan.uniqueKeys, [["BSSID"], ["SSID"], ["Alias"]]);
  t.equal(wlan.paramsByName.get("SSID")?.access, "readWrite");
  t.equal(wlan.paramsByName.get("Channel")?.valueType, "PARAM_UNSIGNED_INT");
  t.equal(wlan.paramsByName.get("Enable")?.valueType, "PARAM_BOOLEAN");
  t.equal(wlan.paramsByName.get("BSSID")?.access, "readOnly", "dataType MACAddress resolves to a read-only string");
  t.equal(wlan.paramsByName.get("KeyPassphrase")?.secured, true, "syntax hidden=\"true\" reads as empty");
  t.equal(obj(`${WLAN}PreSharedKey.{i}.`).access, "OBJ_READ_ONLY");
  t.equal(obj(`${WLAN}WEPKey.{i}.`).paramsByName.get("WEPKey")?.secured, true);
});

t.test("IPPingDiagnostics: DiagnosticsState is a readWrite string, results are read-only counters", async (t) => {
  const ping = obj("InternetGatewayDevice.IPPingDiagnostics.");
  t.equal(ping.isMultiInstance, false);
  t.same(ping.params.map((p) => p.name), [
    "DiagnosticsState",
    "Interface",
    "Host",
    "NumberOfRepetitions",
    "Timeout",
    "DataBlockSize",
    "DSCP",
    "SuccessCount",
    "FailureCount",
    "AverageResponseTime",
    "MaximumResponseTime",
    "MinimumResponseTime",
  ]);
  t.equal(ping.paramsByName.get("DiagnosticsState")?.access, "readWrite");
  t.equal(ping.paramsByName.get("SuccessCount")?.access, "readOnly");
  t.equal(ping.paramsByName.get("SuccessCount")?.valueType, "PARAM_UNSIGNED_INT");
});

t.test("other objects the TR-098 mapping reads: DeviceInfo, ManagementServer, Time, LANHostConfigManagement, Hosts", async (t) => {
  t.equal(obj("InternetGatewayDevice.DeviceInfo.").paramsByName.get("UpTime")?.valueType, "PARAM_UNSIGNED_INT");
  t.equal(obj("InternetGatewayDevice.DeviceInfo.").paramsByName.get("SoftwareVersion")?.access, "readOnly");
  t.equal(obj("InternetGatewayDevice.ManagementServer.").paramsByName.get("PeriodicInformEnable")?.access, "readWrite");
  t.equal(obj("InternetGatewayDevice.ManagementServer.").paramsByName.get("Password")?.secured, true);
  t.equal(obj("InternetGatewayDevice.Time.").paramsByName.get("CurrentLocalTime")?.valueType, "PARAM_DATE_TIME");
  t.equal(obj("InternetGatewayDevice.LANDevice.{i}.LANHostConfigManagement.").paramsByName.get("DHCPServerEnable")?.valueType, "PARAM_BOOLEAN");
  t.equal(obj("InternetGatewayDevice.LANDevice.{i}.Hosts.Host.{i}.").access, "OBJ_READ_ONLY");
  t.equal(obj("InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.").access, "OBJ_ADD_DELETE");
  t.equal(obj("InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.WANPPPConnection.{i}.").access, "OBJ_ADD_DELETE");
});
