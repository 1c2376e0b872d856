// Scenario "tr098": what the TR-098 mapping costs per USP request on a real
// device's tree (the Huawei BM632w, 792 parameters): building the TR-181 view
// from one GetParameterNames + GetParameterValues snapshot, and translating
// an Inform. Baseline, same run: decoding the CPE's GetParameterValuesResponse
// of that tree, the work every request to that CPE costs anyway.
import { fromDist } from "./lib/dist.js";
import { compareTimed, type BenchCase, type CaseResult } from "./lib/harness.js";

type SimDataModel = typeof import("../src/sim/data-model.js");
type SimProfile = typeof import("../src/sim/profile.js");
type Mapping = typeof import("../src/translate/tr098/mapping.js");
type ViewMod = typeof import("../src/translate/tr098/view.js");
type SoapDecode = typeof import("../src/cwmp/soap-decode.js");
type SoapEncode = typeof import("../src/cwmp/soap-encode.js");

export const tr098Cases: BenchCase[] = [
  {
    name: "tr098/view-bm632w",
    async run(ctx): Promise<CaseResult> {
      const dmMod = await fromDist<SimDataModel>("sim/data-model.js");
      const { loadProfile } = await fromDist<SimProfile>("sim/profile.js");
      const { loadRules } = await fromDist<Mapping>("translate/tr098/mapping.js");
      const { buildView, TR098_ROOT } = await fromDist<ViewMod>("translate/tr098/view.js");
      const { decodeEnvelope } = await fromDist<SoapDecode>("cwmp/soap-decode.js");
      const { encodeEnvelope } = await fromDist<SoapEncode>("cwmp/soap-encode.js");
      const loaded = loadProfile("huawei-bm632w-tr098");
      if (!loaded.ok) throw new Error(loaded.error);
      const dm = dmMod.createDeviceModel(loaded.profile, { serialNumber: "BENCH098" });
      const names = dmMod.getParameterNames(dm, { method: "GetParameterNames", parameterPath: TR098_ROOT, nextLevel: false });
      const values = dmMod.getParameterValues(dm, { method: "GetParameterValues", parameterNames: [TR098_ROOT] });
      if (dmMod.isCwmpFault(names) || dmMod.isCwmpFault(values)) throw new Error("the simulated BM632w refused to list its tree");
      const snapshot = {
        writable: new Map(names.parameterList.map((p) => [p.name, p.writable])),
        values: new Map(values.parameterList.map((p) => [p.name, { value: p.value, type: p.type }])),
      };
      const rules = loadRules();
      const instances = {};
      const xml = encodeEnvelope({ cwmpNamespace: "urn:dslforum-org:cwmp-1-0", header: { id: "1" }, body: values });
      ctx.log(`${snapshot.values.size} parameters, GetParameterValuesResponse ${Buffer.byteLength(xml)} bytes`);
      const t = compareTimed(() => buildView(snapshot, rules, instances), () => decodeEnvelope(xml), ctx.quick ? 400 : 2000);
      return {
        rows: [
          { case: "tr098/view-bm632w", figure: "time", unit: "µs/view", ours: t.oursUs, baselineName: "decode its GPV response", baseline: t.baselineUs, higherIsBetter: false },
          { case: "tr098/view-bm632w", figure: "CPU time", unit: "µs/view", ours: t.oursCpuUs, baselineName: "decode its GPV response", baseline: t.baselineCpuUs, higherIsBetter: false },
        ],
        details: { parameters: snapshot.values.size, ...t },
      };
    },
  },
];
