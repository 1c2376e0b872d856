// Issue 4, "round trips are exact": for every rule of mappings/tr098/rules.yaml
// (the list comes from the rules, not from this file), a synthetic TR-098 CPE
// holding one instance of every object the rules read, built from the TR-098
// schema with a plausible value per type; then, for every TR-181 parameter the
// view offers as writable, a SetParameterValues with a valid TR-181 value goes
// through the RPC mapper, the TR-098 SetParameterValues it produces is checked
// against the TR-098 model (writable there, boolean literal, integer range,
// base64, enumeration, an existing object for references) and applied to the
// snapshot as the bridge does, and the rebuilt view must read the value back
// unchanged. Parameters TR-181 lets a Controller write but the mapping keeps
// read-only are listed with the reason, per rule.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import t, { type Test } from "tap";
import { parse as parseYaml } from "yaml";
import type { AcsRequest, ParameterValue, RpcOutcome } from "../src/cwmp/rpc.js";
import { splitPath } from "../src/translate/device-model.js";
import { TR181, supportedPathOf, type Schema } from "../src/translate/schema.js";
import { templateOf } from "../src/translate/unique-keys.js";
import { findMappingFile, loadRules } from "../src/translate/tr098/mapping.js";
import { mapRpc, type InstanceOps } from "../src/translate/tr098/rpc-map.js";
import { TRANSFORMS } from "../src/translate/tr098/transforms.js";
import type { CompiledRules, ObjectRule } from "../src/translate/tr098/rules.js";
import { TR098 } from "../src/translate/tr098/schema.js";
import { sourceTemplates } from "../src/translate/tr098/validate.js";
import { buildView, sourceName, type Tr098Snapshot, type View } from "../src/translate/tr098/view.js";
import type { InstanceMapState } from "../src/translate/tr098/instance-map.js";

const rules: CompiledRules = loadRules();

// ---- the synthetic TR-098 CPE ---------------------------------------------------

/** TR-098 enumerations (tr-098-1-8-0), by parameter name: the synthetic
 * CPE holds the first value, and every written value must be one of them
 * (each item, for lists). Only parameters the rules read or write. */
const TR098_ENUMS: Readonly<Record<string, readonly string[]>> = {
  BeaconType: ["11i", "None", "Basic", "WPA", "WPAand11i", "BasicandWPA", "Basicand11i", "BasicandWPAand11i"],
  BasicEncryptionModes: ["None", "WEPEncryption"],
  BasicAuthenticationMode: ["None", "EAPAuthentication", "SharedAuthentication", "Both"],
  WPAEncryptionModes: ["TKIPEncryption", "WEPEncryption", "AESEncryption", "WEPandTKIPEncryption", "WEPandAESEncryption", "TKIPandAESEncryption", "WEPandTKIPandAESEncryption"],
  IEEE11iEncryptionModes: ["AESEncryption", "WEPEncryption", "TKIPEncryption", "WEPandTKIPEncryption", "WEPandAESEncryption", "TKIPandAESEncryption", "WEPandTKIPandAESEncryption"],
  WPAAuthenticationMode: ["PSKAuthentication", "EAPAuthentication"],
  IEEE11iAuthenticationMode: ["PSKAuthentication", "EAPAuthentication", "EAPandPSKAuthentication"],
  WEPEncryptionLevel: ["Disabled", "40-bit", "104-bit"],
  Standard: ["g", "a", "b", "g-only", "n"],
  ConnectionStatus: ["Connected", "Unconfigured", "Connecting", "Authenticating", "PendingDisconnect", "Disconnecting", "Disconnected"],
  AddressingType: ["DHCP", "Static"],
  IPInterfaceAddressingType: ["Static", "DHCP", "AutoIP"],
  ConnectionTrigger: ["AlwaysOn", "OnDemand", "Manual"],
  PPPAuthenticationProtocol: ["CHAP", "PAP", "MS-CHAP"],
  PPPEncryptionProtocol: ["MPPE"],
  PPPCompressionProtocol: ["Van Jacobsen", "STAC LZS"],
  PortMappingProtocol: ["TCP", "UDP"],
  DuplexMode: ["Auto", "Half", "Full"],
  MaxBitRate: ["Auto", "10", "100", "1000", "10000"],
  Protocol: ["HTTP", "HTTPS"],
  DiagnosticsState: ["None", "Requested", "Complete", "Error_CannotResolveHostName", "Error_Internal", "Error_Other"],
  InterfaceType: ["Ethernet", "USB", "802.11", "HomePNA", "HomePlug", "Other"],
  AddressSource: ["DHCP", "Static", "AutoIP"],
  ConfigMethodsEnabled: ["PushButton", "USBFlashDrive", "Ethernet", "Label", "Display", "ExternalNFCToken", "IntegratedNFCToken", "NFCInterface", "PIN"],
  ConfigMethodsSupported: ["PushButton", "USBFlashDrive", "Ethernet", "Label", "Display", "ExternalNFCToken", "IntegratedNFCToken", "NFCInterface", "PIN"],
};
/** TR-098 list-valued parameters among the enumerations. */
const TR098_LISTS = new Set(["WEPEncryptionLevel", "ConfigMethodsEnabled", "ConfigMethodsSupported"]);

