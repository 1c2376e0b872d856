// Namespace-resolving XML element tree on top of fast-xml-parser 5, shaped for
// the CWMP codec. fast-xml-parser only knows prefixes, and CWMP parsers must
// resolve by namespace URI or localName, never by prefix (cwmp.md §1.1, §7 #4:
// easycwmp's `soap_env` broke fixed-prefix XPath in genieacs#138). This module
// also owns the input hygiene every CWMP parser needs: size and depth bounds,
// no DOCTYPE (so no entity expansion), stripping control characters that
// strict parsers choke on (genieacs#76), and never throwing to the caller.

import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface XmlElement {
  localName: string;
  /** Resolved namespace URI; "" when the element is unprefixed with no default
   * namespace in scope, or its prefix is undeclared (callers then fall back to
   * localName, as cwmp.md §8 item 1 asks). */
  namespaceUri: string;
  /** Attributes by localName (prefix dropped), entity-decoded. xmlns
   * declarations are not included; they are folded into `prefixes`. */
  attributes: ReadonlyMap<string, string>;
  /** Concatenated character data (text and CDATA) directly inside this element. */
  text: string;
  children: XmlElement[];
  /** Prefix → URI in scope at this element ("" is the default namespace).
   * Needed to resolve QName-valued attributes such as xsi:type="xs:string". */
  prefixes: ReadonlyMap<string, string>;
}

export interface XmlParseOptions {
  /** Maximum input size in UTF-8 bytes. */
  maxBytes?: number;
  /** Maximum element nesting depth. */
  maxDepth?: number;
}

export type XmlParseResult =
  | { ok: true; root: XmlElement; warnings: string[] }
  | { ok: false; error: string };

// 4 MiB is far above the 32 KB every CWMP endpoint must accept (cwmp.md §1.3)
// and above a full TR-098 GPV response of a few thousand parameters.
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
// A CWMP envelope is about 6 levels deep; 64 leaves room for odd vendors while
// keeping recursive tree walks safely shallow.
export const DEFAULT_MAX_DEPTH = 64;

// Characters not allowed in XML 1.0 (C0 controls other than TAB/LF/CR, and the
// non-characters U+FFFE/U+FFFF). Some STBs emit them in values (genieacs#76).
const INVALID_XML_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;
const INVALID_XML_CHAR_TEST = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
// Entity declarations are the door to billion-laughs / XXE; CWMP never needs a
// DTD, so any DOCTYPE or ENTITY markup is refused outright.
const DTD_MARKUP = /<!(DOCTYPE|ENTITY)/i;
const ENTITY_REF = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

const ATTRS_KEY = ":@";
const TEXT_KEY = "#text";
const CDATA_KEY = "#cdata";

/** The node shape fast-xml-parser produces with preserveOrder. */
type FxpNode = Record<string, unknown>;

let parser: XMLParser | undefined;
let parserDepth = -1;

function getParser(maxDepth: number): XMLParser {
  // Built once per depth limit (normally once): option normalisation is not free.
  if (parser === undefined || parserDepth !== maxDepth) {
    parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: "",
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      // Entities are decoded here, not by the library: it only decodes numeric
      // references together with the HTML entity set, which XML does not have.
      processEntities: false,
      cdataPropName: CDATA_KEY,
      commentPropName: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: maxDepth,
    });
    parserDepth = maxDepth;
  }
  return parser;
}

/** Parse an XML document into an element tree. Never throws. */
export function parseXml(input: string, options: XmlParseOptions = {}): XmlParseResult {
  try {
    return parseXmlUnsafe(input, options);
  } catch (err) {
    // The library throws on some inputs the validator accepted (and on its own
    // nesting limit); report, don't crash.
    const message = err instanceof Error ? err.message : String(err);
    if (/nested tags/i.test(message)) {
      return { ok: false, error: `XML nested deeper than ${options.maxDepth ?? DEFAULT_MAX_DEPTH} levels` };
    }
    return { ok: false, error: `malformed XML: ${message}` };
  }
}

function parseXmlUnsafe(input: string, options: XmlParseOptions): XmlParseResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const warnings: string[] = [];

  // Cheap check first: UTF-8 never takes fewer bytes than UTF-16 code units, so
  // a string longer than maxBytes is too large without measuring it.
  if (input.length > maxBytes || Buffer.byteLength(input, "utf8") > maxBytes) {
    return { ok: false, error: `XML too large: more than ${maxBytes} bytes` };
  }
  // BOM and leading whitespace before the XML declaration are common and
  // harmless, but the validator rejects a declaration that is not at offset 0
  // (cwmp.md §6.4 #15: odd XML declarations).
  let xml = input.replace(/^\uFEFF/, "").trimStart();
  if (xml.length === 0) return { ok: false, error: "empty document" };
  if (DTD_MARKUP.test(xml)) {
    return { ok: false, error: "DOCTYPE and entity declarations are not allowed" };
  }
  if (INVALID_XML_CHAR_TEST.test(xml)) {
    const count = xml.match(INVALID_XML_CHARS)?.length ?? 0;
    xml = xml.replace(INVALID_XML_CHARS, "");
    warnings.push(`stripped ${count} control character(s) not allowed in XML (genieacs#76)`);
  }

  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    return { ok: false, error: `malformed XML at line ${line}, column ${col}: ${msg}` };
  }

  const nodes = getParser(maxDepth).parse(xml) as unknown;
  if (!Array.isArray(nodes)) return { ok: false, error: "malformed XML: no content" };
  const rootNodes = (nodes as FxpNode[]).filter((n) => elementName(n) !== undefined);
  const root = rootNodes[0];
  if (root === undefined) return { ok: false, error: "malformed XML: no root element" };
  if (rootNodes.length > 1) return { ok: false, error: "malformed XML: more than one root element" };

  const built = buildElement(root, new Map(), warnings, 1, maxDepth);
  if (typeof built === "string") return { ok: false, error: built };
  return { ok: true, root: built, warnings };
}

