// TR-369 Instantiated-DM path grammar (usp.md §3 BNF): parsing only, no data.
// Resolution against a device's known tree lives in src/translate/resolve.ts;
// keeping the grammar apart means a syntax error (7008) is decided before any
// CPE is asked anything. Parsed paths are immutable and cached by their source
// string, because controllers send the same few paths over and over.

export type CompareOp = "==" | "!=" | "~=" | "<" | ">" | "<=" | ">=";

export type Literal =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "boolean"; readonly value: boolean };

/** Which item of a (list-valued) reference to follow: `#n+` → n, `#*+` → "*",
 * and a bare `+` means `#1+` (TR-369 "Reference following"). */
export type RefIndex = number | "*";

/** One step of an expression's relative path: `Stats.` or `SSIDReference+.` */
export interface RelStep {
  readonly name: string;
  readonly follow: RefIndex | null;
}

export interface Comparison {
  readonly param: readonly RelStep[];
  readonly op: CompareOp;
  readonly value: Literal;
}

export type Segment =
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "instance"; readonly instance: number }
  | { readonly kind: "wildcard" }
  | { readonly kind: "search"; readonly comparisons: readonly Comparison[] }
  /** Dereference the parameter named by the preceding name segment. */
  | { readonly kind: "follow"; readonly index: RefIndex };

/** object: ends with "."; parameter: ends with a name; command: "()"; event: "!". */
export type PathKind = "object" | "parameter" | "command" | "event";

export interface UspPath {
  readonly source: string;
  readonly kind: PathKind;
  /** For parameter/command/event paths the last segment is that name. */
  readonly segments: readonly Segment[];
  /** Contains `*`, `[...]` or `#*+`, so it may resolve to 0..n objects (R-GET.1a). */
  readonly isSearch: boolean;
}

export type ParsePathResult = { ok: true; path: UspPath } | { ok: false; error: string };

const OPERATORS: readonly CompareOp[] = ["==", "!=", "~=", "<=", ">=", "<", ">"];
/** Bounded so a controller sending unique paths cannot grow memory without limit. */
const CACHE_MAX = 4096;
const cache = new Map<string, ParsePathResult>();

class PathSyntaxError extends Error {}

/** Parse `s` per the TR-369 idmpath grammar; the result is frozen and cached. */
export function parsePath(s: string): ParsePathResult {
  const hit = cache.get(s);
  if (hit !== undefined) return hit;
  let result: ParsePathResult;
  try {
    result = { ok: true, path: deepFreeze(new Parser(s).parse()) };
  } catch (e) {
    if (!(e instanceof PathSyntaxError)) throw e;
    result = { ok: false, error: e.message };
  }
  Object.freeze(result);
  if (cache.size >= CACHE_MAX) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(s, result);
  return result;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v as object)) deepFreeze(child);
  }
  return v;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isNameStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
// "-" is not in the BNF name rule, but TR-106 vendor prefixes built from domain
// names ("X_EXAMPLE-COM_Foo") put it in real CPE parameter names.
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_-]/.test(c);

class Parser {
  private i = 0;
  private readonly segments: Segment[] = [];
  private search = false;

  constructor(private readonly s: string) {}

  parse(): UspPath {
    if (this.s === "") this.fail("empty path");
    if (!isNameStart(this.s[0])) this.fail("path must start with a name");
    this.pushName();
    for (;;) {
      const kind = this.afterName();
      if (kind !== null) return { source: this.s, kind, segments: this.segments, isSearch: this.search };
    }
  }

  /** State: a name was just read. Returns the path kind once the end is reached. */
  private afterName(): PathKind | null {
    const c = this.peek();
    if (c === undefined) {
      if (this.segments.length < 2) this.fail("a path needs at least one '.'");
      return "parameter";
    }
    if (c === "(") {
      if (this.s.slice(this.i) !== "()") this.fail(`unexpected text after '(' at ${this.i}`);
      return "command";
    }
    if (c === "!") {
      if (this.i !== this.s.length - 1) this.fail(`unexpected text after '!' at ${this.i}`);
      return "event";
    }
    if (c === "+" || c === "#") {
      this.segments.push({ kind: "follow", index: this.readFollow() });
      this.expect(".");
      // R-ARC.7 BNF: reffollow '.' name: a reference is always followed by a name.
      if (!isNameStart(this.peek())) this.fail(`expected a name after reference at ${this.i}`);
      this.pushName();
      return null;
    }
    this.expect(".");
    if (this.peek() === undefined) return "object";
    const n = this.peek();
    if (isDigit(n) || n === "*" || n === "[") {
      this.segments.push(this.readInstance());
      this.expect(".");
      if (this.peek() === undefined) return "object";
    }
    if (!isNameStart(this.peek())) this.fail(`expected a name at ${this.i}`);
    this.pushName();
    return null;
  }