/** A plausible TR-098 value for a parameter of the synthetic CPE. */
function tr098Sample(object: string, name: string, xsdType: string): string {
  const en = TR098_ENUMS[name];
  // WEPEncryptionLevel: the CPE supports every length; other lists hold two items.
  if (en !== undefined) return TR098_LISTS.has(name) ? en.slice(0, name === "WEPEncryptionLevel" ? 3 : 2).join(",") : (en[0] as string);
  if (name === "Channel") return "6";
  if (name === "TransmitPower") return "100";
  if (name === "DevicePassword") return "12345670";
  if (name === "Tag") return "42";
  if (name === "NTPServer1") return "ntp1.example.net";
  if (/^NTPServer[2-5]$/.test(name)) return "";
  if (name === "Enable" && object.endsWith(".Time.")) return "true";
  if (/Interface$/.test(name) && xsdType === "xsd:string") return "";
  if (name === "RegulatoryDomain") return "US ";
  switch (xsdType) {
    case "xsd:boolean":
      return "true";
    case "xsd:unsignedInt":
    case "xsd:unsignedLong":
    case "xsd:int":
    case "xsd:long":
      return "1";
    case "xsd:dateTime":
      return "2026-01-01T00:00:00Z";
    case "xsd:base64":
      return "AQID";
    case "xsd:hexBinary":
      return "0a0b0c";
    default:
      if (/MACAddress$|^Chaddr$|BSSID$/.test(name)) return "00:11:22:33:44:55";
      if (/IPAddress$|Gateway|SubnetMask$|Mask$|^MinAddress$|^MaxAddress$|DNSServers$|IPRouters$|^Yiaddr$/.test(name)) return "192.168.1.1";
      return `${name.toLowerCase()}-098`;
  }
}

/** "X.{i}.Y.{i}." → "X.1.Y.1.": the one instance the synthetic CPE has of each table. */
const firstInstance = (template: string): string => template.replace(/\{i\}/g, "1");

/** Every concrete object the rules read: their sources, the objects their
 * parameters live in (sub-objects, "../" and absolute sources), and every ancestor. */
function objectsTheRulesUse(): Set<string> {
  const out = new Set<string>();
  const addWithAncestors = (obj: string): void => {
    for (let o = obj; o !== "" && !out.has(o); o = splitPath(o)[0]) out.add(o);
  };
  for (const rule of rules.objects) {
    for (const source of sourceTemplates(rule).map(firstInstance)) {
      addWithAncestors(source);
      for (const spec of rule.params.values()) {
        const srcs = spec.kind === "src" ? [spec.src] : spec.kind === "fn" ? spec.src : [];
        for (const src of srcs) addWithAncestors(splitPath(sourceName(source, src))[0]);
      }
    }
  }
  return out;
}

