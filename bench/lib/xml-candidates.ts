// XML parser candidates for src/cwmp/xml.ts, each wrapped to do the whole
// job xml.ts does: bytes → our namespace-resolved XmlElement tree (entities
// decoded, CDATA literal) or an error message. Timing only the library call
// would flatter parsers whose output still needs a second walk to become
// usable; every wrapper here pays for exactly what the codec would need.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { Parser as Htmlparser2 } from "htmlparser2";
import { SaxesParser } from "saxes";
import * as txmlModule from "txml";
import type { XmlElement } from "../../src/cwmp/xml.js";
import { fromDist } from "./dist.js";

type XmlModule = typeof import("../../src/cwmp/xml.js");

// txml 6 ships an index.d.ts that re-exports files missing from the package,
// so its types are declared here from its README.
interface TNode {
  tagName: string;
  attributes: Record<string, string | null>;
  children: (TNode | string)[];
}
const txmlParse = (txmlModule as unknown as { parse: (xml: string, options: { keepWhitespace: boolean }) => (TNode | string)[] }).parse;

export interface Candidate {
  name: string;
  /** The tree, or an error message (never throws). */
  parse(xml: string): XmlElement | string;
}

const MAX_DEPTH = 64;
// The pre-checks xml.ts did around fast-xml-parser, given to every library
// candidate alike so that they differ only in what the library itself does.
const DTD_MARKUP = /<!(DOCTYPE|ENTITY)/i;
const EMPTY: ReadonlyMap<string, string> = new Map();

function precheck(xml: string): string | undefined {
  if (xml.trim() === "") return "empty document";
  if (DTD_MARKUP.test(xml)) return "DOCTYPE and entity declarations are not allowed";
  return undefined;
}

/** Builds our tree from open/text/close events: namespace scopes, localName
 * split, depth bound. Shared by every library wrapper so they pay the same. */
class TreeBuilder {
  private readonly stack: XmlElement[] = [];
  root: XmlElement | undefined;
  error: string | undefined;

  open(qname: string, attrs: Iterable<[string, string]>): void {
    const parent = this.stack[this.stack.length - 1];
    if (this.stack.length >= MAX_DEPTH) this.error ??= `XML nested deeper than ${MAX_DEPTH} levels`;
    let prefixes = parent?.prefixes ?? EMPTY;
    let attributes: Map<string, string> | undefined;
    for (const [name, value] of attrs) {
      if (name === "xmlns" || name.startsWith("xmlns:")) {
        if (prefixes === (parent?.prefixes ?? EMPTY)) prefixes = new Map(prefixes);
        (prefixes as Map<string, string>).set(name === "xmlns" ? "" : name.slice(6), value);
      } else {
        (attributes ??= new Map()).set(name.slice(name.indexOf(":") + 1), value);
      }
    }
    const colon = qname.indexOf(":");
    const element: XmlElement = {
      localName: qname.slice(colon + 1),
      namespaceUri: prefixes.get(colon < 0 ? "" : qname.slice(0, colon)) ?? "",
      attributes: attributes ?? EMPTY,
      text: "",
      children: [],
      prefixes,
    };
    if (parent === undefined) {
      if (this.root !== undefined) this.error ??= "more than one root element";
      this.root = element;
    } else parent.children.push(element);
    this.stack.push(element);
  }

  text(data: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined) top.text += data;
    else if (data.trim() !== "") this.error ??= "text outside the root element";
  }

  close(): void {
    this.stack.pop();
  }

  result(): XmlElement | string {
    if (this.error !== undefined) return this.error;
    if (this.stack.length > 0) return "unclosed element";
    return this.root ?? "no root element";
  }
}

function guarded(name: string, parse: (xml: string) => XmlElement | string): Candidate {
  return {
    name,
    parse(xml) {
      const bad = precheck(xml);
      if (bad !== undefined) return bad;
      try {
        return parse(xml);
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
  };
}

type FxpNode = Record<string, unknown>;
const FXP_ATTRS = ":@";

/** fast-xml-parser 5 as xml.ts used it until 2026-11-24: optional
 * XMLValidator pass (well-formedness errors with line and column), then the
 * preserveOrder parse, then a walk into our tree. */
function fastXmlParser(validate: boolean, decode: XmlModule["decodeEntities"]): Candidate {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    cdataPropName: "#cdata",
    commentPropName: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: MAX_DEPTH,
  });
  const warnings: string[] = [];
  function walk(nodes: FxpNode[], b: TreeBuilder): void {
    for (const node of nodes) {
      if ("#text" in node) b.text(decode(String(node["#text"]), warnings));
      else if ("#cdata" in node) for (const part of node["#cdata"] as FxpNode[]) b.text(String(part["#text"] ?? ""));
      else {
        const qname = Object.keys(node).find((k) => k !== FXP_ATTRS) ?? "";
        const attrs = Object.entries((node[FXP_ATTRS] ?? {}) as Record<string, string>).map(([k, v]): [string, string] => [k, decode(v, warnings)]);
        b.open(qname, attrs);
        walk(node[qname] as FxpNode[], b);
        b.close();
      }
    }
  }
  return guarded(validate ? "fast-xml-parser+validate" : "fast-xml-parser", (xml) => {
    if (validate) {
      const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
      if (valid !== true) return `malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`;
    }
    const b = new TreeBuilder();
    walk(parser.parse(xml) as FxpNode[], b);
    return b.result();
  });
}

