// SOAP → CwmpEnvelope. Used by both sides (gateway reads CPE messages, the
// simulator reads ACS messages), so every CwmpBody variant is decodable.
// Read tolerantly (STYLE.md §2 src/cwmp/): elements are matched by localName,
// any prefix works, order does not matter, and missing or odd values become
// defaults with a warning instead of failing the session. Only things that make
// the message meaningless are errors.

import {
  CWMP_NAMESPACE_1_0,
  type CwmpBody,
  type CwmpEnvelope,
  type CwmpHeader,
  type Fault,
  type ParameterValue,
} from "./rpc.js";
import {
  CWMP_NS_PATTERN,
  SOAP12_ENV_NS,
  SOAP_ENV_NS,
  arrayItems,
  parseBoolean,
  parseIntStrict,
  readBoolean,
  readInt,
  readString,
  readValueType,
  type Warnings,
} from "./soap-values.js";
import { decodeTransferBody } from "./soap-decode-transfers.js";
import { child, parseXml, type XmlElement } from "./xml.js";
import { detached } from "../detached-string.js";

export type DecodeResult =
  | { ok: true; envelope: CwmpEnvelope; warnings: string[] }
  | { ok: false; error: string };

export function decodeEnvelope(xml: string): DecodeResult {
  // An empty POST is a protocol signal handled by the session, not a SOAP
  // message; it must stay distinguishable from garbage (freeacs#186).
  if (xml.trim() === "") return { ok: false, error: "empty body" };
  const parsed = parseXml(xml);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const warnings: Warnings = [...parsed.warnings];
  const root = parsed.root;

  if (root.localName !== "Envelope") {
    return { ok: false, error: `root element is <${root.localName}>, not a SOAP Envelope` };
  }
  if (root.namespaceUri === SOAP12_ENV_NS) {
    return { ok: false, error: "SOAP 1.2 envelope namespace is not valid for CWMP (SOAP 1.1 required)" };
  }
  if (root.namespaceUri !== SOAP_ENV_NS) {
    warnings.push(`Envelope namespace "${root.namespaceUri}" is not SOAP 1.1; matched by localName`);
  }

  const body = child(root, "Body");
  if (body === undefined) return { ok: false, error: "SOAP Envelope has no Body" };
  const method = body.children[0];
  if (method === undefined) return { ok: false, error: "SOAP Body has no method element" };
  if (body.children.length > 1) {
    // TR-069 §3.5: exactly one method per Body; later ones are ignored as
    // GenieACS ignores extra envelopes.
    warnings.push(`SOAP Body has ${body.children.length} elements; only <${method.localName}> used`);
  }

  const headerEl = child(root, "Header");
  const header = decodeHeader(headerEl, warnings);
  const cwmpNamespace = findCwmpNamespace(method, headerEl, warnings);
  return { ok: true, envelope: { cwmpNamespace, header, body: decodeBody(method, warnings) }, warnings };
}

/** The one switch from method element to its decoder (genieacs soap.ts
 * request()/response() shape, both directions in one place). */
function decodeBody(el: XmlElement, w: Warnings): CwmpBody {
  switch (el.localName) {
    case "Inform":
      return decodeInform(el, w);
    case "TransferComplete":
      return decodeTransferComplete(el, w);
    case "GetRPCMethods":
      return { method: "GetRPCMethods" };
    case "InformResponse":
      return decodeInformResponse(el, w);
    case "TransferCompleteResponse":
      return { method: "TransferCompleteResponse" };
    case "GetRPCMethodsResponse":
      return decodeGetRPCMethodsResponse(el, w);
    case "GetParameterNames":
      return decodeGetParameterNames(el, w);
    case "GetParameterValues":
      return decodeGetParameterValues(el, w);
    case "SetParameterValues":
      return decodeSetParameterValues(el, w);
    case "AddObject":
      return decodeAddObject(el, w);
    case "DeleteObject":
      return decodeDeleteObject(el, w);
    case "Reboot":
      return decodeReboot(el, w);
    case "FactoryReset":
      return { method: "FactoryReset" };
    case "GetParameterNamesResponse":
      return decodeGetParameterNamesResponse(el, w);
    case "GetParameterValuesResponse":
      return decodeGetParameterValuesResponse(el, w);
    case "SetParameterValuesResponse":
      return decodeSetParameterValuesResponse(el, w);
    case "AddObjectResponse":
      return decodeAddObjectResponse(el, w);
    case "DeleteObjectResponse":
      return decodeDeleteObjectResponse(el, w);
    case "RebootResponse":
      return { method: "RebootResponse" };
    case "FactoryResetResponse":
      return { method: "FactoryResetResponse" };
    case "Fault":
      return decodeFault(el, w);
    default:
      // Not an error: the session answers with 8000 / 9000 (rpc.ts UnknownMethod).
      return decodeTransferBody(el, w) ?? { method: "Unknown", name: el.localName };
  }
}