function syntheticCpe(): Tr098Snapshot {
  const values = new Map<string, { value: string; type: string }>();
  const writable = new Map<string, boolean>();
  for (const obj of objectsTheRulesUse()) {
    const schema = TR098.object(templateOf(obj));
    // A table object ("…PortMapping."): listed by its instance below.
    if (schema === undefined && TR098.object(`${templateOf(obj)}{i}.`) !== undefined) continue;
    if (schema === undefined) throw new Error(`${obj} is not in the TR-098 schema`);
    writable.set(obj, false);
    // A table the ACS may add to is listed writable by GPN.
    if (schema.isMultiInstance) writable.set(splitPath(obj)[0], schema.access === "OBJ_ADD_DELETE");
    for (const p of schema.params) {
      // Secured parameters (keys, passwords) read as "" (TR-098 hidden="true").
      values.set(obj + p.name, { value: p.secured ? "" : tr098Sample(obj, p.name, p.xsdType), type: p.xsdType });
      writable.set(obj + p.name, p.access === "readWrite");
    }
  }
  return { values, writable };
}

// ---- TR-181 values to write -------------------------------------------------------

/** Valid TR-181 values for parameters whose type alone does not say (enumerations,
 * ranges, formats), by supported path; the first differs from what the
 * synthetic CPE holds, and every one is round-tripped. */
const TR181_SAMPLES: Readonly<Record<string, string | readonly string[]>> = {
  "Device.Time.LocalTimeZone": "CET-1CEST,M3.5.0,M10.5.0/3",
  "Device.Time.Client.{i}.Servers": "ntp2.example.net,ntp3.example.net",
  "Device.UserInterface.CurrentLanguage": "fr",
  "Device.UserInterface.HTTPAccess.{i}.Protocol": "HTTPS",
  "Device.UserInterface.HTTPAccess.{i}.Port": "8443",
  "Device.Ethernet.Interface.{i}.MaxBitRate": ["100", "-1", "1000"],
  "Device.Ethernet.Interface.{i}.DuplexMode": ["Full", "Half", "Auto"],
  "Device.PPP.Interface.{i}.ConnectionTrigger": ["OnDemand", "Manual", "AlwaysOn"],
  "Device.PPP.Interface.{i}.AuthenticationProtocol": ["PAP", "MS-CHAP", "CHAP"],
  "Device.PPP.Interface.{i}.CompressionProtocol": ["STAC LZS", "Van Jacobson"],
  "Device.PPP.Interface.{i}.EncryptionProtocol": "MPPE",
  "Device.IP.Interface.{i}.MaxMTUSize": "1492",
  "Device.NAT.PortMapping.{i}.Protocol": ["UDP", "TCP"],
  "Device.NAT.PortMapping.{i}.ExternalPort": "8080",
  "Device.NAT.PortMapping.{i}.ExternalPortEndRange": "8090",
  "Device.NAT.PortMapping.{i}.InternalPort": "80",
  "Device.NAT.PortMapping.{i}.RemoteHost": "203.0.113.7",
  "Device.NAT.PortMapping.{i}.InternalClient": "192.168.1.20",
  "Device.Routing.Router.{i}.IPv4Forwarding.{i}.ForwardingPolicy": "-1",
  "Device.Routing.Router.{i}.IPv4Forwarding.{i}.ForwardingMetric": "-1",
  "Device.DHCPv4.Server.Pool.{i}.LeaseTime": "-1",
  "Device.DHCPv4.Server.Pool.{i}.Order": "2",
  "Device.DHCPv4.Server.Pool.{i}.Option.{i}.Tag": "43",
  "Device.WiFi.Radio.{i}.Channel": "11",
  "Device.WiFi.Radio.{i}.TransmitPower": "50",
  "Device.WiFi.Radio.{i}.RegulatoryDomain": "FR ",
  "Device.WiFi.Radio.{i}.BasicDataTransmitRates": "1,2,5.5,11",
  "Device.WiFi.Radio.{i}.OperationalDataTransmitRates": "6,9,12,18,24,36,48,54",
  // Security.ModeEnabled: every value of the row's ModesSupported (tr181Samples).
  "Device.WiFi.AccessPoint.{i}.Security.EncryptionMode": ["TKIP,AES", "TKIP", "AES"],
  "Device.WiFi.AccessPoint.{i}.Security.KeyPassphrase": "correct horse battery",
  "Device.WiFi.AccessPoint.{i}.Security.PreSharedKey": "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
  "Device.WiFi.AccessPoint.{i}.Security.WEPKey": "0102030405",
  "Device.WiFi.AccessPoint.{i}.WPS.ConfigMethodsEnabled": "PushButton,PIN",
  "Device.WiFi.AccessPoint.{i}.WPS.PIN": ["01234565", "12345670", "1234", "0042"],
  "Device.IP.Diagnostics.IPPing.DiagnosticsState": "Requested",
  "Device.IP.Diagnostics.TraceRoute.DiagnosticsState": "Requested",
  "Device.IP.Diagnostics.DownloadDiagnostics.DiagnosticsState": "Requested",
  "Device.IP.Diagnostics.UploadDiagnostics.DiagnosticsState": "Requested",
  "Device.DNS.Diagnostics.NSLookupDiagnostics.DiagnosticsState": "Requested",
  "Device.SelfTestDiagnostics.DiagnosticsState": "Requested",
  "Device.IP.Diagnostics.DownloadDiagnostics.DownloadURL": "http://203.0.113.9/file",
  "Device.IP.Diagnostics.UploadDiagnostics.UploadURL": "http://203.0.113.9/upload",
};

