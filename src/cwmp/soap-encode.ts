// CwmpEnvelope → SOAP. Write strictly (STYLE.md §2 src/cwmp/): exactly the
// GenieACS shapes of cwmp.md §1.4, which field CPEs are known to accept. Fixed
// prefixes matter on this side: genieacs-sim finds the method by the literal
// `cwmp:` prefix and its children by literal unprefixed names (cwmp.md §6.5).

import type {
  AddObject,
  AddObjectResponse,
  CwmpBody,
  CwmpEnvelope,
  CwmpHeader,
  DeleteObject,
  DeleteObjectResponse,
  Fault,
  GetParameterNames,
  GetParameterNamesResponse,
  GetParameterValues,
  GetParameterValuesResponse,
  GetRPCMethodsResponse,
  Inform,
  InformResponse,
  Reboot,
  SetParameterValues,
  SetParameterValuesResponse,
  TransferComplete,
  UnknownMethod,
} from "./rpc.js";
import { isTransferBody } from "./rpc.js";
import { encodeTransferBody } from "./soap-encode-transfers.js";
import {
  SOAP_ENC_NS,
  SOAP_ENV_NS,
  XSD_NS,
  XSI_NS,
  array,
  escapeXml,
  faultStruct,
  leaf,
  method,
  parameterValueList,
  stringList,
} from "./soap-values.js";

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function encodeEnvelope(envelope: CwmpEnvelope): string {
  return (
    XML_DECLARATION +
    `<soap-env:Envelope xmlns:soap-enc="${SOAP_ENC_NS}" xmlns:soap-env="${SOAP_ENV_NS}" ` +
    `xmlns:xsd="${XSD_NS}" xmlns:xsi="${XSI_NS}" xmlns:cwmp="${escapeXml(envelope.cwmpNamespace)}">` +
    encodeHeader(envelope.header) +
    `<soap-env:Body>${encodeBody(envelope.body)}</soap-env:Body></soap-env:Envelope>`
  );
}

function encodeHeader(header: CwmpHeader): string {
  // cwmp:ID is mustUnderstand="1" (XSD fixed); UseCWMPVersion must be "1",
  // SessionTimeout and SupportedCWMPVersions "0" (cwmp.md §1.2).
  let out = `<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">${escapeXml(header.id)}</cwmp:ID>`;
  if (header.useCwmpVersion !== undefined) {
    out += `<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">${escapeXml(header.useCwmpVersion)}</cwmp:UseCWMPVersion>`;
  }
  if (header.sessionTimeout !== undefined) {
    out += `<cwmp:SessionTimeout soap-env:mustUnderstand="0">${header.sessionTimeout}</cwmp:SessionTimeout>`;
  }
  if (header.supportedCwmpVersions !== undefined) {
    out +=
      `<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">` +
      `${escapeXml(header.supportedCwmpVersions)}</cwmp:SupportedCWMPVersions>`;
  }
  // Deprecated (cwmp.md §1.2); the gateway never sets it, the codec still
  // writes it when asked so the model round-trips.
  if (header.holdRequests !== undefined) {
    out += `<cwmp:HoldRequests soap-env:mustUnderstand="1">${header.holdRequests ? 1 : 0}</cwmp:HoldRequests>`;
  }
  return out + "</soap-env:Header>";
}

/** The one switch from body to its encoder; exhaustive over CwmpBody. */
function encodeBody(body: CwmpBody): string {
  if (isTransferBody(body)) return encodeTransferBody(body);
  switch (body.method) {
    case "Inform":
      return encodeInform(body);
    case "TransferComplete":
      return encodeTransferComplete(body);
    case "GetRPCMethods":
    case "TransferCompleteResponse":
    case "FactoryReset":
    case "RebootResponse":
    case "FactoryResetResponse":
      // No arguments; GenieACS writes an explicit open/close pair.
      return method(body.method, "");
    case "InformResponse":
      return encodeInformResponse(body);
    case "GetRPCMethodsResponse":
      return encodeGetRPCMethodsResponse(body);
    case "GetParameterNames":
      return encodeGetParameterNames(body);
    case "GetParameterValues":
      return encodeGetParameterValues(body);
    case "SetParameterValues":
      return encodeSetParameterValues(body);
    case "AddObject":
      return encodeAddObject(body);
    case "DeleteObject":
      return encodeDeleteObject(body);
    case "Reboot":
      return encodeReboot(body);
    case "GetParameterNamesResponse":
      return encodeGetParameterNamesResponse(body);
    case "GetParameterValuesResponse":
      return encodeGetParameterValuesResponse(body);
    case "SetParameterValuesResponse":
      return encodeSetParameterValuesResponse(body);
    case "AddObjectResponse":
      return encodeAddObjectResponse(body);
    case "DeleteObjectResponse":
      return encodeDeleteObjectResponse(body);
    case "Fault":
      return encodeFault(body);
    case "Unknown":
      return encodeUnknown(body);
    default: {
      const unhandled: never = body;
      throw new Error(`unhandled CWMP body ${JSON.stringify(unhandled)}`);
    }
  }
}

