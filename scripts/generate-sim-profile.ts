// `npm run generate:sim-profile`: writes src/sim/profiles/huawei-bm632w-tr098.json,
// the simulator profile of a real TR-098 CPE (a Huawei BM632w), from its
// parameter dump (genieacs-sim's data_model_202BC1-BM632w-8KA8WA1151100043.csv,
// MIT licence, copyright 2017 Zaid Abdulla) and the TR-098 XML for the rows
// the dump cannot show (the parameters of a new port mapping). The output is
// committed because CI has neither file; test/sim-profile-tr098.test.ts
// regenerates it in memory whenever both are present and fails on any
// difference (STYLE §2: generated files are never edited by hand).
//
// The dump's values, writability and xsd types are kept as they are, quirks
// included (NATEnabled "1" as xsd:unsignedInt, WLANConfiguration Status "up"):
// they are what a real CPE sends. The exceptions, each for a stated reason:
// - secured parameters (TR-098 hidden="true", and ManagementServer
//   passwords) read as "" (TR-098: "When read, this parameter returns an
//   empty string") and hold no value from the original network;
// - DeviceInfo.UpTime and Time.CurrentLocalTime change every second on a
//   real CPE, so the simulator computes them;
// - ManagementServer.URL, Username, ConnectionRequestURL/Username/Password
//   are replaced per device when the simulator starts (src/sim/fleet.ts).
//
// Usage: npm run generate:sim-profile [-- dump.csv tr-098-1-8-0-full.xml]
// (default: ../shared/data/ next to the repository).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { XMLParser } from "fast-xml-parser";

export const GENERATOR = "scripts/generate-sim-profile.ts";
export const SOURCE_CSV = "data_model_202BC1-BM632w-8KA8WA1151100043.csv";
export const SOURCE_XML = "tr-098-1-8-0-full.xml";
export const PROFILE_ID = "huawei-bm632w-tr098";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const PROFILE_FILE = `${ROOT}src/sim/profiles/${PROFILE_ID}.json`;

const MODEL_ROOT = "InternetGatewayDevice.";
const MANAGEMENT_SERVER = `${MODEL_ROOT}ManagementServer.`;
const PORT_MAPPING = `${MODEL_ROOT}WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnection.{i}.PortMapping.{i}.`;

/** Parameters of a new row of a writable table the dump shows empty, taken
 * from TR-098 by name: the device reports InternetGatewayDevice:1.1, which
 * predates PortMapping's Alias. */
const NEW_ROW_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  [PORT_MAPPING]: [
    "PortMappingEnabled",
    "PortMappingLeaseDuration",
    "RemoteHost",
    "ExternalPort",
    "ExternalPortEndRange",
    "InternalPort",
    "PortMappingProtocol",
    "InternalClient",
    "PortMappingDescription",
  ],
};

/** Computed by the simulator instead of frozen at the dump's moment. */
const DYNAMIC: Readonly<Record<string, "uptime" | "now">> = {
  [`${MODEL_ROOT}DeviceInfo.UpTime`]: "uptime",
  [`${MODEL_ROOT}Time.CurrentLocalTime`]: "now",
};

/** Secured whatever TR-098 says: the credentials the simulator sets per device. */
const ALWAYS_HIDDEN = [`${MANAGEMENT_SERVER}Password`, `${MANAGEMENT_SERVER}ConnectionRequestPassword`];

const XSD_TYPES = new Set(["string", "boolean", "int", "unsignedInt", "long", "unsignedLong", "dateTime", "base64", "hexBinary"]);

interface Constraints {
  enum?: string[];
  maxLength?: number;
  hidden?: true;
  dynamic?: "uptime" | "now";
}
type ParamTuple = [string, boolean, string] | [string, boolean, string, Constraints];

interface Row {
  path: string;
  isObject: boolean;
  writable: boolean;
  value: string;
  type: string;
}

/** Where the sources are looked for, first match wins; CWMP2USP_DEVICE_CSV and
 * CWMP2USP_TR098_XML override. */
export function sourceCandidates(): { csv: string[]; xml: string[] } {
  const env = (name: string): string[] => {
    const v = process.env[name];
    return v !== undefined && v !== "" ? [v] : [];
  };
  const shared = (sub: string): string[] => [
    fileURLToPath(new URL(`../../shared/data/${sub}`, import.meta.url)),
    `/work/shared/data/${sub}`,
  ];
  return {
    csv: [...env("CWMP2USP_DEVICE_CSV"), ...shared(`devices/${SOURCE_CSV}`)],
    xml: [...env("CWMP2USP_TR098_XML"), ...shared(`bbf/${SOURCE_XML}`)],
  };
}