/** Valid TR-181 values for `path`, the first differing from `current`. */
function tr181Samples(path: string, type: string, current: string, view: View): readonly string[] {
  const supported = supportedPathOf(path);
  const known = TR181_SAMPLES[supported];
  if (known !== undefined) return typeof known === "string" ? [known] : known;
  // An enumerationRef: every value the row says it supports, the current one last.
  if (supported.endsWith(".Security.ModeEnabled")) {
    const modes = (view.params.get(path.replace(/ModeEnabled$/, "ModesSupported"))?.value ?? "").split(",");
    return [...modes.filter((m) => m !== current), current];
  }
  // A reference to an IP interface: every IP.Interface row (WAN IP, WAN PPP, LAN).
  if (/Interface$/.test(splitPath(path)[1])) return ipInterfaceRows(view);
  return [tr181Sample(path, type, current)];
}

function tr181Sample(path: string, type: string, current: string): string {
  const name = splitPath(path)[1];
  switch (type) {
    case "xsd:boolean":
      return current === "true" ? "false" : "true";
    case "xsd:unsignedInt":
    case "xsd:unsignedLong":
    case "xsd:int":
    case "xsd:long":
      return current === "7" ? "8" : "7";
    case "xsd:dateTime":
      return "2026-06-01T12:00:00Z";
    case "xsd:base64":
      return "BAUG";
    case "xsd:hexBinary":
      return "0d0e0f";
    default:
      if (/MACAddress$|^Chaddr$|BSSID$/.test(name)) return "66:77:88:99:aa:bb";
      if (/IPAddress$|SubnetMask$|Mask$|^MinAddress$|^MaxAddress$|^Yiaddr$|^Host$|DNSServer$/.test(name)) return name.endsWith("Mask") ? "255.255.0.0" : "10.0.0.9";
      if (/DNSServers$|IPRouters$/.test(name)) return "10.0.0.1,10.0.0.2";
      return `${name.replace(/^.*\./, "").toLowerCase()}-181`;
  }
}

/** The real TR-181 IP.Interface rows (what an `Interface` reference of a
 * route or a diagnostic names), one per rule feeding the table. */
function ipInterfaceRows(view: View): string[] {
  const rows = [...view.objects].filter(([p, o]) => /^Device\.IP\.Interface\.\d+\.$/.test(p) && o.row !== undefined).map(([p]) => p.slice(0, -1));
  if (rows.length === 0) throw new Error("the CPE has no IP interface row to refer to");
  return rows;
}

/** Values a TR-098 CPE cannot hold exactly, by "supported path=value", and why.
 * Each must still read back as something else (the entry is removed once the
 * mapping learns to keep it), and the summary lists them. */
const LOSSY: Readonly<Record<string, string>> = {
  "Device.WiFi.AccessPoint.{i}.Security.ModeEnabled=WEP-64":
    "the WEP key's length tells WEP-64 from WEP-128, keys read as \"\", and TR-098's WEPEncryptionLevel is the read-only list of the lengths the CPE supports (a CPE that reports the active level, like the BM632w, keeps WEP-64)",
};

// ---- TR-098 validity of a written value ----------------------------------------------

/** What a TR-098 IP-layer `Interface` reference may name. */
const IP_INTERFACES_098 = [/\.WANIPConnection\.\{i\}\.$/, /\.WANPPPConnection\.\{i\}\.$/, /\.LANHostConfigManagement\.IPInterface\.\{i\}\.$/];

