// Reads a Broadband Forum "full" data-model XML (one <model>, every object
// flattened under it, as bbfreport writes it) into the compact schema that
// mappings/tr181-schema.json and mappings/tr098-schema.json hold. Pure: text
// in, data out, so the schema test can regenerate in memory and compare with
// the committed files (STYLE §2 mappings/: CI reruns the generator to catch
// drift). The TR-181 USP file (DM schema 1-15) and the TR-098 file (1-14, with
// the older datamodel-report-0-1 namespace, no commands or events, Alias as
// `dataType ref="Alias"`) read the same way: only the elements and attributes
// below are looked at, and both name the document element dm:document.
//
// What is kept is what GetSupportedDM and the Set/Add type checks need:
// objects (access, unique keys), parameters (value type, access, whether
// active notification may be denied), commands (async, argument names) and
// events (argument names). Items with status="deleted" are left out: they are
// no longer part of the model (TR-106 §3.7), which is also what the BBF's own
// flattened index does.
import { XMLParser } from "fast-xml-parser";

/** One letter per TR-106 base type; ParamValueType in src/translate/schema.ts. */
const TYPE_LETTERS: Readonly<Record<string, string>> = {
  string: "s",
  boolean: "b",
  dateTime: "t",
  int: "i",
  long: "l",
  unsignedInt: "u",
  unsignedLong: "U",
  base64: "6",
  hexBinary: "x",
  decimal: "d",
};

const ACCESS_LETTERS: Readonly<Record<string, string>> = { readOnly: "r", readWrite: "w", writeOnceReadOnly: "o" };

export interface CompactCommand {
  async?: true;
  in?: string[];
  out?: string[];
}

export interface CompactObject {
  /** "rw" for tables the Controller may add to and delete from; absent = readOnly. */
  a?: "rw";
  /** Unique key sets, each a list of parameter names (TR-181 <uniqueKey>). */
  k?: string[][];
  /** Parameter name → type letter + access letter (+ "n": activeNotify canDeny,
   * + "h": secured, its value reads as ""). */
  p?: Record<string, string>;
  c?: Record<string, CompactCommand>;
  e?: Record<string, string[]>;
}

export interface CompactSchema {
  model: string;
  spec: string;
  objects: Record<string, CompactObject>;
}

type Node = Record<string, unknown>;

// Elements that may repeat; everything else is read as a single child.
const REPEATED = new Set(["object", "parameter", "command", "event", "uniqueKey", "dataType", "profile"]);

function parseXml(xml: string): Node {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    parseTagValue: false,
    parseAttributeValue: false,
    // Descriptions are most of the file and none of the schema.
    stopNodes: ["*.description"],
    isArray: (tagName) => REPEATED.has(tagName),
  });
  return parser.parse(xml) as Node;
}

function isNode(x: unknown): x is Node {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function children(node: Node, tag: string): Node[] {
  const v = node[tag];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (isNode(x) ? x : {}));
}

function child(node: Node, tag: string): Node | undefined {
  return children(node, tag)[0];
}

function attr(node: Node, name: string): string | undefined {
  const v = node[`@${name}`];
  return typeof v === "string" ? v : undefined;
}

const live = (node: Node): boolean => attr(node, "status") !== "deleted";

/** Named data types resolve to a base type letter through their `base` chain
 * (IPv4Address → IPAddress → string); a list of anything is a string on the
 * wire (TR-106 comma-separated lists), so it is "s". */
class DataTypes {
  private readonly defs = new Map<string, Node>();
  private readonly resolved = new Map<string, string>();

  constructor(doc: Node) {
    for (const dt of children(doc, "dataType")) {
      const name = attr(dt, "name");
      if (name !== undefined) this.defs.set(name, dt);
    }
  }

  letter(name: string, seen: string[] = []): string {
    const cached = this.resolved.get(name);
    if (cached !== undefined) return cached;
    const def = this.defs.get(name);
    if (def === undefined || seen.includes(name)) throw new Error(`data type ${name} is not defined (or is circular)`);
    const base = attr(def, "base");
    const letter = child(def, "list") !== undefined ? "s" : base !== undefined ? this.letter(base, [...seen, name]) : baseLetter(def, name);
    this.resolved.set(name, letter);
    return letter;
  }
}

