// The TR-369 1.4 schemas, compiled once at module load (STYLE rule 9), plus
// the two generic protobufjs operations the codec needs. This is the only
// file in src/usp that touches protobufjs reflection; decode/encode and the
// msg-* converters work on plain objects (`Plain`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

/** A protobufjs plain object (toObject output / fromObject input): field
 * names camel-cased, enums as names, uint64 as decimal strings. */
export type Plain = { [field: string]: unknown };

/** The schema's snake_case spelling of a camel-cased field name, for error
 * text that a reader can match against the spec. */
export function protoName(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const PROTO_FILES = ["usp-record-1-4.proto", "usp-msg-1-4.proto"] as const;

// src/usp/ (tap's TS loader) and dist/usp/ (tsconfig.build.json) both sit two
// levels below the package root; a build with tsconfig.json's rootDir "."
// puts this file in dist/src/usp/, three levels down.
function findProtoDir(): string {
  const candidates = ["../../proto/", "../../../proto/"].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  for (const dir of candidates) {
    if (PROTO_FILES.every((f) => existsSync(dir + f))) return dir;
  }
  throw new Error(`USP .proto files not found; looked in ${candidates.join(", ")}`);
}

function loadRoot(): protobuf.Root {
  const dir = findProtoDir();
  // keepCase false: the messages.ts model uses protobufjs's camel-casing.
  const root = new protobuf.Root().loadSync(
    PROTO_FILES.map((f) => dir + f),
    { keepCase: false },
  );
  root.resolveAll();
  return root;
}

const root = loadRoot();

export const RecordProto: protobuf.Type = root.lookupType("usp_record.Record");
export const MsgProto: protobuf.Type = root.lookupType("usp.Msg");
export const HeaderProto: protobuf.Type = root.lookupType("usp.Header");

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String, // uint64 session fields become decimal strings
  enums: String, // unknown enum numbers stay numbers, so callers can detect them (R-ENC.2)
  defaults: true, // absent fields read as proto3 defaults (usp.md §1.3)
  arrays: true,
  objects: true,
  oneofs: true,
};

/** Finds a oneof with more than one member present. protobufjs keeps every
 * member it sees on the wire, so this is where R-ENC.3 / R-ENC.5 violations
 * become visible. USP schemas are not recursive, so depth is bounded. */
function oneofViolation(type: protobuf.Type, m: Plain, where: string): string | null {
  for (const oneof of type.oneofsArray) {
    const present = oneof.fieldsArray.filter((f) => Object.hasOwn(m, f.name) && m[f.name] != null);
    if (present.length > 1) {
      const names = present.map((f) => protoName(f.name)).join(", ");
      return `${where}: oneof ${protoName(oneof.name)} has more than one member (${names})`;
    }
  }
  for (const field of type.fieldsArray) {
    const sub = field.resolvedType;
    const value = m[field.name];
    if (!(sub instanceof protobuf.Type) || value == null || field.map) continue;
    const items = field.repeated ? (value as Plain[]) : [value as Plain];
    for (const item of items) {
      const found = oneofViolation(sub, item, `${where}.${protoName(field.name)}`);
      if (found) return found;
    }
  }
  return null;
}

/** Decodes bytes into a Plain object. Throws on malformed wire data or on a
 * oneof carrying two members; callers catch at the codec boundary. */
export function decodePlain(type: protobuf.Type, bytes: Uint8Array): Plain {
  const message = type.decode(bytes) as unknown as Plain;
  const violation = oneofViolation(type, message, type.name);
  if (violation) throw new Error(violation);
  return type.toObject(message as unknown as protobuf.Message, TO_OBJECT);
}

const LONG_TYPES = new Set(["uint64", "int64", "sint64", "fixed64", "sfixed64"]);

function isDefaultScalar(field: protobuf.Field, value: unknown): boolean {
  const enumType = field.resolvedType;
  if (enumType instanceof protobuf.Enum) return value === 0 || value === enumType.valuesById[0];
  if (field.type === "string") return value === "";
  if (field.type === "bool") return value === false;
  if (field.type === "bytes") return value instanceof Uint8Array && value.length === 0;
  // uint64 session fields travel as decimal strings (messages.ts).
  if (LONG_TYPES.has(field.type)) return value === "0" || value === 0;
  return value === 0;
}

/** Drops proto3 default values so the output is canonical proto3: protobufjs
 * would otherwise write any field that is set, even to "" or 0. Oneof members
 * are kept even when default, because their presence is the information. */
function stripDefaults(type: protobuf.Type, plain: Plain): Plain {
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const value = plain[field.name];
    if (value == null) continue;
    const sub = field.resolvedType;
    if (field.map) {
      if (Object.keys(value as Plain).length > 0) out[field.name] = value;
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length === 0) continue;
      out[field.name] = sub instanceof protobuf.Type ? items.map((i) => stripDefaults(sub, i as Plain)) : items;
    } else if (sub instanceof protobuf.Type) {
      out[field.name] = stripDefaults(sub, value as Plain);
    } else if (field.partOf || !isDefaultScalar(field, value)) {
      out[field.name] = value;
    }
  }
  return out;
}

/** Reads the first occurrence of a length-delimited top-level field and
 * decodes it as `type`, skipping everything else. Used to recover the Msg
 * header (and so the msg_id, R-MTP.5) when the body cannot be decoded.
 * Returns null when the field cannot be reached or read. */
export function peekField(type: protobuf.Type, bytes: Uint8Array, fieldNo: number): Plain | null {
  try {
    const reader = protobuf.Reader.create(bytes);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === fieldNo && (tag & 7) === 2) return decodePlain(type, reader.bytes());
      reader.skipType(tag & 7);
    }
  } catch {
    // Malformed before or inside the field: nothing recoverable.
  }
  return null;
}

/** Encodes a Plain object as canonical proto3 bytes. */
export function encodePlain(type: protobuf.Type, plain: Plain): Uint8Array {
  const message = type.fromObject(stripDefaults(type, plain));
  return type.encode(message).finish();
}
