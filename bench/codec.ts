// Scenario "codec": our SOAP and USP codecs on large and typical messages,
// each next to the raw library call underneath it, so the ratio is the cost
// of our layer (tolerant namespace resolution, validation, typed model).
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { fromDist } from "./lib/dist.js";
import { gpvResponseEnvelope, getRespMsg, informTemplate, largeParameterList } from "./lib/fixtures.js";
import { compareTimed, type BenchCase, type BenchContext, type CaseResult, type Row, type Timed } from "./lib/harness.js";

type SoapDecode = typeof import("../src/cwmp/soap-decode.js");
type SoapEncode = typeof import("../src/cwmp/soap-encode.js");
type UspEncode = typeof import("../src/usp/encode.js");
type UspDecode = typeof import("../src/usp/decode.js");
type UspProto = typeof import("../src/usp/proto.js");

const PARAMS = 1000;

// The platform cost: the same library our xml.ts wraps, with the options that
// keep document order and attributes (what we need), and nothing on top.
const rawParser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false, processEntities: false });
const rawBuilder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, processEntities: false });

function budget(ctx: BenchContext): number {
  return ctx.quick ? 400 : 2000;
}

function rows(name: string, bytes: number, ours: number, baselineName: string, baseline: number): Row[] {
  const mbs = (us: number): number => bytes / us; // bytes per µs = MB/s
  return [
    { case: name, figure: "time", unit: "µs/msg", ours, baselineName, baseline, higherIsBetter: false },
    { case: name, figure: "throughput", unit: "MB/s", ours: mbs(ours), baselineName, baseline: mbs(baseline), higherIsBetter: true },
  ];
}

/** CPU time per message: steadier than wall time when the cores are shared. */
function cpuRow(name: string, t: Timed, baselineName: string): Row {
  return { case: name, figure: "CPU time", unit: "µs/msg", ours: t.oursCpuUs, baselineName, baseline: t.baselineCpuUs, higherIsBetter: false };
}

function soapCase(name: string, direction: "decode" | "encode", fixture: (ctx: BenchContext) => Promise<string>): BenchCase {
  return {
    name,
    async run(ctx): Promise<CaseResult> {
      const { decodeEnvelope } = await fromDist<SoapDecode>("cwmp/soap-decode.js");
      const { encodeEnvelope } = await fromDist<SoapEncode>("cwmp/soap-encode.js");
      const xml = await fixture(ctx);
      const decoded = decodeEnvelope(xml);
      if (!decoded.ok) throw new Error(`${name}: fixture does not decode: ${decoded.error}`);
      const bytes = Buffer.byteLength(xml);
      ctx.log(`${bytes} bytes`);
      if (direction === "decode") {
        const t = compareTimed(() => decodeEnvelope(xml), () => rawParser.parse(xml), budget(ctx));
        return { rows: [...rows(name, bytes, t.oursUs, "fast-xml-parser parse", t.baselineUs), cpuRow(name, t, "fast-xml-parser parse")], details: { bytes, ...t } };
      }
      const envelope = decoded.envelope;
      const tree: unknown = rawParser.parse(xml);
      const t = compareTimed(() => encodeEnvelope(envelope), () => rawBuilder.build(tree), budget(ctx));
      return { rows: [...rows(name, bytes, t.oursUs, "fast-xml-parser build", t.baselineUs), cpuRow(name, t, "fast-xml-parser build")], details: { bytes, ...t } };
    },
  };
}

/** The two real messages every XML and SOAP case uses. */
export async function codecFixtures(ctx: BenchContext): Promise<{ inform: string; "gpv-response-1000": string }> {
  return { inform: await informXml(), "gpv-response-1000": await gpvXml(ctx) };
}

async function gpvXml(ctx: BenchContext): Promise<string> {
  const { encodeEnvelope } = await fromDist<SoapEncode>("cwmp/soap-encode.js");
  return encodeEnvelope(gpvResponseEnvelope(largeParameterList(ctx.seed, PARAMS)));
}

async function informXml(): Promise<string> {
  return (await informTemplate(["2 PERIODIC"])).replaceAll("BSERIAL000000", "B000000004242");
}

function uspCase(name: string, direction: "decode" | "encode"): BenchCase {
  return {
    name,
    async run(ctx): Promise<CaseResult> {
      const { noSessionRecord } = await fromDist<UspEncode>("usp/encode.js");
      const { decodeRecord, decodeMsg } = await fromDist<UspDecode>("usp/decode.js");
      const { RecordProto, MsgProto } = await fromDist<UspProto>("usp/proto.js");
      const msg = getRespMsg(largeParameterList(ctx.seed, PARAMS));
      const ids = { toId: "proto::controller-1", fromId: "os::C0FFEE-B000000004242" };
      const record = noSessionRecord({ ...ids, msg });
      const json = JSON.stringify(msg);
      ctx.log(`Record ${record.length} bytes, same data as JSON ${json.length} bytes`);
      // Baseline messages are decoded once up front: the raw library then
      // only walks ready protobufjs objects, which is its floor.
      const rawRecord = RecordProto.decode(record);
      const payload = (RecordProto.toObject(rawRecord, { bytes: Uint8Array }) as { noSessionContext: { payload: Uint8Array } }).noSessionContext.payload;
      const rawMsg = MsgProto.decode(payload);
      const ours =
        direction === "encode"
          ? (): unknown => noSessionRecord({ ...ids, msg })
          : (): unknown => {
              const r = decodeRecord(record);
              if (!r.ok || r.record.recordType.type !== "noSessionContext") throw new Error("decodeRecord failed");
              return decodeMsg(r.record.recordType.payload);
            };
      const raw =
        direction === "encode"
          ? (): unknown => RecordProto.encode({ ...ids, version: "1.4", noSessionContext: { payload: MsgProto.encode(rawMsg).finish() } }).finish()
          : (): unknown => MsgProto.decode((RecordProto.decode(record) as unknown as { noSessionContext: { payload: Uint8Array } }).noSessionContext.payload);
      const viaJson = direction === "encode" ? (): unknown => JSON.stringify(msg) : (): unknown => JSON.parse(json);
      const t = compareTimed(ours, raw, budget(ctx));
      const j = compareTimed(ours, viaJson, budget(ctx));
      const jsonName = direction === "encode" ? "JSON.stringify same data" : "JSON.parse same data";
      return {
        rows: [...rows(name, record.length, t.oursUs, "protobufjs raw " + direction, t.baselineUs), ...rows(name, record.length, j.oursUs, jsonName, j.baselineUs)],
        details: { recordBytes: record.length, jsonBytes: json.length, protobufjs: t, json: j },
      };
    },
  };
}

export const codecCases: BenchCase[] = [
  soapCase("codec/soap-decode/gpv-response-1000", "decode", gpvXml),
  soapCase("codec/soap-encode/gpv-response-1000", "encode", gpvXml),
  soapCase("codec/soap-decode/inform", "decode", informXml),
  soapCase("codec/soap-encode/inform", "encode", informXml),
  uspCase("codec/usp-encode/get-resp-1000", "encode"),
  uspCase("codec/usp-decode/get-resp-1000", "decode"),
];
