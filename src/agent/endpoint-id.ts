// Virtual agent Endpoint IDs from the Inform DeviceId (DESIGN decision 3).
// TR-369 R-ARC.5: instance-id characters are unreserved (ALPHA DIGIT - . _)
// or percent-encoded with upper-case hex, as OB-USP-Agent does.
import type { DeviceIdStruct } from "../cwmp/rpc.js";

export type EndpointIdScheme = "os" | "ops";

export function endpointIdFor(deviceId: DeviceIdStruct, scheme: EndpointIdScheme): string {
  const oui = encodeInstanceId(deviceId.oui);
  const serial = encodeInstanceId(deviceId.serialNumber);
  switch (scheme) {
    case "os":
      return `os::${oui}-${serial}`;
    case "ops":
      return `ops::${oui}-${encodeInstanceId(deviceId.productClass)}-${serial}`;
  }
}

export function encodeInstanceId(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