const INT_RANGES: Readonly<Record<string, [bigint, bigint]>> = {
  "xsd:unsignedInt": [0n, 4294967295n],
  "xsd:int": [-2147483648n, 2147483647n],
  "xsd:unsignedLong": [0n, 18446744073709551615n],
  "xsd:long": [-9223372036854775808n, 9223372036854775807n],
};

/** Why `value` is not what the TR-098 model expects for `name`, or "" when it is.
 * A real CPE's own deviations count as valid: what its GPN lists writable,
 * its vendor spellings (`vendorValues`). */
function tr098Problem(cpe: Cpe, snap: Tr098Snapshot, name: string, value: string, schema: Schema): string {
  const [obj, leaf] = splitPath(name);
  const p = schema.object(templateOf(obj))?.paramsByName.get(leaf);
  if (p === undefined) return "not a TR-098 parameter";
  if (p.access !== "readWrite" && !cpe.real) return "read-only in TR-098";
  if (snap.writable.get(name) !== true) return "not writable on the CPE";
  const range = INT_RANGES[p.xsdType];
  if (p.xsdType === "xsd:boolean" && !/^(true|false|1|0)$/.test(value)) return `${value} is no boolean literal`;
  if (range !== undefined && (!/^-?\d+$/.test(value) || BigInt(value) < range[0] || BigInt(value) > range[1])) return `${value} is not a ${p.xsdType}`;
  if (p.xsdType === "xsd:base64" && Buffer.from(value, "base64").toString("base64") !== value) return `${value} is not base64`;
  if (p.xsdType === "xsd:hexBinary" && !/^([0-9a-fA-F]{2})*$/.test(value)) return `${value} is not hexBinary`;
  if (p.xsdType === "xsd:dateTime" && Number.isNaN(Date.parse(value))) return `${value} is not a dateTime`;
  const en = TR098_ENUMS[leaf];
  if (en !== undefined) {
    const items = TR098_LISTS.has(leaf) ? value.split(",").filter((s) => s !== "") : [value];
    const bad = items.find((i) => !en.includes(i) && cpe.vendorValues[leaf]?.includes(i) !== true);
    if (bad !== undefined) return `${bad} is not one of ${en.join("|")}`;
  }
  // A reference names an IP interface the CPE has (TR-098: a WAN connection or a LAN IPInterface).
  if (/Interface$/.test(leaf) && value !== "") {
    if (!snap.writable.has(`${value}.`)) return `${value} is no object of the CPE`;
    if (!IP_INTERFACES_098.some((re) => re.test(templateOf(`${value}.`)))) return `${value} is no TR-098 IP interface`;
  }
  return "";
}

// ---- one round trip ------------------------------------------------------------------

function apply(snap: Tr098Snapshot, written: ParameterValue[]): Tr098Snapshot {
  // As the bridge does with the "values" effect of a successful Set.
  const values = new Map(snap.values);
  for (const p of written) values.set(p.name, { value: p.value, type: values.get(p.name)?.type ?? p.type });
  return { values, writable: snap.writable };
}

const NO_INSTANCE_OPS: InstanceOps = {
  allocate: () => {
    throw new Error("no Add in a round trip");
  },
  release: () => undefined,
};

function readBack(view: View, snap: Tr098Snapshot, name: string): string | undefined {
  const mapped = mapRpc({ method: "GetParameterValues", parameterNames: [name] }, view, snap, { booleanLiteral: "true" });
  if (mapped.kind !== "answer" || !mapped.outcome.ok || mapped.outcome.response.method !== "GetParameterValuesResponse") return undefined;
  return mapped.outcome.response.parameterList[0]?.value;
}

interface Trip {
  /** TR-098 parameters written. */
  sent: ParameterValue[];
  /** TR-098 problems, by parameter. */
  problems: string[];
  readBack: string | undefined;
  /** Other TR-181 parameters whose value changed though they read none of the TR-098 parameters written. */
  collateral: string[];
}