export function findSources(): { csv: string; xml: string } | undefined {
  const c = sourceCandidates();
  const csv = c.csv.find((p) => existsSync(p));
  const xml = c.xml.find((p) => existsSync(p));
  return csv !== undefined && xml !== undefined ? { csv, xml } : undefined;
}

/** RFC 4180 fields of one line: quoted fields may hold commas and "" quotes. */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

function readRows(csv: string): Row[] {
  const lines = csv.split(/\r?\n/).filter((l) => l !== "");
  const header = lines.shift();
  if (header !== "Parameter,Object,Writable,Value,Value type") throw new Error(`${SOURCE_CSV}: unexpected header "${header}"`);
  return lines.map((line, i) => {
    const [path, object, writable, value, type] = csvFields(line);
    if (path === undefined || object === undefined || writable === undefined || value === undefined || type === undefined) {
      throw new Error(`${SOURCE_CSV} line ${i + 2}: expected 5 fields`);
    }
    return { path, isObject: object === "true", writable: writable === "true", value, type: type.replace(/^xsd:/, "") };
  });
}

function templateOf(path: string): string {
  return path.replace(/\.\d+(?=\.|$)/g, ".{i}");
}

type XmlNode = Record<string, unknown>;

function xmlChildren(node: XmlNode, tag: string): XmlNode[] {
  const v = node[tag];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is XmlNode => typeof x === "object" && x !== null);
}

function xmlAttr(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[`@${name}`];
  return typeof v === "string" ? v : undefined;
}

/** The TR-098 objects the generator needs, by name, from the full XML. */
function readXmlObjects(xml: string): Map<string, XmlNode> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    parseTagValue: false,
    parseAttributeValue: false,
    stopNodes: ["*.description"],
    isArray: (tag) => ["object", "parameter", "enumeration", "model"].includes(tag),
  });
  const doc = parser.parse(xml) as XmlNode;
  const root = xmlChildren(doc, "dm:document")[0] ?? xmlChildren(doc, "document")[0];
  const model = root === undefined ? undefined : xmlChildren(root, "model")[0];
  if (model === undefined) throw new Error(`${SOURCE_XML}: no <model>`);
  return new Map(xmlChildren(model, "object").map((o) => [xmlAttr(o, "name") ?? "", o]));
}

/** A fresh row's value of a type; dateTime's is TR-098's Unknown Time. */
function zeroOf(type: string): string {
  if (type === "boolean") return "false";
  if (type === "string" || type === "base64" || type === "hexBinary") return "";
  return type === "dateTime" ? "0001-01-01T00:00:00Z" : "0";
}

/** A TR-098 parameter as a profile tuple: its type, constraints and default
 * (the type's zero, or the first enumeration value, where TR-098 gives none). */
function xmlParam(object: XmlNode, name: string, where: string): ParamTuple {
  const param = xmlChildren(object, "parameter").find((p) => xmlAttr(p, "name") === name);
  const syntax = param === undefined ? undefined : xmlChildren(param, "syntax")[0];
  if (param === undefined || syntax === undefined) throw new Error(`${SOURCE_XML}: ${where}${name} not found`);
  const type = Object.keys(syntax).find((k) => XSD_TYPES.has(k));
  if (type === undefined) throw new Error(`${SOURCE_XML}: ${where}${name} has no base type`);
  const typed = xmlChildren(syntax, type)[0];
  const enumeration = typed === undefined ? [] : xmlChildren(typed, "enumeration").map((e) => xmlAttr(e, "value") ?? "");
  const maxLength = typed === undefined ? undefined : xmlAttr(xmlChildren(typed, "size")[0], "maxLength");
  const given = xmlAttr(xmlChildren(syntax, "default")[0], "value");
  const value = given ?? enumeration[0] ?? zeroOf(type);
  const c: Constraints = {};
  if (enumeration.length > 0) c.enum = enumeration;
  if (maxLength !== undefined) c.maxLength = Number(maxLength);
  const writable = xmlAttr(param, "access") === "readWrite";
  return Object.keys(c).length > 0 ? [type, writable, value, c] : [type, writable, value];
}

/** Names TR-098 marks hidden="true" (secured), by template path. */
function hiddenParams(objects: ReadonlyMap<string, XmlNode>): Set<string> {
  const hidden = new Set<string>(ALWAYS_HIDDEN.map(templateOf));
  for (const [path, object] of objects) {
    for (const p of xmlChildren(object, "parameter")) {
      const syntax = xmlChildren(p, "syntax")[0];
      if (xmlAttr(syntax, "hidden") === "true") hidden.add(path + (xmlAttr(p, "name") ?? ""));
    }
  }
  return hidden;
}