function baseLetter(holder: Node, what: string): string {
  for (const [tag, letter] of Object.entries(TYPE_LETTERS)) if (holder[tag] !== undefined) return letter;
  throw new Error(`${what}: no recognised type in its syntax`);
}

function typeLetter(syntax: Node | undefined, types: DataTypes, what: string): string {
  if (syntax === undefined) throw new Error(`${what}: no <syntax>`);
  if (child(syntax, "list") !== undefined) return "s";
  const ref = child(syntax, "dataType");
  if (ref !== undefined) {
    const name = attr(ref, "ref") ?? attr(ref, "base");
    if (name === undefined) throw new Error(`${what}: <dataType> without ref or base`);
    return types.letter(name);
  }
  return baseLetter(syntax, what);
}

/** Argument names of a command's input/output or an event, relative to it;
 * arguments inside argument objects are named through them
 * ("RouteHops.{i}.Host"), as obuspa registers them. */
function argNames(holder: Node | undefined): string[] {
  if (holder === undefined) return [];
  const names = children(holder, "parameter").filter(live).flatMap((p) => attr(p, "name") ?? []);
  for (const obj of children(holder, "object").filter(live)) {
    const prefix = attr(obj, "name") ?? "";
    for (const p of children(obj, "parameter").filter(live)) {
      const name = attr(p, "name");
      if (name !== undefined) names.push(prefix + name);
    }
  }
  return names;
}

function compactCommand(cmd: Node): CompactCommand {
  const out: CompactCommand = {};
  if (attr(cmd, "async") === "true") out.async = true;
  const input = argNames(child(cmd, "input"));
  const output = argNames(child(cmd, "output"));
  if (input.length > 0) out.in = input;
  if (output.length > 0) out.out = output;
  return out;
}

function compactParams(obj: Node, path: string, types: DataTypes): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const p of children(obj, "parameter").filter(live)) {
    const name = attr(p, "name");
    if (name === undefined) continue;
    // bbfreport omits access="readOnly", the default.
    const access = ACCESS_LETTERS[attr(p, "access") ?? "readOnly"];
    if (access === undefined) throw new Error(`${path}${name}: unknown access ${attr(p, "access")}`);
    const syntax = child(p, "syntax");
    const canDeny = attr(p, "activeNotify") === "canDeny" ? "n" : "";
    // secured (DM schema 1-15) or the older hidden: read back as "".
    const secured = syntax !== undefined && (attr(syntax, "secured") === "true" || attr(syntax, "hidden") === "true") ? "h" : "";
    params[name] = typeLetter(syntax, types, path + name) + access + canDeny + secured;
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

function compactObject(obj: Node, path: string, types: DataTypes): CompactObject {
  const out: CompactObject = {};
  // Only tables can be added to or deleted from; readWrite means both here
  // (the 1-15 DM schema has no add-only / delete-only object access).
  if (attr(obj, "access") === "readWrite" && path.endsWith("{i}.")) out.a = "rw";
  const keys = children(obj, "uniqueKey")
    .filter(live)
    .map((k) => children(k, "parameter").flatMap((p) => attr(p, "ref") ?? []));
  if (keys.length > 0) out.k = keys;
  const params = compactParams(obj, path, types);
  if (params !== undefined) out.p = params;
  const commands = children(obj, "command").filter(live);
  if (commands.length > 0) out.c = Object.fromEntries(commands.map((c) => [attr(c, "name") ?? "", compactCommand(c)]));
  const events = children(obj, "event").filter(live);
  if (events.length > 0) out.e = Object.fromEntries(events.map((e) => [attr(e, "name") ?? "", argNames(e)]));
  return out;
}

/** The compact schema of the one <model> in a BBF full XML. */
export function readBbfModel(xml: string): CompactSchema {
  const doc = child(parseXml(xml), "dm:document");
  if (doc === undefined) throw new Error("not a BBF data-model document (no dm:document)");
  const model = child(doc, "model");
  if (model === undefined) throw new Error("the document has no <model>");
  const types = new DataTypes(doc);
  const objects: Record<string, CompactObject> = {};
  for (const obj of children(model, "object").filter(live)) {
    const path = attr(obj, "name");
    if (path === undefined) continue;
    objects[path] = compactObject(obj, path, types);
  }
  return { model: attr(model, "name") ?? "", spec: attr(doc, "spec") ?? "", objects };
}