/** A CPE the round trips run on. */
interface Cpe {
  label: string;
  snap: Tr098Snapshot;
  rules: CompiledRules;
  /** Its boolean literals (vendor quirk). */
  booleanLiteral: "true" | "1";
  /** A real device: its GPN's writability stands, and rules without rows on it are fine. */
  real: boolean;
  /** Vendor spellings of TR-098 enumerations it uses (its overlay's aliases). */
  vendorValues: Readonly<Record<string, readonly string[]>>;
  instances: InstanceMapState;
  view: View;
}

function roundTrip(cpe: Cpe, name: string, value: string, type: string, booleanLiteral: "true" | "1"): Trip | { refused: string } {
  const base = cpe.snap;
  const state: InstanceMapState = structuredClone(cpe.instances);
  const view = buildView(base, cpe.rules, state);
  const spv: AcsRequest = { method: "SetParameterValues", parameterList: [{ name, value, type }], parameterKey: "rt" };
  const mapped = mapRpc(spv, view, base, { booleanLiteral });
  if (mapped.kind !== "send") return { refused: JSON.stringify(mapped.outcome) };
  if (mapped.rpc.method !== "SetParameterValues") return { refused: `sent ${mapped.rpc.method}` };
  const sent = mapped.rpc.parameterList;
  const ok: RpcOutcome = { ok: true, response: { method: "SetParameterValuesResponse", status: 0 } };
  const { effect } = mapped.back(ok, NO_INSTANCE_OPS);
  const after = effect.kind === "values" ? apply(base, effect.values) : base;
  const problems = sent.map((p) => [p.name, tr098Problem(cpe, after, p.name, p.value, TR098)]).filter(([, why]) => why !== "").map(([n, why]) => `${n}: ${why}`);
  const afterView = buildView(after, cpe.rules, state);
  // Parameters computed from what was written may change with it; no other may.
  const related = new Set(sent.flatMap((p) => afterView.fromTr098.get(p.name) ?? []));
  const collateral = [...view.params]
    .filter(([n, p]) => n !== name && !related.has(n) && !n.startsWith(afterView.extensionRoot) && afterView.params.get(n)?.value !== p.value)
    .map(([n, p]) => `${n}: ${p.value} → ${afterView.params.get(n)?.value ?? "gone"}`);
  return { sent, problems, readBack: readBack(afterView, after, name), collateral };
}

function cpeOf(label: string, snap: Tr098Snapshot, cpeRules: CompiledRules, opts: Partial<Pick<Cpe, "booleanLiteral" | "real" | "vendorValues">> = {}): Cpe {
  const instances: InstanceMapState = {};
  const view = buildView(snap, cpeRules, instances);
  return { label, snap, rules: cpeRules, booleanLiteral: opts.booleanLiteral ?? "true", real: opts.real ?? false, vendorValues: opts.vendorValues ?? {}, instances, view };
}

/** The Huawei BM632w as its simulator profile (generated from the real dump) holds it, with its overlay's rules. */
function bm632w(): Cpe {
  const profile = JSON.parse(readFileSync(fileURLToPath(new URL("../src/sim/profiles/huawei-bm632w-tr098.json", import.meta.url)), "utf8")) as {
    parameters: Record<string, [string, boolean, string]>;
    objects: Record<string, unknown>;
    tables: Record<string, { writable: boolean }>;
  };
  const values = new Map<string, { value: string; type: string }>();
  const writable = new Map<string, boolean>();
  const addObjects = (obj: string): void => {
    for (let o = obj; o !== "" && !writable.has(o); o = splitPath(o)[0]) {
      const table = profile.tables[`${templateOf(o)}{i}.`];
      writable.set(o, table?.writable === true);
    }
  };
  for (const [name, [type, w, value]] of Object.entries(profile.parameters)) {
    values.set(name, { value, type: `xsd:${type}` });
    writable.set(name, w);
    addObjects(splitPath(name)[0]);
  }
  for (const obj of Object.keys(profile.objects)) addObjects(obj);
  const overlay = parseYaml(readFileSync(findMappingFile("vendors/202BC1-BM632w.yaml"), "utf8")) as { rules: Record<string, unknown>[] };
  return cpeOf("the BM632w", { values, writable }, loadRules(overlay.rules), { real: true, vendorValues: { BeaconType: ["WPAWPA2"] } });
}

// ---- the tests, one per rule and CPE ----------------------------------------------------

