// Typed readers over protobufjs plain objects, used by the decode direction.
// A reader throws PlainShapeError when a field is missing or has the wrong
// shape; the decoder catches it at the codec boundary and returns a value.
import { protoName, type Plain } from "./proto.js";

/** A structural problem in decoded input: an unset oneof (R-ENC.5), an
 * unknown enum value (R-ENC.2), or an unexpected field shape. */
export class PlainShapeError extends Error {
  override readonly name = "PlainShapeError";
}

function fail(key: string, expected: string): never {
  throw new PlainShapeError(`field ${protoName(key)}: expected ${expected}`);
}

export function str(o: Plain, key: string): string {
  const v = o[key];
  return typeof v === "string" ? v : fail(key, "string");
}

export function num(o: Plain, key: string): number {
  const v = o[key];
  return typeof v === "number" ? v : fail(key, "number");
}

export function bool(o: Plain, key: string): boolean {
  const v = o[key];
  return typeof v === "boolean" ? v : fail(key, "boolean");
}

export function bytes(o: Plain, key: string): Uint8Array {
  const v = o[key];
  // Copy: protobufjs returns views into the input buffer, which the caller
  // (an MTP) may reuse.
  return v instanceof Uint8Array ? new Uint8Array(v) : fail(key, "bytes");
}

export function isPlain(v: unknown): v is Plain {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** A nested message field that must be present. */
export function sub(o: Plain, key: string): Plain {
  const v = o[key];
  return isPlain(v) ? v : fail(key, "message");
}

export function list(o: Plain, key: string): Plain[] {
  const v = o[key];
  if (!Array.isArray(v)) return fail(key, "repeated message");
  return v.map((item) => (isPlain(item) ? item : fail(key, "repeated message")));
}

export function strs(o: Plain, key: string): string[] {
  const v = o[key];
  if (!Array.isArray(v)) return fail(key, "repeated string");
  return v.map((item) => (typeof item === "string" ? item : fail(key, "repeated string")));
}

export function bytesList(o: Plain, key: string): Uint8Array[] {
  const v = o[key];
  if (!Array.isArray(v)) return fail(key, "repeated bytes");
  return v.map((item) => (item instanceof Uint8Array ? new Uint8Array(item) : fail(key, "repeated bytes")));
}

/** map<string,string> as a plain record with no prototype surprises. */
export function strMap(o: Plain, key: string): Record<string, string> {
  const v = o[key];
  if (!isPlain(v)) return fail(key, "map<string,string>");
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    out[k] = typeof val === "string" ? val : fail(key, "map<string,string>");
  }
  return out;
}

/** An enum field as its name. protobufjs leaves unknown numbers as numbers;
 * R-ENC.2 treats an unknown enum value as a malformed message. */
export function enumName<T extends string>(o: Plain, key: string, allowed: readonly T[]): T {
  const v = o[key];
  const found = allowed.find((name) => name === v);
  return found ?? fail(key, `one of ${allowed.join("|")} (got ${String(v)})`);
}

/** Which member of a oneof is set (protobufjs's virtual oneof property).
 * An unset oneof is a violation of R-ENC.5, reported with the oneof's name. */
export function oneof(o: Plain, name: string): string {
  const v = o[name];
  if (typeof v === "string" && v !== "") return v;
  throw new PlainShapeError(`oneof ${protoName(name)}: no member set`);
}
