// Namespace-resolving XML element tree for the CWMP codec, built by our own
// single-pass parser. CWMP parsers must resolve by namespace URI or
// localName, never by prefix (cwmp.md §1.1, §7 #4: easycwmp's `soap_env`
// broke fixed-prefix XPath in genieacs#138). This module also owns the input
// hygiene every CWMP parser needs: size and depth bounds, no DOCTYPE (so no
// entity expansion), stripping control characters that strict parsers choke
// on (genieacs#76), errors with a position, and never throwing to the caller.
//
// Why not a library: `npm run bench -- codec/xml-parse/` compares
// fast-xml-parser (with and without its validator), htmlparser2, saxes and
// txml on our own messages and needs (README § Performance). None of the
// fast ones reports every malformation we must refuse, and the strict ones
// cost 3–10 times more than one pass that checks well-formedness while it
// builds the tree we need. SOAP from CPEs uses a small part of XML (no DTD, no
// external entities), so that part is all this parser accepts.

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
// DTD, so DOCTYPE or ENTITY markup is refused outright where markup may stand.
const DTD_KEYWORD = /DOCTYPE|ENTITY/iy;
const ENTITY_REF = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;
// The same, anchored: every `&` in text or attribute values must start one.
const ENTITY_REF_AT = /&(?:#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*);/y;
// XML 1.0 Name, simplified to ASCII rules plus "anything non-ASCII", which is
// what CPEs send; sticky so a match can only start where we are.
const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.:\u00B7-\uFFFF-]*/y;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};
// Most elements carry no attributes; sharing one empty map spares a Map per
// element (thousands per GetParameterValuesResponse). Read-only by type; also
// the root's parent scope (no prefixes declared).
const EMPTY_MAP: ReadonlyMap<string, string> = new Map();