interface Stats {
  rulesCovered: number;
  roundTripped: number;
  valuesTried: number;
  readOnlyByDesign: string[];
  /** References that follow the TR-098 structure: only their current value is accepted. */
  structural: string[];
  lossy: string[];
  noRow: string[];
}

const newStats = (): Stats => ({ rulesCovered: 0, roundTripped: 0, valuesTried: 0, readOnlyByDesign: [], structural: [], lossy: [], noRow: [] });

/** A structural reference: a Set of its current value is answered without
 * writing anything to the CPE, any other value is refused (9007). */
function checkStructural(t: Test, cpe: Cpe, param: string, path: string, current: string, type: string): void {
  const view = buildView(cpe.snap, cpe.rules, structuredClone(cpe.instances));
  const same = mapRpc({ method: "SetParameterValues", parameterList: [{ name: path, value: current, type }], parameterKey: "rt" }, view, cpe.snap, { booleanLiteral: cpe.booleanLiteral });
  t.same(same, { kind: "answer", outcome: { ok: true, response: { method: "SetParameterValuesResponse", status: 0 } } }, `${param} = its current value: accepted, nothing sent to the CPE`);
  const other = mapRpc({ method: "SetParameterValues", parameterList: [{ name: path, value: "Device.Elsewhere.9", type }], parameterKey: "rt" }, view, cpe.snap, { booleanLiteral: cpe.booleanLiteral });
  t.match(other, { kind: "answer", outcome: { ok: false, fault: { setParameterValuesFaults: [{ parameterName: path, faultCode: 9007 }] } } }, `${param} = another row: refused with 9007`);
}

/** Every TR-181 parameter of `rule`'s first row on `cpe`: writable ones round-tripped, others accounted for. */
function checkRule(t: Test, cpe: Cpe, rule: ObjectRule, stats: Stats): void {
  const rows = [...cpe.view.objects].filter(([, o]) => o.row?.rule.id === rule.id).map(([p]) => p);
  if (cpe.real && rows.length === 0) {
    stats.noRow.push(rule.id);
    return;
  }
  t.ok(rows.length > 0, `${cpe.label} gives the rule at least one row`);
  const row = rows[0] as string;
  const source = cpe.view.objects.get(row)?.row?.members[0] ?? "";
  let writable = 0;
  for (const [param] of rule.params) {
    const path = row + param;
    const p = cpe.view.params.get(path);
    if (p === undefined) {
      // A real CPE may lack some sources; the synthetic one has them all.
      if (!cpe.real) t.fail(`${path} is missing from the view of a CPE that has every source`);
      continue;
    }
    const schemaAccess = TR181.object(supportedPathOf(splitPath(path)[0]))?.paramsByName.get(splitPath(path)[1])?.access;
    if (!p.writable) {
      if (schemaAccess !== "readWrite") continue;
      const why = readOnlyReason(cpe, rule, param, source);
      t.ok(why !== undefined, `${param}: writable in TR-181, read-only in the view for a reason (${why ?? "none: writable on the CPE, so it should be writable"})`);
      stats.readOnlyByDesign.push(`${rule.id}: ${param} (${why ?? "no reason"})`);
      continue;
    }
    if (p.bind.kind === "structural") {
      checkStructural(t, cpe, param, path, p.value, p.type);
      stats.structural.push(`${rule.id}: ${param}`);
      continue;
    }
    writable++;
    const samples = tr181Samples(path, p.type, p.value, cpe.view);
    if (!cpe.real) t.not(samples[0], p.value, `${param}: the value written differs from the CPE's`);
    const literals: ("true" | "1")[] = p.type === "xsd:boolean" ? ["true", "1"] : [cpe.booleanLiteral];
    for (const value of samples) {
      for (const literal of literals) {
        const trip = roundTrip(cpe, path, value, p.type, literal);
        stats.valuesTried++;
        if ("refused" in trip) {
          t.fail(`${param} = ${value}: refused ${trip.refused}`);
          continue;
        }
        t.ok(trip.sent.length > 0, `${param}: the TR-098 Set writes something`);
        t.same(trip.problems, [], `${param} = ${value}: every TR-098 value is valid (booleans as ${literal})`);
        t.same(trip.collateral, [], `${param} = ${value}: no unrelated TR-181 parameter changed`);
        const lossy = LOSSY[`${supportedPathOf(path)}=${value}`];
        if (lossy !== undefined && !cpe.real) {
          t.not(trip.readBack, value, `${param} = ${value} is known not to round-trip: ${lossy}`);
          if (literal === "true") stats.lossy.push(`${rule.id}: ${param} = ${value} reads ${trip.readBack ?? "nothing"}: ${lossy}`);
          continue;
        }
        t.equal(trip.readBack, value, `${param} = ${value}: read back unchanged (TR-098 ${trip.sent.map((s) => `${s.name.replace(/^InternetGatewayDevice\./, "")}=${s.value}`).join(", ")})`);
      }
    }
    stats.roundTripped++;
  }
  stats.rulesCovered++;
  if (writable === 0) t.comment(`rule ${rule.id}: read-only by design (no parameter a Controller may write)`);
}