function paramTuple(row: Row, hidden: ReadonlySet<string>): ParamTuple {
  const type = row.type === "" ? "string" : row.type;
  if (!XSD_TYPES.has(type)) throw new Error(`${row.path}: unknown type xsd:${row.type}`);
  const c: Constraints = {};
  let value = row.value;
  if (hidden.has(templateOf(row.path))) {
    c.hidden = true;
    value = "";
  }
  const dynamic = DYNAMIC[row.path];
  if (dynamic !== undefined) c.dynamic = dynamic;
  return Object.keys(c).length > 0 ? [type, row.writable, value, c] : [type, row.writable, value];
}

interface TableSource {
  writable: boolean;
  defaults?: Record<string, ParamTuple>;
}

/** Every multi-instance object: those with numbered rows, and the empty ones
 * whose writable object row says the ACS may add to them. A new row gets the
 * parameters of the device's first existing row (their values reset to the
 * type's zero, as a fresh row has) or, for an empty table, TR-098's. */
function readTables(rows: readonly Row[], params: ReadonlyMap<string, ParamTuple>, xmlObjects: ReadonlyMap<string, XmlNode>): Map<string, TableSource> {
  const objects = rows.filter((r) => r.isObject);
  const writableObjects = new Map(objects.map((r) => [r.path, r.writable]));
  const tables = new Map<string, TableSource>();
  for (const row of objects) {
    const m = /^(.*)\.(\d+)$/.exec(row.path);
    if (m === null) continue;
    const key = `${templateOf(m[1] ?? "")}.{i}.`;
    // The table's own row says whether the ACS may add rows (GetParameterNames).
    if (!tables.has(key)) tables.set(key, { writable: writableObjects.get(m[1] ?? "") ?? row.writable });
  }
  // An object with a named child somewhere (FilterMode.2.DosAttack.ArpAttack)
  // is no table, even where another instance of it is empty.
  const hasNamedChild = (path: string): boolean => rows.some((c) => c.path.startsWith(`${path}.`) && !/^\d+(\.|$)/.test(c.path.slice(path.length + 1)));
  const notTables = new Set(objects.filter((r) => hasNamedChild(r.path)).map((r) => templateOf(r.path)));
  for (const row of objects) {
    const key = `${templateOf(row.path)}.{i}.`;
    const empty = !rows.some((c) => c.path.startsWith(`${row.path}.`));
    const instance = /\.\d+$/.test(row.path);
    if (row.writable && empty && !instance && !tables.has(key) && !notTables.has(templateOf(row.path))) tables.set(key, { writable: true });
  }
  for (const [key, table] of tables) {
    if (!table.writable) continue;
    const names = NEW_ROW_PARAMETERS[key];
    if (names !== undefined) {
      const object = xmlObjects.get(key);
      if (object === undefined) throw new Error(`${SOURCE_XML}: ${key} not found`);
      table.defaults = Object.fromEntries(names.map((n) => [n, xmlParam(object, n, key)]));
      continue;
    }
    const first = [...params.keys()].find((p) => templateOf(p).startsWith(key));
    if (first === undefined) continue;
    // The row itself: as many segments of the parameter as the key has.
    const instance = `${first.split(".").slice(0, key.split(".").length - 1).join(".")}.`;
    const defaults: Record<string, ParamTuple> = {};
    for (const [name, tuple] of params) {
      const rel = name.slice(instance.length);
      // Rows of tables inside the row are not part of a new row.
      if (!name.startsWith(instance) || /(^|\.)\d+\./.test(rel)) continue;
      const [type, writable, , c] = tuple;
      defaults[rel] = c === undefined ? [type, writable, zeroOf(type)] : [type, writable, zeroOf(type), c];
    }
    table.defaults = defaults;
  }
  return tables;
}

/** The Inform's forced parameters (TR-098 forcedInform="true"): the default
 * connection's ExternalIPAddress is the one Layer3Forwarding names, or the
 * first WAN IP connection's when it names none. */
function informParameters(params: ReadonlyMap<string, ParamTuple>): string[] {
  const named = params.get(`${MODEL_ROOT}Layer3Forwarding.DefaultConnectionService`)?.[2] ?? "";
  const fromDefault = named === "" ? undefined : `${named.replace(/\.?$/, ".")}ExternalIPAddress`;
  const externalIp =
    fromDefault !== undefined && params.has(fromDefault)
      ? fromDefault
      : [...params.keys()].find((p) => /\.WAN(IP|PPP)Connection\.\d+\.ExternalIPAddress$/.test(p));
  const list = [
    `${MODEL_ROOT}DeviceSummary`,
    `${MODEL_ROOT}DeviceInfo.SpecVersion`,
    `${MODEL_ROOT}DeviceInfo.HardwareVersion`,
    `${MODEL_ROOT}DeviceInfo.SoftwareVersion`,
    `${MODEL_ROOT}DeviceInfo.ProvisioningCode`,
    `${MANAGEMENT_SERVER}ConnectionRequestURL`,
    `${MANAGEMENT_SERVER}ParameterKey`,
    ...(externalIp !== undefined ? [externalIp] : []),
  ];
  const missing = list.filter((p) => !params.has(p));
  if (missing.length > 0) throw new Error(`${SOURCE_CSV}: forced Inform parameters missing: ${missing.join(", ")}`);
  return list;
}