function decodeHeader(el: XmlElement | undefined, w: Warnings): CwmpHeader {
  // MikroTik sends no Header or an empty one (genieacs#233); GenieACS uses "".
  if (el === undefined) {
    w.push('missing SOAP Header; cwmp:ID is ""');
    return { id: "" };
  }
  const idEl = child(el, "ID");
  if (idEl === undefined) w.push('missing cwmp:ID in Header; using ""');
  const header: CwmpHeader = { id: idEl?.text.trim() ?? "" };

  const hold = child(el, "HoldRequests");
  if (hold !== undefined) {
    const value = parseBoolean(hold.text);
    if (value === undefined) w.push(`invalid HoldRequests "${hold.text}"; ignored`);
    else header.holdRequests = value;
  }
  // TR-069 1.3 (cwmp-1-3.xsd): the element is SessionTimeout, capital S.
  // GenieACS looks for "sessionTimeout" and misses it (cwmp.md §6.2).
  const timeout = child(el, "SessionTimeout");
  if (timeout !== undefined) {
    const value = parseIntStrict(timeout.text);
    if (value === undefined || value < 0) w.push(`invalid SessionTimeout "${timeout.text}"; ignored`);
    else header.sessionTimeout = value;
  }
  const supported = child(el, "SupportedCWMPVersions");
  if (supported !== undefined) header.supportedCwmpVersions = supported.text.trim();
  const use = child(el, "UseCWMPVersion");
  if (use !== undefined) header.useCwmpVersion = use.text.trim();
  return header;
}

/** The cwmp namespace URI the sender used, recorded exactly so replies can
 * echo it (freeacs#222: a CPE hung up on an ACS replying with another one). */
function findCwmpNamespace(method: XmlElement, header: XmlElement | undefined, w: Warnings): string {
  const detailFault = method.localName === "Fault" ? child(child(method, "detail") ?? method, "Fault") : undefined;
  const candidates = [method.namespaceUri, header && child(header, "ID")?.namespaceUri, detailFault?.namespaceUri];
  for (const uri of candidates) if (uri !== undefined && CWMP_NS_PATTERN.test(uri)) return uri;
  // Unprefixed method or a Fault without cwmp elements: any declaration in scope.
  for (const uri of method.prefixes.values()) if (CWMP_NS_PATTERN.test(uri)) return uri;
  w.push(`no urn:dslforum-org:cwmp-X-Y namespace found; assuming ${CWMP_NAMESPACE_1_0}`);
  return CWMP_NAMESPACE_1_0;
}

function decodeParameterValueStruct(el: XmlElement, w: Warnings): ParameterValue {
  const name = readString(el, "Name", w);
  const valueEl = child(el, "Value");
  if (valueEl === undefined) {
    // Cisco SPA122 omits <Value> in GPV responses (genieacs#317).
    w.push(`missing <Value> for ${name}; using "" (xsd:string)`);
    return { name, value: "", type: "xsd:string" };
  }
  // Value text is kept verbatim (no trim): whitespace can be significant.
  return { name, value: valueEl.text, type: readValueType(valueEl, name, w) };
}

function decodeParameterList(el: XmlElement, w: Warnings): ParameterValue[] {
  return arrayItems(el, "ParameterList", w).map((item) => decodeParameterValueStruct(item, w));
}

function decodeStrings(el: XmlElement, name: string, w: Warnings): string[] {
  return arrayItems(el, name, w).map((item) => item.text.trim());
}

function decodeInform(el: XmlElement, w: Warnings): CwmpBody {
  const deviceIdEl = child(el, "DeviceId");
  if (deviceIdEl === undefined) w.push("missing <DeviceId> in Inform");
  const d = deviceIdEl ?? el;
  return {
    method: "Inform",
    // Kept for the device's lifetime (endpoint id, records, OnBoardRequest
    // retries): copies, so they do not keep the Inform's text alive.
    deviceId: {
      manufacturer: detached(readString(d, "Manufacturer", w)),
      oui: detached(readString(d, "OUI", w)),
      productClass: detached(readString(d, "ProductClass", w)),
      serialNumber: detached(readString(d, "SerialNumber", w)),
    },
    event: arrayItems(el, "Event", w).map((ev) => ({
      eventCode: readString(ev, "EventCode", w),
      commandKey: readString(ev, "CommandKey", w),
    })),
    maxEnvelopes: readInt(el, "MaxEnvelopes", w, 1),
    currentTime: readString(el, "CurrentTime", w),
    retryCount: readInt(el, "RetryCount", w),
    parameterList: decodeParameterList(el, w),
  };
}