/** Why the mapping keeps a parameter TR-181 makes writable read-only, or
 * undefined when nothing does (a bug). */
function readOnlyReason(cpe: Cpe, rule: ObjectRule, param: string, source: string): string | undefined {
  const spec = rule.params.get(param);
  if (spec === undefined) return undefined;
  if (spec.kind === "value") return "a constant";
  if (spec.kind === "ref") return "computed from the structure";
  if (spec.kind === "fn") return TRANSFORMS.get(spec.fn)?.write === undefined ? `transform ${spec.fn} has no write side` : undefined;
  if (spec.kind !== "src") return undefined;
  if (spec.readOnly) return "readOnly in the rule";
  const name = sourceName(source, spec.src);
  return cpe.snap.writable.get(name) === true ? undefined : `TR-098 ${name.replace(/^InternetGatewayDevice\./, "")} is read-only on the CPE`;
}

const synthetic = cpeOf("the synthetic CPE", syntheticCpe(), rules);
const stats = newStats();
for (const rule of rules.objects) {
  t.test(`rule ${rule.id} (${rule.tr181})`, async (t) => checkRule(t, synthetic, rule, stats));
}

t.test("summary", async (t) => {
  t.equal(stats.rulesCovered, rules.objects.length, "every rule was visited");
  t.same(
    ipInterfaceRows(synthetic.view).map((r) => synthetic.view.objects.get(`${r}.`)?.row?.rule.id),
    ["IP.Interface.WANIP", "IP.Interface.WANPPP", "IP.Interface.LAN"],
    "references were tried with a WAN IP, a WAN PPP and a LAN interface",
  );
  t.ok(stats.roundTripped > 0);
  t.equal(stats.lossy.length, Object.keys(LOSSY).length, "every known lossy value was tried");
  t.comment(`read-only by design though TR-181 lets a Controller write them (${stats.readOnlyByDesign.length}):\n  ${stats.readOnlyByDesign.join("\n  ")}`);
  t.comment(`known lossy values (${stats.lossy.length}):\n  ${stats.lossy.join("\n  ")}`);
  t.comment(`structural references, their current value accepted (${stats.structural.length}):\n  ${stats.structural.join("\n  ")}`);
  console.log(
    `tr098 round trips: ${stats.rulesCovered} rules covered, ${stats.roundTripped} writable TR-181 parameters round-tripped (${stats.valuesTried} values), ` +
      `${stats.structural.length} structural references, ${stats.readOnlyByDesign.length} writable in TR-181 but read-only by design, ${stats.lossy.length} known lossy value(s)`,
  );
});

t.test("the same round trips on the Huawei BM632w (its real tree and overlay rules)", async (t) => {
  const cpe = bm632w();
  const real = newStats();
  for (const rule of cpe.rules.objects) await t.test(`rule ${rule.id}`, async (t) => checkRule(t, cpe, rule, real));
  t.ok(real.roundTripped >= 40, `${real.roundTripped} parameters round-tripped`);
  console.log(
    `tr098 round trips on the BM632w: ${real.rulesCovered} rules with rows on it (${real.noRow.length} without: ${real.noRow.join(", ")}), ` +
      `${real.roundTripped} writable TR-181 parameters round-tripped (${real.valuesTried} values), ${real.readOnlyByDesign.length} writable in TR-181 but read-only there`,
  );
});