/** Objects that neither a parameter nor a table implies (no parameter below
 * them) and
 * objects the device reports writable although they are not tables. */
function extraObjects(rows: readonly Row[], tables: ReadonlyMap<string, TableSource>): Record<string, { writable: boolean }> {
  const extra: Record<string, { writable: boolean }> = {};
  for (const row of rows) {
    if (!row.isObject || tables.has(`${templateOf(row.path)}.{i}.`)) continue;
    // No parameter below it: nothing else would create it.
    const empty = !rows.some((c) => !c.isObject && c.path.startsWith(`${row.path}.`));
    const instance = /\.\d+$/.test(row.path);
    if (empty || (row.writable && !instance)) extra[`${row.path}.`] = { writable: row.writable };
  }
  return extra;
}

/** The profile's text for the two sources (their exact bytes, for the
 * hashes). One parameter per line, so a new dump reads as a diff. */
export function generateProfile(csv: Buffer, xml: Buffer): string {
  const rows = readRows(csv.toString("utf8"));
  const xmlObjects = readXmlObjects(xml.toString("utf8"));
  const hidden = hiddenParams(xmlObjects);
  const deviceIdRows = new Map(rows.filter((r) => r.path.startsWith("DeviceID.")).map((r) => [r.path.slice("DeviceID.".length), r.value]));
  const modelRows = rows.filter((r) => r.path.startsWith(MODEL_ROOT));
  const params = new Map(modelRows.filter((r) => !r.isObject).map((r) => [r.path, paramTuple(r, hidden)] as const));
  const tables = readTables(modelRows, params, xmlObjects);
  const deviceId = {
    manufacturer: deviceIdRows.get("Manufacturer") ?? "",
    oui: deviceIdRows.get("OUI") ?? "",
    productClass: deviceIdRows.get("ProductClass") ?? "",
    serialNumber: deviceIdRows.get("SerialNumber") ?? "",
  };
  const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");
  const header: [string, unknown][] = [
    ["id", PROFILE_ID],
    [
      "description",
      `A real TR-098 home gateway, Huawei BM632w (WiMAX WAN), from its parameter dump ${SOURCE_CSV} of the genieacs-sim project (MIT licence, copyright 2017 Zaid Abdulla). Values, writability and types as the device reported them.`,
    ],
    ["generatedBy", GENERATOR],
    ["sources", { [SOURCE_CSV]: sha(csv), [SOURCE_XML]: sha(xml) }],
    ["root", MODEL_ROOT],
    ["deviceId", deviceId],
    [
      "identity",
      {
        manufacturer: `${MODEL_ROOT}DeviceInfo.Manufacturer`,
        oui: `${MODEL_ROOT}DeviceInfo.ManufacturerOUI`,
        productClass: `${MODEL_ROOT}DeviceInfo.ProductClass`,
      },
    ],
    ["managementServer", MANAGEMENT_SERVER],
    ["informParameters", informParameters(params)],
    ["quirks", { booleanLiteral: modelRows.some((r) => r.type === "boolean" && /^[01]$/.test(r.value)) ? "1" : "true" }],
    ["objects", extraObjects(modelRows, tables)],
  ];
  const lines = header.map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const tableLines = [...tables].map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const paramLines = [...params].map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${lines.join("\n")}\n  "tables": {\n${tableLines.join(",\n")}\n  },\n  "parameters": {\n${paramLines.join(",\n")}\n  }\n}\n`;
}

function main(): void {
  const [csvArg, xmlArg] = process.argv.slice(2);
  const found = csvArg !== undefined && xmlArg !== undefined ? { csv: csvArg, xml: xmlArg } : findSources();
  if (found === undefined || !existsSync(found.csv) || !existsSync(found.xml)) {
    const c = sourceCandidates();
    console.error(`generate:sim-profile: ${SOURCE_CSV} or ${SOURCE_XML} not found (looked in ${[...c.csv, ...c.xml].join(", ")}); pass both paths as arguments`);
    process.exit(2);
  }
  const text = generateProfile(readFileSync(found.csv), readFileSync(found.xml));
  writeFileSync(PROFILE_FILE, text);
  console.log(`generate:sim-profile: wrote ${PROFILE_FILE} (${text.length} bytes) from ${found.csv} and ${found.xml}`);
}

// Run only as a script, not when the profile test imports generateProfile.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
