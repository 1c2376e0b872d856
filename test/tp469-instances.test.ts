// TP-469 section 1, the GetInstances cases. unique_keys must carry every
// parameter of every unique key of the table (TR-369 GetInstancesResp), so
// the expected keys below are TR-181's, read from the CPE's own values.
import t from "tap";
import type { CurrInstance, GetInstancesResp } from "../src/usp/messages.js";
import { getInstances, instancesResp, startBench } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPI" });
t.teardown(() => bench.stop());
const { cpe } = bench;

/** TR-181 unique keys (mappings/tr181-schema.json "k") of the tables used here. */
const KEYS: Record<string, string[]> = {
  "Device.IP.Interface.{i}.": ["Alias", "Name"],
  "Device.IP.Interface.{i}.IPv4Address.{i}.": ["Alias", "IPAddress", "SubnetMask"],
  "Device.DNS.Client.Server.{i}.": ["Alias", "DNSServer"],
};

/** An instance as GetInstancesResp must show it, keys read from the CPE. */
function inst(path: string): CurrInstance {
  const keys = KEYS[path.replace(/\.[1-9][0-9]*(?=\.)/g, ".{i}")] ?? [];
  return { instantiatedObjPath: path, uniqueKeys: Object.fromEntries(keys.map((k) => [k, cpe.model.value(path + k) ?? ""])) };
}

const result = (requestedPath: string, paths: string[]): GetInstancesResp["reqPathResults"][number] => ({
  requestedPath,
  errCode: 0,
  errMsg: "",
  currInsts: paths.map(inst),
});

async function ask(paths: string[], firstLevelOnly: boolean): Promise<GetInstancesResp["reqPathResults"]> {
  return instancesResp(await bench.ask(getInstances(paths, firstLevelOnly))).reqPathResults;
}

const sorted = (results: GetInstancesResp["reqPathResults"]): GetInstancesResp["reqPathResults"] =>
  results.map((r) => ({ ...r, currInsts: [...r.currInsts].sort((a, b) => a.instantiatedObjPath.localeCompare(b.instantiatedObjPath)) }));

t.test("TP-469 1.66 GetInstances using a single object, first_level_only true", async (t) => {
  t.same(await ask(["Device.IP.Interface."], true), [result("Device.IP.Interface.", ["Device.IP.Interface.1.", "Device.IP.Interface.2."])], "the table's rows only, not IPv4Address rows below them");
});

t.test("TP-469 1.67 GetInstances using a single object, first_level_only false", async (t) => {
  t.same(
    sorted(await ask(["Device.IP.Interface."], false)),
    [result("Device.IP.Interface.", ["Device.IP.Interface.1.", "Device.IP.Interface.1.IPv4Address.1.", "Device.IP.Interface.2.", "Device.IP.Interface.2.IPv4Address.1."])],
    "rows of the table and of every table below it",
  );
});

t.test("TP-469 1.68 GetInstances with multiple objects", async (t) => {
  t.same(await ask(["Device.IP.Interface.", "Device.DNS.Client.Server."], true), [
    result("Device.IP.Interface.", ["Device.IP.Interface.1.", "Device.IP.Interface.2."]),
    result("Device.DNS.Client.Server.", ["Device.DNS.Client.Server.1.", "Device.DNS.Client.Server.2."]),
  ]);
});

t.test("TP-469 1.70 GetInstances with wildcard search path", async (t) => {
  t.same(sorted(await ask(["Device.IP.Interface.*.IPv4Address."], true)), [
    result("Device.IP.Interface.*.IPv4Address.", ["Device.IP.Interface.1.IPv4Address.1.", "Device.IP.Interface.2.IPv4Address.1."]),
  ]);
});

t.test("TP-469 1.71 GetInstances with search expression search path", async (t) => {
  t.same(await ask(['Device.IP.Interface.[Name=="br-lan"].IPv4Address.'], true), [
    result('Device.IP.Interface.[Name=="br-lan"].IPv4Address.', ["Device.IP.Interface.2.IPv4Address.1."]),
  ]);
});

t.test("TP-469 1.83 GetInstances message with unmatched search expression", async (t) => {
  t.same(await ask(['Device.IP.Interface.[Name=="nowhere"].IPv4Address.', "Device.IP.Interface.[MaxMTUSize>9000]."], true), [
    result('Device.IP.Interface.[Name=="nowhere"].IPv4Address.', []),
    result("Device.IP.Interface.[MaxMTUSize>9000].", []),
  ], "success with no instances");
});