function decodeTransferComplete(el: XmlElement, w: Warnings): CwmpBody {
  // genieacs-sim writes the children in another order than the XSD (cwmp.md
  // §2.4); lookup is by localName so order never matters.
  const faultEl = child(el, "FaultStruct");
  if (faultEl === undefined) w.push("missing <FaultStruct> in TransferComplete; assuming success");
  return {
    method: "TransferComplete",
    commandKey: readString(el, "CommandKey", w),
    faultStruct: {
      faultCode: faultEl ? readInt(faultEl, "FaultCode", w) : 0,
      faultString: faultEl ? readString(faultEl, "FaultString", w) : "",
    },
    startTime: readString(el, "StartTime", w),
    completeTime: readString(el, "CompleteTime", w),
  };
}

function decodeInformResponse(el: XmlElement, w: Warnings): CwmpBody {
  return { method: "InformResponse", maxEnvelopes: readInt(el, "MaxEnvelopes", w, 1) };
}

function decodeGetRPCMethodsResponse(el: XmlElement, w: Warnings): CwmpBody {
  return { method: "GetRPCMethodsResponse", methodList: decodeStrings(el, "MethodList", w) };
}

function decodeGetParameterNames(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "GetParameterNames",
    parameterPath: readString(el, "ParameterPath", w),
    nextLevel: readBoolean(el, "NextLevel", w),
  };
}

function decodeGetParameterValues(el: XmlElement, w: Warnings): CwmpBody {
  return { method: "GetParameterValues", parameterNames: decodeStrings(el, "ParameterNames", w) };
}

function decodeSetParameterValues(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "SetParameterValues",
    parameterList: decodeParameterList(el, w),
    parameterKey: readString(el, "ParameterKey", w),
  };
}

function decodeAddObject(el: XmlElement, w: Warnings): CwmpBody {
  return { method: "AddObject", objectName: readString(el, "ObjectName", w), parameterKey: readString(el, "ParameterKey", w) };
}

function decodeDeleteObject(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "DeleteObject",
    objectName: readString(el, "ObjectName", w),
    parameterKey: readString(el, "ParameterKey", w),
  };
}

function decodeReboot(el: XmlElement, w: Warnings): CwmpBody {
  return { method: "Reboot", commandKey: readString(el, "CommandKey", w) };
}

function decodeGetParameterNamesResponse(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "GetParameterNamesResponse",
    parameterList: arrayItems(el, "ParameterList", w).map((item) => ({
      name: readString(item, "Name", w),
      writable: readBoolean(item, "Writable", w),
    })),
  };
}

function decodeGetParameterValuesResponse(el: XmlElement, w: Warnings): CwmpBody {
  return { method: "GetParameterValuesResponse", parameterList: decodeParameterList(el, w) };
}

function decodeSetParameterValuesResponse(el: XmlElement, w: Warnings): CwmpBody {
  return { method: "SetParameterValuesResponse", status: readInt(el, "Status", w) };
}

function decodeAddObjectResponse(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "AddObjectResponse",
    instanceNumber: readInt(el, "InstanceNumber", w),
    status: readInt(el, "Status", w),
  };
}

function decodeDeleteObjectResponse(el: XmlElement, w: Warnings): CwmpBody {
  return { method: "DeleteObjectResponse", status: readInt(el, "Status", w) };
}

function decodeFault(el: XmlElement, w: Warnings): Fault {
  // Only detail/Fault/FaultCode is normative; faultcode and faultstring vary
  // (`Client`, `soap-env:Client`, "CWMP FAULT"...; cwmp.md §4).
  const faultcodeText = child(el, "faultcode")?.text.trim();
  if (faultcodeText === undefined) w.push("missing <faultcode> in Fault; using Server");
  const faultcode = (faultcodeText ?? "Server").replace(/^.*:/, "");
  const faultstring = child(el, "faultstring")?.text.trim() ?? "CWMP fault";

  const detail = child(el, "detail");
  // Tolerate a bare cwmp:Fault directly in the Body (FaultCode as a child).
  const cwmpFault = detail !== undefined ? child(detail, "Fault") : child(el, "FaultCode") ? el : undefined;
  if (cwmpFault === undefined) {
    w.push("SOAP Fault without a cwmp:Fault detail; FaultCode 0");
    return { method: "Fault", faultcode, faultstring, fault: { faultCode: 0, faultString: faultstring, setParameterValuesFaults: [] } };
  }
  return {
    method: "Fault",
    faultcode,
    faultstring,
    fault: {
      faultCode: readInt(cwmpFault, "FaultCode", w),
      faultString: readString(cwmpFault, "FaultString", w),
      // TR-069 A.3.2.1: one entry per rejected parameter, SPV only.
      setParameterValuesFaults: cwmpFault.children
        .filter((c) => c.localName === "SetParameterValuesFault")
        .map((f) => ({
          parameterName: readString(f, "ParameterName", w),
          faultCode: readInt(f, "FaultCode", w),
          faultString: readString(f, "FaultString", w),
        })),
    },
  };
}