/** Parse an XML document into an element tree. Never throws. */
export function parseXml(input: string, options: XmlParseOptions = {}): XmlParseResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Cheap check first: UTF-8 never takes fewer bytes than UTF-16 code units, so
  // a string longer than maxBytes is too large without measuring it.
  if (input.length > maxBytes || Buffer.byteLength(input, "utf8") > maxBytes) {
    return { ok: false, error: `XML too large: more than ${maxBytes} bytes` };
  }
  // BOM and leading whitespace before the XML declaration are common and
  // harmless (cwmp.md §6.4 #15: odd XML declarations).
  let xml = input.replace(/^\uFEFF/, "").trimStart();
  if (xml.length === 0) return { ok: false, error: "empty document" };
  const warnings: string[] = [];
  if (INVALID_XML_CHAR_TEST.test(xml)) {
    const count = xml.match(INVALID_XML_CHARS)?.length ?? 0;
    xml = xml.replace(INVALID_XML_CHARS, "");
    warnings.push(`stripped ${count} control character(s) not allowed in XML (genieacs#76)`);
  }
  try {
    const root = new Reader(xml, maxDepth, warnings).document();
    return { ok: true, root, warnings };
  } catch (err) {
    if (err instanceof XmlError) return { ok: false, error: err.message };
    // Only a bug in this file gets here; still a value, never a crash.
    return { ok: false, error: `malformed XML: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Thrown inside the reader only, to leave deep parsing code at once;
 * parseXml turns it into a result. */
class XmlError extends Error {}

interface Frame {
  qname: string;
  element: XmlElement;
  openedAt: number;
  selfClosing: boolean;
}

class Reader {
  private pos = 0;

  constructor(
    private readonly xml: string,
    private readonly maxDepth: number,
    private readonly warnings: string[],
  ) {}

  document(): XmlElement {
    this.skipMisc();
    if (this.pos >= this.xml.length) this.fail(this.pos, "no root element");
    if (this.xml.charCodeAt(this.pos) !== 0x3c /* < */) this.fail(this.pos, `char '${this.xml[this.pos]}' is not expected before the root element`);
    this.strayClosingTag();
    const root = this.element();
    this.skipMisc();
    if (this.pos < this.xml.length) {
      if (this.xml.charCodeAt(this.pos) !== 0x3c) this.fail(this.pos, "text after the root element");
      this.strayClosingTag();
      this.fail(this.pos, "more than one root element");
    }
    return root;
  }

  private strayClosingTag(): void {
    if (this.xml.charCodeAt(this.pos + 1) !== 0x2f /* / */) return;
    NAME.lastIndex = this.pos + 2;
    const name = NAME.test(this.xml) ? this.xml.slice(this.pos + 2, NAME.lastIndex) : "";
    this.fail(this.pos, `Closing tag '${name}' has not been opened`);
  }

  /** The root element and everything inside it, iteratively (depth is
   * bounded anyway, but an explicit stack keeps the error paths simple). */
  private element(): XmlElement {
    const { xml } = this;
    const root = this.startTag(EMPTY_MAP, 0);
    if (root.selfClosing) return root.element;
    const stack: Frame[] = [root];
    for (;;) {
      const top = stack[stack.length - 1] as Frame;
      const lt = xml.indexOf("<", this.pos);
      if (lt < 0) this.fail(xml.length, `Unclosed tag '${top.qname}' (opened at ${this.where(top.openedAt)})`);
      if (lt > this.pos) top.element.text += this.decodeText(this.pos, lt);
      this.pos = lt;
      const next = xml.charCodeAt(lt + 1);
      if (next === 0x2f /* / */) {
        this.endTag(top);
        stack.pop();
        if (stack.length === 0) return top.element;
      } else if (next === 0x21 /* ! */) {
        const cdata = this.markupDeclaration();
        if (cdata !== undefined) top.element.text += cdata;
      } else if (next === 0x3f /* ? */) {
        this.processingInstruction();
      } else {
        const frame = this.startTag(top.element.prefixes, stack.length);
        top.element.children.push(frame.element);
        if (!frame.selfClosing) stack.push(frame);
      }
    }
  }

  /** `<name attr="v" …>` or `<name …/>` at this.pos, `depth` elements deep. */
  private startTag(parentPrefixes: ReadonlyMap<string, string>, depth: number): Frame {
    const { xml } = this;
    const openedAt = this.pos;
    if (depth >= this.maxDepth) throw new XmlError(`XML nested deeper than ${this.maxDepth} levels`);
    const qname = this.name(openedAt + 1, "tag");
    let p = openedAt + 1 + qname.length;
    let attrs: [string, string][] | undefined;
    let selfClosing = false;
    for (;;) {
      const afterName = p;
      p = this.skipSpace(p);
      const c = xml.charCodeAt(p);
      if (c === 0x3e /* > */) {
        p += 1;
        break;
      }
      if (c === 0x2f /* / */) {
        if (xml.charCodeAt(p + 1) !== 0x3e) this.fail(p, `expected '>' after '/' in tag '${qname}'`);
        p += 2;
        selfClosing = true;
        break;
      }
      if (Number.isNaN(c)) this.fail(openedAt, `Unclosed start tag '${qname}'`);
      if (p === afterName) this.fail(p, `no space before attribute in tag '${qname}'`);
      const attrName = this.name(p, "attribute");
      p = this.skipSpace(p + attrName.length);
      if (xml.charCodeAt(p) !== 0x3d /* = */) this.fail(p, `Attribute '${attrName}' is without value`);
      p = this.skipSpace(p + 1);
      const quote = xml[p];
      if (quote !== '"' && quote !== "'") this.fail(p, `value of attribute '${attrName}' is not quoted`);
      const close = xml.indexOf(quote, p + 1);
      if (close < 0) this.fail(p, `unterminated value of attribute '${attrName}'`);
      attrs ??= [];
      for (const [seen] of attrs) if (seen === attrName) this.fail(afterName, `Attribute '${attrName}' is repeated`);
      attrs.push([attrName, this.decodeText(p + 1, close)]);
      p = close + 1;
    }
    this.pos = p;
    return { qname, element: this.build(qname, attrs, parentPrefixes), openedAt, selfClosing };
  }

  private build(qname: string, attrs: [string, string][] | undefined, parentPrefixes: ReadonlyMap<string, string>): XmlElement {
    // Namespace declarations first, so attributes and the element itself may
    // use a prefix declared on the same element. The map is copied only when
    // this element declares something; most share their parent's.
    let prefixes = parentPrefixes;
    let attributes = EMPTY_MAP;
    if (attrs !== undefined) {
      const plain = new Map<string, string>();
      for (const [name, value] of attrs) {
        if (name === "xmlns" || name.startsWith("xmlns:")) {
          if (prefixes === parentPrefixes) prefixes = new Map(parentPrefixes);
          (prefixes as Map<string, string>).set(name === "xmlns" ? "" : name.slice(6), value);
        } else {
          plain.set(localPart(name), value);
        }
      }
      if (plain.size > 0) attributes = plain;
    }
    const colon = qname.indexOf(":");
    const prefix = colon < 0 ? "" : qname.slice(0, colon);
    const namespaceUri = prefixes.get(prefix);
    if (namespaceUri === undefined && prefix !== "") {
      this.warnings.push(`undeclared namespace prefix "${prefix}" on <${qname}>; matched by localName`);
    }
    return { localName: colon < 0 ? qname : qname.slice(colon + 1), namespaceUri: namespaceUri ?? "", attributes, text: "", children: [], prefixes };
  }

  /** `</name>` at this.pos; it must close the innermost open element. */
  private endTag(top: Frame): void {
    const qname = this.name(this.pos + 2, "closing tag");
    const p = this.skipSpace(this.pos + 2 + qname.length);
    if (this.xml.charCodeAt(p) !== 0x3e) this.fail(p, `expected '>' to end closing tag '${qname}'`);
    if (qname !== top.qname) this.fail(this.pos, `Expected closing tag '${top.qname}' (opened at ${this.where(top.openedAt)}) instead of closing tag '${qname}'`);
    this.pos = p + 1;
  }

  /** `<!--…-->` (skipped) or `<![CDATA[…]]>` (returned as literal text: no
   * entity decoding, cwmp.md §8 item 2); a DTD is refused. */
  private markupDeclaration(): string | undefined {
    const { xml, pos } = this;
    if (xml.startsWith("<!--", pos)) {
      const end = xml.indexOf("-->", pos + 4);
      if (end < 0) this.fail(pos, "unterminated comment");
      this.pos = end + 3;
      return undefined;
    }
    if (xml.startsWith("<![CDATA[", pos)) {
      const end = xml.indexOf("]]>", pos + 9);
      if (end < 0) this.fail(pos, "unterminated CDATA section");
      this.pos = end + 3;
      return xml.slice(pos + 9, end);
    }
    DTD_KEYWORD.lastIndex = pos + 2;
    if (DTD_KEYWORD.test(xml)) throw new XmlError("DOCTYPE and entity declarations are not allowed");
    return this.fail(pos, "unexpected markup '<!'");
  }

  /** `<?target …?>`, including the XML declaration: skipped. */
  private processingInstruction(): void {
    const end = this.xml.indexOf("?>", this.pos + 2);
    if (end < 0) this.fail(this.pos, "unterminated processing instruction");
    this.pos = end + 2;
  }

  /** Whitespace, comments and processing instructions around the root. */
  private skipMisc(): void {
    for (;;) {
      this.pos = this.skipSpace(this.pos);
      if (this.xml.startsWith("<?", this.pos)) this.processingInstruction();
      else if (this.xml.startsWith("<!", this.pos)) {
        if (this.markupDeclaration() !== undefined) this.fail(this.pos, "CDATA outside the root element");
      } else return;
    }
  }

  private skipSpace(p: number): number {
    const { xml } = this;
    for (;;) {
      const c = xml.charCodeAt(p);
      if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return p;
      p += 1;
    }
  }

  private name(at: number, what: string): string {
    NAME.lastIndex = at;
    if (!NAME.test(this.xml)) {
      const c = this.xml[at];
      this.fail(at, c === undefined ? `input ends inside a ${what}` : `invalid ${what} name starting with '${c}'`);
    }
    return this.xml.slice(at, NAME.lastIndex);
  }

  /** Character data between `from` and `to`, entity-decoded; a `&` that does
   * not start a reference is malformed (XML 1.0 §2.4). */
  private decodeText(from: number, to: number): string {
    const raw = this.xml.slice(from, to);
    let amp = raw.indexOf("&");
    if (amp < 0) return raw;
    while (amp >= 0) {
      ENTITY_REF_AT.lastIndex = amp;
      if (!ENTITY_REF_AT.test(raw)) this.fail(from + amp, "'&' not followed by an entity or character reference");
      amp = raw.indexOf("&", ENTITY_REF_AT.lastIndex);
    }
    return decodeEntities(raw, this.warnings);
  }

  private where(at: number): string {
    let line = 1;
    let lineStart = 0;
    for (let i = this.xml.indexOf("\n"); i >= 0 && i < at; i = this.xml.indexOf("\n", i + 1)) {
      line += 1;
      lineStart = i + 1;
    }
    return `line ${line}, column ${at - lineStart + 1}`;
  }

  private fail(at: number, message: string): never {
    throw new XmlError(`malformed XML at ${this.where(at)}: ${message}`);
  }
}

function localPart(qname: string): string {
  const colon = qname.indexOf(":");
  return colon < 0 ? qname : qname.slice(colon + 1);
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
  const colon = qname.indexOf(":");
  const prefix = colon < 0 ? "" : qname.slice(0, colon);
  return { uri: el.prefixes.get(prefix) ?? "", prefix, local: colon < 0 ? qname : qname.slice(colon + 1) };
}
