// Messages the bench feeds to the codecs and the gateway, generated from a
// seed so every run (and every machine) measures the same bytes.
import type { CwmpEnvelope, EventStruct, Inform, ParameterValue } from "../../src/cwmp/rpc.js";
import type { Msg } from "../../src/usp/messages.js";
import { fromDist } from "./dist.js";
import { seededRandom } from "./harness.js";

type ProfileModule = typeof import("../../src/sim/profile.js");
type DataModelModule = typeof import("../../src/sim/data-model.js");
type EncodeModule = typeof import("../../src/cwmp/soap-encode.js");

/** Table rows a large TR-181 gateway reports: LAN hosts, Wi-Fi associated
 * devices and DHCP leases dominate a full GetParameterValues("Device."). */
const ROW_TEMPLATES: ReadonlyArray<{ table: string; fields: ReadonlyArray<[string, string]> }> = [
  {
    table: "Device.Hosts.Host.",
    fields: [["PhysAddress", "mac"], ["IPAddress", "ip"], ["HostName", "name"], ["Active", "boolean"], ["LeaseTimeRemaining", "int"], ["Layer1Interface", "ref"], ["AssociatedDevice", "ref"]],
  },
  {
    table: "Device.WiFi.AccessPoint.1.AssociatedDevice.",
    fields: [["MACAddress", "mac"], ["AuthenticationState", "boolean"], ["LastDataDownlinkRate", "unsignedInt"], ["LastDataUplinkRate", "unsignedInt"], ["SignalStrength", "int"], ["Retransmissions", "unsignedInt"], ["Active", "boolean"]],
  },
  {
    table: "Device.DHCPv4.Server.Pool.1.Client.",
    fields: [["Chaddr", "mac"], ["Active", "boolean"], ["IPv4AddressNumberOfEntries", "unsignedInt"], ["Alias", "name"]],
  },
];

function valueOf(kind: string, random: () => number): { value: string; type: string } {
  const byte = (): string => Math.floor(random() * 256).toString(16).padStart(2, "0");
  switch (kind) {
    case "mac":
      return { value: Array.from({ length: 6 }, byte).join(":"), type: "xsd:string" };
    case "ip":
      return { value: `192.168.${Math.floor(random() * 4)}.${1 + Math.floor(random() * 253)}`, type: "xsd:string" };
    case "name":
      return { value: `host-${Math.floor(random() * 1e6).toString(36)}`, type: "xsd:string" };
    case "boolean":
      return { value: random() < 0.7 ? "true" : "false", type: "xsd:boolean" };
    case "int":
      return { value: String(Math.floor(random() * 200) - 100), type: "xsd:int" };
    case "unsignedInt":
      return { value: String(Math.floor(random() * 1e9)), type: "xsd:unsignedInt" };
    default:
      return { value: `Device.Ethernet.Interface.${1 + Math.floor(random() * 4)}`, type: "xsd:string" };
  }
}

/** `count` parameter values from realistic table rows, round-robin over the tables. */
export function largeParameterList(seed: number, count: number): ParameterValue[] {
  const random = seededRandom(seed);
  const out: ParameterValue[] = [];
  const rowNumbers = ROW_TEMPLATES.map(() => 0);
  for (let t = 0; out.length < count; t = (t + 1) % ROW_TEMPLATES.length) {
    const template = ROW_TEMPLATES[t] as (typeof ROW_TEMPLATES)[number];
    const row = (rowNumbers[t] = (rowNumbers[t] as number) + 1);
    for (const [field, kind] of template.fields) {
      if (out.length === count) break;
      out.push({ name: `${template.table}${row}.${field}`, ...valueOf(kind, random) });
    }
  }
  return out;
}

export function gpvResponseEnvelope(params: ParameterValue[]): CwmpEnvelope {
  return {
    cwmpNamespace: "urn:dslforum-org:cwmp-1-0",
    header: { id: "bench-gpv-1" },
    body: { method: "GetParameterValuesResponse", parameterList: params },
  };
}

/** The USP GetResp a controller gets for the same values: one requested path,
 * one resolved_path_result per object, as translate/get.ts groups them. */
export function getRespMsg(params: ParameterValue[]): Msg {
  const byObject = new Map<string, Record<string, string>>();
  for (const p of params) {
    const dot = p.name.lastIndexOf(".");
    const object = p.name.slice(0, dot + 1);
    let bucket = byObject.get(object);
    if (bucket === undefined) byObject.set(object, (bucket = {}));
    bucket[p.name.slice(dot + 1)] = p.value;
  }
  const resolvedPathResults = [...byObject].map(([resolvedPath, resultParams]) => ({ resolvedPath, resultParams }));
  return {
    header: { msgId: "bench-get-1", msgType: "GET_RESP" },
    body: { kind: "response", response: { type: "getResp", getResp: { reqPathResults: [{ requestedPath: "Device.", errCode: 0, errMsg: "", resolvedPathResults }] } } },
  };
}

/** Marks where a device's serial goes in an Inform template. Same length as
 * the serials the load generator uses, so Content-Length math stays trivial. */