  private readInstance(): Segment {
    const c = this.peek();
    if (c === "*") {
      this.i++;
      this.search = true;
      return { kind: "wildcard" };
    }
    if (c === "[") {
      this.search = true;
      return { kind: "search", comparisons: this.readExpression() };
    }
    return { kind: "instance", instance: this.readPosNum("instance number") };
  }

  private readExpression(): Comparison[] {
    this.expect("[");
    const comps: Comparison[] = [];
    for (;;) {
      this.skipSpace();
      if (this.peek() === "]" && comps.length === 0) this.fail("empty expression '[]'");
      comps.push(this.readComparison());
      this.skipSpace();
      if (this.s.startsWith("&&", this.i)) {
        this.i += 2;
        continue;
      }
      if (this.peek() === "]") {
        this.i++;
        return comps;
      }
      this.fail(this.peek() === undefined ? "unterminated '['" : `expected '&&' or ']' at ${this.i}`);
    }
  }

  private readComparison(): Comparison {
    const param: RelStep[] = [];
    for (;;) {
      if (!isNameStart(this.peek())) this.fail(`expected a parameter name in expression at ${this.i}`);
      const name = this.readName();
      const c = this.peek();
      const follow = c === "+" || c === "#" ? this.readFollow() : null;
      if (this.peek() === ".") {
        this.i++;
        param.push({ name, follow });
        continue;
      }
      if (follow !== null) this.fail(`a reference in an expression must be followed by '.' at ${this.i}`);
      param.push({ name, follow: null });
      break;
    }
    this.skipSpace();
    const op = OPERATORS.find((o) => this.s.startsWith(o, this.i));
    if (op === undefined) this.fail(`expected an operator at ${this.i}`);
    this.i += op.length;
    this.skipSpace();
    return { param, op, value: this.readValue() };
  }

  private readValue(): Literal {
    const c = this.peek();
    if (c === '"') {
      const end = this.s.indexOf('"', this.i + 1);
      if (end < 0) this.fail("unterminated string literal");
      const raw = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      // TR-369: '"' is written %22 and '%' is written %25 inside literals; %25
      // is decoded last so "%2522" stays the text "%22".
      return { kind: "string", value: raw.replace(/%22/gi, '"').replace(/%25/g, "%") };
    }
    for (const b of ["true", "false"] as const) {
      if (this.s.startsWith(b, this.i) && !isNameChar(this.s[this.i + b.length])) {
        this.i += b.length;
        return { kind: "boolean", value: b === "true" };
      }
    }
    const m = /^(?:0|-?[1-9][0-9]*)/.exec(this.s.slice(this.i));
    if (m === null) this.fail(`expected a value at ${this.i}`);
    this.i += m[0].length;
    return { kind: "number", value: Number(m[0]) };
  }

  private readFollow(): RefIndex {
    if (this.peek() === "+") {
      this.i++;
      return 1;
    }
    this.expect("#");
    let index: RefIndex;
    if (this.peek() === "*") {
      this.i++;
      // `#*+` resolves to 0..n objects, so it is evaluated like a search.
      this.search = true;
      index = "*";
    } else {
      index = this.readPosNum("reference index");
    }
    this.expect("+");
    return index;
  }

  private readPosNum(what: string): number {
    const m = /^[0-9]+/.exec(this.s.slice(this.i));
    if (m === null) this.fail(`expected ${what} at ${this.i}`);
    // posnum ::= [1-9][0-9]*: instance numbers start at 1 (R-ARC.8).
    if (m[0].startsWith("0")) this.fail(`${what} must be a positive number without leading zeros`);
    this.i += m[0].length;
    return Number(m[0]);
  }

  private pushName(): void {
    this.segments.push({ kind: "name", name: this.readName() });
  }

  private readName(): string {
    const start = this.i;
    if (!isNameStart(this.peek())) this.fail(`expected a name at ${this.i}`);
    while (isNameChar(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }

  private skipSpace(): void {
    // R-ARC.9a: Agents SHOULD tolerate whitespace around expression operators.
    while (this.peek() === " " || this.peek() === "\t") this.i++;
  }

  private expect(c: string): void {
    if (this.peek() !== c) {
      const got = this.peek();
      this.fail(got === undefined ? `expected '${c}' at end` : `expected '${c}' at ${this.i}, got '${got}'`);
    }
    this.i++;
  }

  private peek(): string | undefined {
    return this.s[this.i];
  }

  private fail(msg: string): never {
    throw new PathSyntaxError(msg);
  }
}

/** The object path that holds the path's last name segment, for search-free
 * paths only; used to report resolved_path for a parameter (R-GET.2). */
export function parentObjectPath(concrete: string): string {
  const body = concrete.endsWith(".") ? concrete.slice(0, -1) : concrete;
  const idx = body.lastIndexOf(".");
  return idx < 0 ? "" : body.slice(0, idx + 1);
}