/** The tag name of a preserveOrder node, or undefined for text/CDATA nodes. */
function elementName(node: FxpNode): string | undefined {
  for (const key of Object.keys(node)) {
    if (key !== ATTRS_KEY && key !== TEXT_KEY && key !== CDATA_KEY) return key;
  }
  return undefined;
}

function splitQName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(":");
  return colon < 0 ? ["", qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function buildElement(
  node: FxpNode,
  parentPrefixes: ReadonlyMap<string, string>,
  warnings: string[],
  depth: number,
  maxDepth: number,
): XmlElement | string {
  if (depth > maxDepth) return `XML nested deeper than ${maxDepth} levels`;
  const qname = elementName(node) ?? "";
  const rawAttrs = (node[ATTRS_KEY] ?? {}) as Record<string, unknown>;

  // First pass: namespace declarations, so attributes on the same element that
  // use a prefix declared there resolve too. The map is only copied when this
  // element declares something; most elements share their parent's.
  let prefixes = parentPrefixes;
  const plain: [string, string][] = [];
  for (const [name, raw] of Object.entries(rawAttrs)) {
    const value = decodeEntities(String(raw), warnings);
    if (name === "xmlns" || name.startsWith("xmlns:")) {
      if (prefixes === parentPrefixes) prefixes = new Map(parentPrefixes);
      (prefixes as Map<string, string>).set(name === "xmlns" ? "" : name.slice(6), value);
    } else {
      plain.push([name, value]);
    }
  }
  const attributes = new Map<string, string>();
  for (const [name, value] of plain) attributes.set(splitQName(name)[1], value);

  const [prefix, localName] = splitQName(qname);
  const namespaceUri = prefixes.get(prefix) ?? "";
  if (prefix !== "" && !prefixes.has(prefix)) {
    warnings.push(`undeclared namespace prefix "${prefix}" on <${qname}>; matched by localName`);
  }

  let text = "";
  const children: XmlElement[] = [];
  const content = node[qname];
  for (const child of Array.isArray(content) ? (content as FxpNode[]) : []) {
    if (TEXT_KEY in child) {
      text += decodeEntities(String(child[TEXT_KEY]), warnings);
    } else if (CDATA_KEY in child) {
      // CDATA is literal text: no entity decoding (cwmp.md §8 item 2).
      const parts = child[CDATA_KEY];
      for (const part of Array.isArray(parts) ? (parts as FxpNode[]) : []) {
        text += String(part[TEXT_KEY] ?? "");
      }
    } else if (elementName(child) !== undefined) {
      const built = buildElement(child, prefixes, warnings, depth + 1, maxDepth);
      if (typeof built === "string") return built;
      children.push(built);
    }
  }
  return { localName, namespaceUri, attributes, text, children, prefixes };
}

/** Decode the five predefined XML entities and numeric character references.
 * Unknown named entities are left as written (there is no DTD to define them). */
export function decodeEntities(raw: string, warnings: string[]): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(ENTITY_REF, (whole: string, ref: string): string => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!isXmlChar(code)) {
        // A reference to a control character is as invalid as the raw character
        // (genieacs#76); drop it the same way.
        warnings.push(`dropped character reference ${whole} to a character not allowed in XML`);
        return "";
      }
      return String.fromCodePoint(code);
    }
    const named = PREDEFINED_ENTITIES[ref];
    if (named === undefined) {
      warnings.push(`unknown entity ${whole} left as text`);
      return whole;
    }
    return named;
  });
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** First child with this localName (order-insensitive lookup, cwmp.md §6.2). */
export function child(el: XmlElement, localName: string): XmlElement | undefined {
  return el.children.find((c) => c.localName === localName);
}

/** Resolve the prefix of a QName-valued attribute (e.g. xsi:type) in the
 * element's scope. Returns the URI and local part; uri is "" if unresolvable. */
export function resolveQName(el: XmlElement, qname: string): { uri: string; prefix: string; local: string } {
  const [prefix, local] = splitQName(qname);
  return { uri: el.prefixes.get(prefix) ?? "", prefix, local };
}