export const SERIAL_TOKEN = "BSERIAL000000";
export function benchSerial(index: number): string {
  return "B" + String(index).padStart(SERIAL_TOKEN.length - 1, "0");
}

/** The TR-181 forced Inform parameters (the profile's list) plus the WAN
 * address nearly every deployed CPE adds, making the ~2 KB Inform of the field. */
const EXTRA_INFORM_PARAMETERS = ["Device.IP.Interface.1.IPv4Address.1.IPAddress"];

/** An Inform SOAP envelope from the simulator's TR-181 profile, with
 * SERIAL_TOKEN wherever the serial number appears. */
export async function informTemplate(events: readonly string[]): Promise<string> {
  const { loadProfile } = await fromDist<ProfileModule>("sim/profile.js");
  const { createDeviceModel } = await fromDist<DataModelModule>("sim/data-model.js");
  const { encodeEnvelope } = await fromDist<EncodeModule>("cwmp/soap-encode.js");
  const loaded = loadProfile("tr181-gateway");
  if (!loaded.ok) throw new Error(loaded.error);
  const profile = loaded.profile;
  const ms = profile.managementServer;
  const model = createDeviceModel(profile, { serialNumber: SERIAL_TOKEN }, {
    [ms + "ConnectionRequestURL"]: `http://127.0.0.1:7548/${SERIAL_TOKEN}`,
    [ms + "Username"]: `${profile.deviceId.oui}-${SERIAL_TOKEN}`,
  });
  const parameterList: ParameterValue[] = [];
  for (const name of [...profile.informParameters, ...EXTRA_INFORM_PARAMETERS]) {
    const def = model.node(name);
    if (def?.kind === "param") parameterList.push({ name, value: model.reported(name, def), type: `xsd:${def.type}` });
  }
  const event: EventStruct[] = events.map((eventCode) => ({ eventCode, commandKey: "" }));
  const inform: Inform = {
    method: "Inform",
    deviceId: model.deviceId(),
    event,
    maxEnvelopes: 1,
    currentTime: "2026-11-24T12:00:00Z",
    retryCount: 0,
    parameterList,
  };
  return encodeEnvelope({ cwmpNamespace: profile.quirks.cwmpNamespace, header: { id: "1" }, body: inform });
}

const SOAP_NS = 'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** CPE quirks the decoder tolerates (test/cwmp-soap-decode.test.ts), as small
 * whole messages: the parser's per-message overhead shows on these. */
export const QUIRK_FIXTURES: Readonly<Record<string, string>> = {
  // MikroTik: single quotes, `soap` bound to the encoding URI, XML declaration.
  "mikrotik-gpv":
    "<?xml version='1.0' encoding='UTF-8'?>" +
    "<SOAP-ENV:Envelope xmlns:SOAP-ENV='http://schemas.xmlsoap.org/soap/envelope/' xmlns:soap='http://schemas.xmlsoap.org/soap/encoding/' " +
    "xmlns:xsd='http://www.w3.org/2001/XMLSchema' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' xmlns:cwmp='urn:dslforum-org:cwmp-1-0'>" +
    "<SOAP-ENV:Header><cwmp:ID soap:mustUnderstand='1'>mt1</cwmp:ID></SOAP-ENV:Header><SOAP-ENV:Body><cwmp:GetParameterValuesResponse>" +
    "<ParameterList soap:arrayType='cwmp:ParameterValueStruct[2]'>" +
    "<ParameterValueStruct><Name>Device.DeviceInfo.ModelName</Name><Value xsi:type='xsd:string'>RB951</Value></ParameterValueStruct>" +
    "<ParameterValueStruct><Name>Device.DeviceInfo.UpTime</Name><Value xsi:type='xsd:unsignedInt'>86400</Value></ParameterValueStruct>" +
    "</ParameterList></cwmp:GetParameterValuesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>",
  // easycwmp's soap_env prefix with a cwmp-1-2 namespace, pretty-printed.
  "soap_env-reboot":
    '<soap_env:Envelope xmlns:soap_env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">\n' +
    '  <soap_env:Header>\n    <cwmp:ID soap_env:mustUnderstand="1">id-7</cwmp:ID>\n  </soap_env:Header>\n' +
    "  <soap_env:Body>\n    <cwmp:RebootResponse/>\n  </soap_env:Body>\n</soap_env:Envelope>\n",
  // Values with CDATA, the five entities and character references.
  "cdata-entities":
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0" ${SOAP_NS}>` +
    '<s:Header><cwmp:ID s:mustUnderstand="1">42</cwmp:ID></s:Header><s:Body><cwmp:GetParameterValuesResponse><ParameterList>' +
    '<ParameterValueStruct><Name>A.b</Name><Value xsi:type="xsd:string"><![CDATA[a<b & c]]></Value></ParameterValueStruct>' +
    '<ParameterValueStruct><Name>A.c</Name><Value xsi:type="xsd:string">&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#x1F600;</Value></ParameterValueStruct>' +
    "</ParameterList></cwmp:GetParameterValuesResponse></s:Body></s:Envelope>",
};
