// The XML layer under the SOAP codec (src/cwmp/xml.ts, our own parser since
// 2026-11-24): what it accepts, what it refuses, and that refusals say where.
import t from "tap";
import { child, parseXml, resolveQName, type XmlElement } from "../src/cwmp/xml.js";

function root(xml: string): XmlElement {
  const r = parseXml(xml);
  if (!r.ok) throw new Error(r.error);
  return r.root;
}

function error(xml: string): string {
  const r = parseXml(xml);
  return r.ok ? "(accepted)" : r.error;
}

t.test("namespaces resolve by URI whatever the prefix, per scope", async (t) => {
  const el = root('<a:E xmlns:a="urn:x" xmlns="urn:d"><B/><a:C xmlns:a="urn:y" a:k="1" k2="2"/></a:E>');
  t.equal(el.namespaceUri, "urn:x");
  t.equal(el.localName, "E");
  t.equal(child(el, "B")?.namespaceUri, "urn:d", "default namespace inherited");
  const c = child(el, "C") as XmlElement;
  t.equal(c.namespaceUri, "urn:y", "redeclared on the element itself");
  t.strictSame([...c.attributes], [["k", "1"], ["k2", "2"]], "attributes by localName, xmlns folded away");
  t.strictSame(resolveQName(c, "a:string"), { uri: "urn:y", prefix: "a", local: "string" });
  t.equal(child(el, "B")?.prefixes.get("a"), "urn:x", "a sibling's declaration does not leak");
});

t.test("undeclared prefix: matched by localName with a warning", async (t) => {
  const r = parseXml("<p:E><q:B/></p:E>");
  t.equal(r.ok, true);
  if (r.ok) {
    t.equal(r.root.namespaceUri, "");
    t.equal(r.root.children[0]?.localName, "B");
    t.equal(r.warnings.length, 2);
  }
});

t.test("text: entities, character references, CDATA literal, whitespace kept, comments and PIs skipped", async (t) => {
  t.equal(root("<E>&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#x1F600;</E>").text, "&<>\"'AB😀");
  t.equal(root("<E><![CDATA[a&amp;<b]]>&amp;</E>").text, "a&amp;<b&");
  t.equal(root("<E> x <B/> y </E>").text, " x  y ");
  t.equal(root("<?xml version='1.0'?><!-- c --><E>a<!-- c -->b<?pi x?>c</E><!-- after -->\n").text, "abc");
  t.equal(root("\uFEFF  <E a='&amp;&#x41;' b=\"'\"/>").attributes.get("a"), "&A");
  const unknown = parseXml("<E>&nbsp;</E>");
  t.ok(unknown.ok && unknown.root.text === "&nbsp;" && unknown.warnings.length === 1, "unknown entity left as text, warned");
  const control = parseXml("<E>a&#x1;b</E>");
  t.ok(control.ok && control.root.text === "ab" && control.warnings.length === 1, "reference to a control character dropped, warned");
});

t.test("malformed input is refused with line and column", async (t) => {
  const cases: [string, RegExp][] = [
    ["<E><B></E>", /^malformed XML at line 1, column 7: Expected closing tag 'B' \(opened at line 1, column 4\) instead of closing tag 'E'/],
    ["<E>\n  <B>\n</C></E>", /^malformed XML at line 3, column 1: Expected closing tag 'B' \(opened at line 2, column 3\)/],
    ["<E><B></B>", /^malformed XML at line 1, column 11: Unclosed tag 'E' \(opened at line 1, column 1\)/],
    ["<E></B></E>", /Expected closing tag 'E'/],
    ["</E>", /line 1, column 1: Closing tag 'E' has not been opened/],
    ["<E/></E>", /line 1, column 5: Closing tag 'E' has not been opened/],
    ["<E/>junk", /line 1, column 5: text after the root element/],
    ["<E/><F/>", /line 1, column 5: more than one root element/],
    ["junk<E/>", /line 1, column 1: char 'j' is not expected before the root element/],
    ["<E a=1/>", /value of attribute 'a' is not quoted/],
    ["<E a/>", /Attribute 'a' is without value/],
    ["<E a='1' a='2'/>", /Attribute 'a' is repeated/],
    ['<E a="1"b="2"/>', /no space before attribute/],
    ["<E a='1/>", /unterminated value of attribute 'a'/],
    ["<E>a & b</E>", /line 1, column 6: '&' not followed by an entity or character reference/],
    ["<E>&#65</E>", /'&' not followed/],
    ["<1E/>", /invalid tag name starting with '1'/],
    ["< E/>", /invalid tag name/],
    ["<E/ >", /expected '>' after '\/'/],
    ["<E", /Unclosed start tag 'E'/],
    ["<E><!-- x</E>", /unterminated comment/],
    ["<E><![CDATA[x</E>", /unterminated CDATA section/],
    ["<E><!ELEMENT x></E>", /unexpected markup '<!'/],
    ["<![CDATA[x]]><E/>", /CDATA outside the root element/],
    ["<!-- only a comment -->", /no root element/],
  ];
  for (const [xml, expected] of cases) t.match(error(xml), expected, xml);
});

t.test("no DTD, so no entity expansion of any kind", async (t) => {
  t.equal(error('<!DOCTYPE E [<!ENTITY x "y">]><E>&x;</E>'), "DOCTYPE and entity declarations are not allowed");
  t.equal(error("<!doctype E SYSTEM 'file:///etc/passwd'><E/>"), "DOCTYPE and entity declarations are not allowed");
  t.equal(error('<E><!ENTITY x "y"></E>'), "DOCTYPE and entity declarations are not allowed");
  t.equal(root("<E><![CDATA[<!DOCTYPE is just text here]]></E>").text, "<!DOCTYPE is just text here", "inside CDATA it is text");
});

t.test("bounds: size in UTF-8 bytes and nesting depth", async (t) => {
  t.equal(parseXml("<E>" + "é".repeat(600) + "</E>", { maxBytes: 1000 }).ok, false, "1,200 bytes of é exceed 1,000 although 600 chars do not");
  t.equal(parseXml("<E>" + "é".repeat(400) + "</E>", { maxBytes: 1000 }).ok, true);
  const nested = (n: number): string => "<a>".repeat(n) + "</a>".repeat(n);
  t.equal(parseXml(nested(8), { maxDepth: 8 }).ok, true);
  t.match(error(nested(65)), /nested deeper than 64 levels/);
  t.match(parseXml("<a><a><a/></a></a>", { maxDepth: 2 }), { ok: false, error: /nested deeper than 2 levels/ }, "a self-closing element counts too");
});

t.test("control characters are stripped with a warning", async (t) => {
  const r = parseXml("<E>a\u0001b\u001fc</E>");
  t.ok(r.ok && r.root.text === "abc");
  t.match(r.ok ? r.warnings : [], [/stripped 2 control character/]);
});

t.test("never throws: every prefix of a document with all constructs", async (t) => {
  const doc = `<?xml version="1.0"?><!-- c --><s:E xmlns:s="urn:s" a='1' b="&amp;"><B>t&#65;<![CDATA[x]]></B><C/><?pi?></s:E>`;
  let thrown = 0;
  let accepted = 0;
  for (let i = 0; i <= doc.length; i++) {
    try {
      if (parseXml(doc.slice(0, i)).ok) accepted++;
    } catch {
      thrown++;
    }
  }
  t.equal(thrown, 0);
  t.equal(accepted, 1, "only the whole document is well-formed");
});