/** htmlparser2 in xmlMode: a tolerant SAX tokenizer. It reports implied
 * closes (our mismatched/unclosed check) but drops stray closing tags
 * silently, and accepts unquoted attributes and a bare `&`. */
function htmlparser2(): Candidate {
  return guarded("htmlparser2", (xml) => {
    const b = new TreeBuilder();
    let attrs: [string, string][] = [];
    const parser: Htmlparser2 = new Htmlparser2(
      {
        onattribute(name, value, quote) {
          if (quote === undefined || quote === null) b.error ??= `unquoted attribute '${name}' at index ${parser.startIndex}`;
          attrs.push([name, value]);
        },
        onopentag(name) {
          b.open(name, attrs);
          attrs = [];
        },
        ontext: (data) => b.text(data),
        onclosetag(name, isImplied) {
          // "Implied" covers `<a/>` too; only a close the input did not write
          // (mismatch, end of input) is an error.
          const selfClosing = xml.charCodeAt(parser.endIndex) === 0x3e && xml.charCodeAt(parser.endIndex - 1) === 0x2f;
          if (isImplied && !selfClosing) b.error ??= `element '${name}' not closed (at index ${parser.startIndex})`;
          b.close();
        },
      },
      { xmlMode: true, decodeEntities: true },
    );
    parser.end(xml);
    return b.result();
  });
}

/** saxes: a strict, spec-following SAX parser (well-formedness errors with
 * line:column); namespaces resolved by our builder so a CPE's undeclared
 * prefix stays a warning, not an error. */
function saxes(): Candidate {
  return guarded("saxes", (xml) => {
    const b = new TreeBuilder();
    const parser = new SaxesParser({ position: true });
    parser.on("opentag", (tag) => b.open(tag.name, Object.entries(tag.attributes as Record<string, string>)));
    parser.on("text", (text) => b.text(text));
    parser.on("cdata", (text) => b.text(text));
    parser.on("closetag", () => b.close());
    parser.write(xml).close();
    return b.result();
  });
}

/** txml: the smallest DOM parser; CDATA comes back as plain text (so it
 * cannot be kept literal while text is entity-decoded) and an unclosed
 * element is closed silently at the end of input. */
function txml(decode: XmlModule["decodeEntities"]): Candidate {
  const warnings: string[] = [];
  function walk(nodes: (TNode | string)[], b: TreeBuilder): void {
    for (const node of nodes) {
      if (typeof node === "string") b.text(decode(node, warnings));
      else if (node.tagName.startsWith("?") || node.tagName.startsWith("!")) continue; // declaration, DOCTYPE
      else {
        b.open(node.tagName, Object.entries(node.attributes).map(([k, v]): [string, string] => [k, decode(String(v ?? ""), warnings)]));
        walk(node.children, b);
        b.close();
      }
    }
  }
  return guarded("txml", (xml) => {
    const b = new TreeBuilder();
    walk(txmlParse(xml, { keepWhitespace: true }).filter((n) => typeof n !== "string" || n.trim() !== ""), b);
    return b.result();
  });
}

export async function candidates(): Promise<Candidate[]> {
  const { parseXml, decodeEntities } = await fromDist<XmlModule>("cwmp/xml.js");
  const own: Candidate = {
    name: "own (xml.ts)",
    parse(xml) {
      const r = parseXml(xml);
      return r.ok ? r.root : r.error;
    },
  };
  return [fastXmlParser(true, decodeEntities), fastXmlParser(false, decodeEntities), htmlparser2(), saxes(), txml(decodeEntities), own];
}

/** What xml.ts must do, as inputs with the expected outcome: a tree that
 * passes `check`, or an error that names a position. */
export const NEEDS: ReadonlyArray<{ need: string; xml: string; check?: (root: XmlElement) => boolean }> = [
  { need: "prefix resolved by URI", xml: '<x:E xmlns:x="urn:u"><x:B/></x:E>', check: (r) => r.namespaceUri === "urn:u" && r.children[0]?.namespaceUri === "urn:u" },
  { need: "undeclared prefix tolerated", xml: "<p:E><B/></p:E>", check: (r) => r.localName === "E" },
  { need: "single-quoted attributes", xml: "<E a='1'/>", check: (r) => r.attributes.get("a") === "1" },
  { need: "5 entities + char refs", xml: "<E>&amp;&lt;&gt;&quot;&apos;&#65;&#x42;</E>", check: (r) => r.text === "&<>\"'AB" },
  { need: "CDATA literal", xml: "<E><![CDATA[a&amp;<b]]></E>", check: (r) => r.text === "a&amp;<b" },
  { need: "mismatched tag refused", xml: "<E><B></E>" },
  { need: "unclosed root refused", xml: "<E><B></B>" },
  { need: "stray closing tag refused", xml: "<E></B></E>" },
  { need: "text after root refused", xml: "<E/>junk" },
  { need: "unquoted attribute refused", xml: "<E a=1/>" },
  { need: "bare & refused", xml: "<E>a & b</E>" },
];

/** Needs a candidate misses on the inputs above. */
export function missedNeeds(c: Candidate): string[] {
  const missed: string[] = [];
  for (const { need, xml, check } of NEEDS) {
    const out = c.parse(xml);
    if (check !== undefined ? typeof out === "string" || !check(out) : typeof out !== "string") missed.push(need);
  }
  return missed;
}

/** Errors must say where: a line/column or an index in the message. */
export function errorHasPosition(c: Candidate): boolean {
  const out = c.parse("<E>\n  <B></E>");
  return typeof out === "string" && /\d/.test(out);
}
