// Checks a SetParameterValues value against its parameter's definition.
// TR-069 A.3.2.1 / Table A.5: 9006 when the value cannot be read as the
// parameter's type (including the type's own range, e.g. -1 for unsignedInt),
// 9007 when it is well-formed but outside the profile's range, length or
// enumeration.
import type { Quirks } from "./profile.js";
import type { ParamDef, XsdType } from "./tree.js";

export type ValueCheck =
  | { ok: true; value: string }
  | { ok: false; faultCode: 9006 | 9007; faultString: string };

const INVALID_TYPE = "Invalid parameter type";
const INVALID_VALUE = "Invalid parameter value";

const INTEGER_RANGES: Partial<Record<XsdType, readonly [bigint, bigint]>> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  unsignedLong: [0n, 2n ** 64n - 1n],
};

// xsd:dateTime lexical form; TR-069 also uses 0001-01-01T00:00:00Z as
// "Unknown Time", which this accepts.
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function fail(faultCode: 9006 | 9007, faultString: string): ValueCheck {
  return { ok: false, faultCode, faultString };
}

function checkBoolean(raw: string, quirks: Quirks): ValueCheck {
  const lower = raw.trim().toLowerCase();
  const isWord = lower === "true" || lower === "false";
  const isDigit = lower === "1" || lower === "0";
  if (!isWord && !isDigit) return fail(9006, INVALID_TYPE);
  // genieacs#228: some CPEs accept only their own literal and answer 9007.
  if (quirks.strictBooleanLiteral && (quirks.booleanLiteral === "1" ? isWord : isDigit)) {
    return fail(9007, INVALID_VALUE);
  }
  return { ok: true, value: String(lower === "true" || lower === "1") };
}

function checkInteger(def: ParamDef, raw: string): ValueCheck {
  const text = raw.trim();
  const range = INTEGER_RANGES[def.type];
  if (range === undefined || !/^[+-]?\d+$/.test(text)) return fail(9006, INVALID_TYPE);
  const n = BigInt(text);
  if (n < range[0] || n > range[1]) return fail(9006, INVALID_TYPE);
  if (def.min !== undefined && n < BigInt(def.min)) return fail(9007, INVALID_VALUE);
  if (def.max !== undefined && n > BigInt(def.max)) return fail(9007, INVALID_VALUE);
  return { ok: true, value: n.toString() };
}

function checkDateTime(raw: string): ValueCheck {
  const text = raw.trim();
  if (!DATE_TIME.test(text)) return fail(9006, INVALID_TYPE);
  const [date, time] = text.split("T");
  const [, month, day] = (date ?? "").replace(/^-/, "").split("-").map(Number);
  const [hour, minute, second] = (time ?? "").slice(0, 8).split(":").map(Number);
  const fieldsOk =
    month !== undefined && month >= 1 && month <= 12 &&
    day !== undefined && day >= 1 && day <= 31 &&
    hour !== undefined && hour <= 23 && minute !== undefined && minute <= 59 &&
    second !== undefined && second <= 60;
  return fieldsOk ? { ok: true, value: text } : fail(9006, INVALID_TYPE);
}

function checkString(def: ParamDef, raw: string): ValueCheck {
  if (def.type === "base64" && !/^[A-Za-z0-9+/]*={0,2}$/.test(raw.replace(/\s/g, ""))) {
    return fail(9006, INVALID_TYPE);
  }
  if (def.type === "hexBinary" && !/^([0-9A-Fa-f]{2})*$/.test(raw)) return fail(9006, INVALID_TYPE);
  if (def.maxLength !== undefined && raw.length > def.maxLength) return fail(9007, INVALID_VALUE);
  return { ok: true, value: raw };
}

export function checkValue(def: ParamDef, raw: string, quirks: Quirks): ValueCheck {
  let result: ValueCheck;
  switch (def.type) {
    case "boolean":
      return checkBoolean(raw, quirks);
    case "int":
    case "unsignedInt":
    case "long":
    case "unsignedLong":
      result = checkInteger(def, raw);
      break;
    case "dateTime":
      result = checkDateTime(raw);
      break;
    case "string":
    case "base64":
    case "hexBinary":
      result = checkString(def, raw);
      break;
  }
  if (result.ok && def.enumeration !== undefined && !def.enumeration.includes(result.value)) {
    return fail(9007, INVALID_VALUE);
  }
  return result;
}

/** The literal a CPE reports a stored boolean with (genieacs#228). */
export function reportBoolean(stored: string, quirks: Quirks): string {
  const on = stored === "true";
  return quirks.booleanLiteral === "1" ? (on ? "1" : "0") : String(on);
}

/** xsd:dateTime in UTC without milliseconds: some CPE-side parsers reject
 * them (cwmp.md §6.4 #7), so the simulator never writes any. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
