// Constants and scalar helpers shared by soap-decode.ts and soap-encode.ts:
// namespace URIs, lenient readers for the XSD scalar types CWMP uses, and the
// XML escaping the encoder applies to every string it writes.

import type { FaultStruct, ParameterValue } from "./rpc.js";
import { child, resolveQName, type XmlElement } from "./xml.js";

export const SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/";
export const SOAP_ENC_NS = "http://schemas.xmlsoap.org/soap/encoding/";
/** SOAP 1.2; invalid for CWMP (cwmp.md §1.1), recognised only to reject it clearly. */
export const SOAP12_ENV_NS = "http://www.w3.org/2003/05/soap-envelope";
export const XSD_NS = "http://www.w3.org/2001/XMLSchema";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
/** Any cwmp-X-Y namespace: 1-3 and 1-4 are unofficial but sent by icwmp and
 * accepted by GenieACS (cwmp.md §1.1). */
export const CWMP_NS_PATTERN = /^urn:dslforum-org:cwmp-\d+-\d+$/;

/** Collects warnings for one decode call; passed explicitly, never global
 * (STYLE.md §4 item 2: genieacs's module-level `warnings`). */
export type Warnings = string[];

/** Text of a child element, or `fallback` (+ warning) if it is missing. */
export function readString(
  parent: XmlElement,
  name: string,
  warnings: Warnings,
  fallback = "",
): string {
  const el = child(parent, name);
  if (el === undefined) {
    warnings.push(`missing <${name}> in <${parent.localName}>; using "${fallback}"`);
    return fallback;
  }
  return el.text.trim();
}

/** xs:int / xs:unsignedInt children. Invalid or missing values become
 * `fallback` with a warning, as GenieACS does (cfe279b, cwmp.md §6.2). */
export function readInt(parent: XmlElement, name: string, warnings: Warnings, fallback = 0): number {
  const el = child(parent, name);
  if (el === undefined) {
    warnings.push(`missing <${name}> in <${parent.localName}>; using ${fallback}`);
    return fallback;
  }
  const parsed = parseIntStrict(el.text);
  if (parsed === undefined) {
    warnings.push(`invalid integer "${el.text}" in <${name}>; using ${fallback}`);
    return fallback;
  }
  return parsed;
}

export function parseIntStrict(text: string): number | undefined {
  const t = text.trim();
  return /^[-+]?\d+$/.test(t) ? Number(t) : undefined;
}

/** xs:boolean, leniently: `True`/`FALSE` appear in the wild (cwmp.md §1.3) and
 * an empty value crashed GenieACS (genieacs#215). */
export function parseBoolean(text: string): boolean | undefined {
  switch (text.trim().toLowerCase()) {
    case "true":
    case "1":
      return true;
    case "false":
    case "0":
      return false;
    default:
      return undefined;
  }
}

export function readBoolean(
  parent: XmlElement,
  name: string,
  warnings: Warnings,
  fallback = false,
): boolean {
  const el = child(parent, name);
  const parsed = el === undefined ? undefined : parseBoolean(el.text);
  if (parsed === undefined) {
    const what = el === undefined ? "missing" : `invalid boolean "${el.text}" in`;
    warnings.push(`${what} <${name}> in <${parent.localName}>; using ${fallback}`);
    return fallback;
  }
  return parsed;
}

/** Element children of an array element. SOAP arrayType counts are ignored:
 * genieacs-sim always writes [16] (cwmp.md §1.3 "never trust N"). */
export function arrayItems(parent: XmlElement, name: string, warnings: Warnings): XmlElement[] {
  const el = child(parent, name);
  if (el === undefined) {
    warnings.push(`missing <${name}> in <${parent.localName}>; using an empty list`);
    return [];
  }
  return el.children;
}

/** The xsi:type of a Value element, as written but with the prefix normalised
 * to `xsd:` when it resolves to the XML Schema namespace (`xs:string` →
 * `xsd:string`). Missing or empty types become xsd:string with a warning,
 * as GenieACS does (genieacs#139 Audiocodes `xsd:`, 1a5fd65). */
export function readValueType(value: XmlElement, paramName: string, warnings: Warnings): string {
  const raw = value.attributes.get("type")?.trim();
  if (raw === undefined || raw === "") {
    warnings.push(`missing xsi:type on Value of ${paramName}; assuming xsd:string`);
    return "xsd:string";
  }
  const { uri, prefix, local } = resolveQName(value, raw);
  if (local === "") {
    warnings.push(`empty xsi:type "${raw}" on Value of ${paramName}; assuming xsd:string`);
    return "xsd:string";
  }
  if (uri === XSD_NS || (uri === "" && prefix === "xsd")) return `xsd:${local}`;
  return raw;
}

// Encoder side ------------------------------------------------------------

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  // CR would be normalised to LF by the receiving parser; a reference keeps it.
  "\r": "&#13;",
};

/** Escape text or attribute content. Characters XML 1.0 cannot carry at all
 * (C0 controls) are dropped so the writer always emits well-formed XML
 * (genieacs#76 is the reverse case: strict CPE parsers reject them). */
export function escapeXml(text: string): string {
  return text
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, "")
    .replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c);
}

// Element writers shared by soap-encode.ts and soap-encode-transfers.ts.

export function method(name: string, content: string): string {
  return `<cwmp:${name}>${content}</cwmp:${name}>`;
}

/** An unprefixed leaf: method children are unqualified (XSD
 * elementFormDefault="unqualified", cwmp.md §1.3). Empty values are written as
 * an open/close pair, never self-closed (cwmp.md §8 item 19). */
export function leaf(name: string, text: string | number): string {
  return `<${name}>${typeof text === "number" ? String(text) : escapeXml(text)}</${name}>`;
}

export function array(name: string, itemType: string, items: string[]): string {
  return `<${name} soap-enc:arrayType="${itemType}[${items.length}]">${items.join("")}</${name}>`;
}

export function parameterValueList(list: ParameterValue[]): string {
  return array(
    "ParameterList",
    "cwmp:ParameterValueStruct",
    list.map(
      (p) =>
        `<ParameterValueStruct>${leaf("Name", p.name)}` +
        `<Value xsi:type="${escapeXml(p.type)}">${escapeXml(p.value)}</Value></ParameterValueStruct>`,
    ),
  );
}

export function stringList(name: string, values: string[]): string {
  return array(name, "xsd:string", values.map((v) => leaf("string", v)));
}

/** TransferComplete's FaultStruct and OpResultStruct's Fault (same shape). */
export function faultStruct(name: string, f: FaultStruct): string {
  return `<${name}>${leaf("FaultCode", f.faultCode)}${leaf("FaultString", f.faultString)}</${name}>`;
}

/** xs:boolean as the CPE side writes it (1/0, like GPN Writable). */
export function bit(value: boolean): number {
  return value ? 1 : 0;
}