function encodeInform(body: Inform): string {
  const d = body.deviceId;
  return method(
    "Inform",
    `<DeviceId>${leaf("Manufacturer", d.manufacturer)}${leaf("OUI", d.oui)}` +
      `${leaf("ProductClass", d.productClass)}${leaf("SerialNumber", d.serialNumber)}</DeviceId>` +
      array(
        "Event",
        "cwmp:EventStruct",
        body.event.map((e) => `<EventStruct>${leaf("EventCode", e.eventCode)}${leaf("CommandKey", e.commandKey)}</EventStruct>`),
      ) +
      leaf("MaxEnvelopes", body.maxEnvelopes) +
      leaf("CurrentTime", body.currentTime) +
      leaf("RetryCount", body.retryCount) +
      parameterValueList(body.parameterList),
  );
}

function encodeTransferComplete(body: TransferComplete): string {
  return method(
    "TransferComplete",
    leaf("CommandKey", body.commandKey) +
      `<FaultStruct>${leaf("FaultCode", body.faultStruct.faultCode)}${leaf("FaultString", body.faultStruct.faultString)}</FaultStruct>` +
      leaf("StartTime", body.startTime) +
      leaf("CompleteTime", body.completeTime),
  );
}

function encodeInformResponse(body: InformResponse): string {
  return method("InformResponse", leaf("MaxEnvelopes", body.maxEnvelopes));
}

function encodeGetRPCMethodsResponse(body: GetRPCMethodsResponse): string {
  return method("GetRPCMethodsResponse", stringList("MethodList", body.methodList));
}

function encodeGetParameterNames(body: GetParameterNames): string {
  // GenieACS writes NextLevel as 1/0 here (cwmp.md §1.4).
  return method("GetParameterNames", leaf("ParameterPath", body.parameterPath) + leaf("NextLevel", body.nextLevel ? 1 : 0));
}

function encodeGetParameterValues(body: GetParameterValues): string {
  return method("GetParameterValues", stringList("ParameterNames", body.parameterNames));
}

function encodeSetParameterValues(body: SetParameterValues): string {
  return method("SetParameterValues", parameterValueList(body.parameterList) + leaf("ParameterKey", body.parameterKey));
}

function encodeAddObject(body: AddObject): string {
  return method("AddObject", leaf("ObjectName", body.objectName) + leaf("ParameterKey", body.parameterKey));
}

function encodeDeleteObject(body: DeleteObject): string {
  return method("DeleteObject", leaf("ObjectName", body.objectName) + leaf("ParameterKey", body.parameterKey));
}

function encodeReboot(body: Reboot): string {
  return method("Reboot", leaf("CommandKey", body.commandKey));
}

function encodeGetParameterNamesResponse(body: GetParameterNamesResponse): string {
  return method(
    "GetParameterNamesResponse",
    array(
      "ParameterList",
      "cwmp:ParameterInfoStruct",
      body.parameterList.map((p) => `<ParameterInfoStruct>${leaf("Name", p.name)}${leaf("Writable", p.writable ? 1 : 0)}</ParameterInfoStruct>`),
    ),
  );
}

function encodeGetParameterValuesResponse(body: GetParameterValuesResponse): string {
  return method("GetParameterValuesResponse", parameterValueList(body.parameterList));
}

function encodeSetParameterValuesResponse(body: SetParameterValuesResponse): string {
  return method("SetParameterValuesResponse", leaf("Status", body.status));
}

function encodeAddObjectResponse(body: AddObjectResponse): string {
  return method("AddObjectResponse", leaf("InstanceNumber", body.instanceNumber) + leaf("Status", body.status));
}

function encodeDeleteObjectResponse(body: DeleteObjectResponse): string {
  return method("DeleteObjectResponse", leaf("Status", body.status));
}

function encodeFault(body: Fault): string {
  // A real <soap-env:Fault>, not GenieACS's invalid <soap-env:Body:Fault>
  // (cwmp.md §6.2). Children of a SOAP 1.1 Fault are unqualified.
  const spv = body.fault.setParameterValuesFaults
    .map(
      (f) =>
        `<SetParameterValuesFault>${leaf("ParameterName", f.parameterName)}` +
        `${leaf("FaultCode", f.faultCode)}${leaf("FaultString", f.faultString)}</SetParameterValuesFault>`,
    )
    .join("");
  return (
    `<soap-env:Fault>${leaf("faultcode", body.faultcode)}${leaf("faultstring", body.faultstring)}` +
    `<detail><cwmp:Fault>${leaf("FaultCode", body.fault.faultCode)}${leaf("FaultString", body.fault.faultString)}${spv}` +
    `</cwmp:Fault></detail></soap-env:Fault>`
  );
}

function encodeUnknown(body: UnknownMethod): string {
  // The name comes from a decoded element, so it is a valid XML name; anything
  // else is a programming error and would produce broken XML.
  if (!/^[A-Za-z_][\w.-]*$/.test(body.name)) throw new RangeError(`invalid CWMP method name "${body.name}"`);
  return method(body.name, "");
}
