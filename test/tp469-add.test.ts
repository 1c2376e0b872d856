// TP-469 section 1, the Add cases, against the simulated CPE's writable
// tables (Device.DNS.Client.Server., Device.NAT.PortMapping.,
// Device.IP.Interface.{i}.IPv4Address.) and the gateway-served
// Device.LocalAgent.Subscription. Every outcome is checked on the CPE itself
// too: allow_partial=false must leave nothing half made (usp.md §2 truth table).
import t, { type Test } from "tap";
import type { AddOperStatus } from "../src/usp/messages.js";
import { add, addResp, cpeInstances, errorOf, get, getInstances, getResp, instancesResp, p, startBench } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPA" });
t.teardown(() => bench.stop());
const { cpe } = bench;

const DNS = "Device.DNS.Client.Server.";
const NAT = "Device.NAT.PortMapping.";
const dnsRows = (): string[] => cpeInstances(cpe, DNS);
const natRows = (): string[] => cpeInstances(cpe, NAT);
/** Codes an Add's Error may carry: the "Supported Error Codes" of Add
 * (7000-7019, 7026) plus those whose applicability names Add (7021 Required
 * parameter failed, 7025 duplicate key); reference/usp.md §2. */
const ADD_CODES = [...Array.from({ length: 20 }, (_, i) => 7000 + i), 7021, 7025, 7026];

const dnsServer = (address: string, alias: string): { objPath: string; paramSettings: ReturnType<typeof p>[] } => ({
  objPath: DNS,
  paramSettings: [p("DNSServer", address), p("Alias", alias), p("Enable", "true", false)],
});
const portMapping = (externalPort: string): { objPath: string; paramSettings: ReturnType<typeof p>[] } => ({
  objPath: NAT,
  paramSettings: [p("ExternalPort", externalPort), p("InternalPort", "80"), p("InternalClient", "192.168.1.20"), p("Protocol", "TCP")],
});

function success(status: AddOperStatus | undefined): Extract<AddOperStatus, { type: "operSuccess" }> {
  if (status?.type !== "operSuccess") throw new Error(`expected oper_success, got ${JSON.stringify(status)}`);
  return status;
}

async function checkDnsRow(t: Test, instance: string, address: string, alias: string): Promise<void> {
  t.match(instance, new RegExp(`^Device\\.DNS\\.Client\\.Server\\.[1-9][0-9]*\\.$`), "instantiated_path is an instance path");
  t.equal(cpe.model.value(`${instance}DNSServer`), address, "the CPE holds the new row");
  t.equal(cpe.model.value(`${instance}Alias`), alias);
  const back = getResp(await bench.ask(get([`${instance}DNSServer`])));
  t.same(back.reqPathResults[0]?.resolvedPathResults, [{ resolvedPath: instance, resultParams: { DNSServer: address } }], "a Get finds it");
}

t.test("TP-469 1.1 Add message with allow partial false, single object, required parameters succeed", async (t) => {
  const resp = addResp(await bench.ask(add(false, [dnsServer("8.8.8.8", "tp-1-1")])));
  t.equal(resp.createdObjResults.length, 1);
  t.equal(resp.createdObjResults[0]?.requestedPath, DNS);
  const status = success(resp.createdObjResults[0]?.operStatus);
  t.same(status.paramErrs, []);
  t.same(status.uniqueKeys, { Alias: "tp-1-1", DNSServer: "8.8.8.8" }, "R-ADD.5 unique keys of the new row");
  await checkDnsRow(t, status.instantiatedPath, "8.8.8.8", "tp-1-1");
});

t.test("TP-469 1.2 Add message with allow partial true, single object, required parameters succeed", async (t) => {
  const resp = addResp(await bench.ask(add(true, [dnsServer("8.8.4.4", "tp-1-2")])));
  t.equal(resp.createdObjResults.length, 1);
  t.equal(resp.createdObjResults[0]?.requestedPath, DNS);
  const status = success(resp.createdObjResults[0]?.operStatus);
  t.same(status.paramErrs, []);
  t.same(status.uniqueKeys, { Alias: "tp-1-2", DNSServer: "8.8.4.4" });
  await checkDnsRow(t, status.instantiatedPath, "8.8.4.4", "tp-1-2");
});

t.test("TP-469 1.3 Add message with allow partial false, single object, required parameters fail", async (t) => {
  const before = dnsRows();
  const error = errorOf(await bench.ask(add(false, [{ objPath: DNS, paramSettings: [p("DNSServer", "1.2.3.4"), p("NoSuchParameter", "x")] }])));
  t.ok(ADD_CODES.includes(error.errCode), `err_code ${error.errCode} is one an Add may carry`);
  t.equal(error.paramErrs.length, 1, "param_errs names the failed parameter");
  t.match(error.paramErrs[0]?.paramPath, /^Device\.DNS\.Client\.Server\.[0-9]+\.NoSuchParameter$/);
  t.equal(error.paramErrs[0]?.errCode, 7010, "7010 Unsupported parameter");
  t.same(dnsRows(), before, "no row left behind on the CPE");
});

t.test("TP-469 1.4 Add message with allow partial false, single invalid object", async (t) => {
  const before = dnsRows();
  const error = errorOf(await bench.ask(add(false, [{ objPath: "Device.DNS.Client.NoSuchTable.", paramSettings: [p("Enable", "true")] }])));
  t.equal(error.errCode, 7026, "7026 Invalid path");
  t.not(error.errMsg, "");
  t.same(dnsRows(), before);
});

t.test("TP-469 1.5 Add message with allow partial false, multiple objects", async (t) => {
  const resp = addResp(await bench.ask(add(false, [dnsServer("9.9.9.10", "tp-1-5"), portMapping("8005")])));
  t.same(resp.createdObjResults.map((r) => r.requestedPath), [DNS, NAT], "one result per create_obj, in order");
  const dns = success(resp.createdObjResults[0]?.operStatus);
  const nat = success(resp.createdObjResults[1]?.operStatus);
  await checkDnsRow(t, dns.instantiatedPath, "9.9.9.10", "tp-1-5");
  t.match(nat.instantiatedPath, /^Device\.NAT\.PortMapping\.[1-9][0-9]*\.$/);
  t.equal(cpe.model.value(`${nat.instantiatedPath}ExternalPort`), "8005");
  // The CPE leaves a new row's Alias empty: the agent assigns cpe-<n> (mapping.md §4.4).
  const natAlias = `cpe-${/([0-9]+)\.$/.exec(nat.instantiatedPath)?.[1] ?? ""}`;
  t.same(nat.uniqueKeys, { Alias: natAlias, RemoteHost: "", ExternalPort: "8005", Protocol: "TCP" });
  t.equal(cpe.model.value(`${nat.instantiatedPath}Alias`), natAlias, "and writes it to the CPE");
});

t.test("TP-469 1.6 Add message with allow partial false, multiple objects with an invalid object", async (t) => {
  const [dns, nat] = [dnsRows(), natRows()];
  const error = errorOf(await bench.ask(add(false, [dnsServer("9.9.9.11", "tp-1-6"), { objPath: "Device.NAT.NoSuchTable.", paramSettings: [] }])));
  t.equal(error.errCode, 7026);
  t.same(dnsRows(), dns, "the valid object was not created either");
  t.same(natRows(), nat);
});

t.test("TP-469 1.7 Add message with allow partial false, multiple objects, required parameters fail in single object", async (t) => {
  const [dns, nat] = [dnsRows(), natRows()];
  const error = errorOf(await bench.ask(add(false, [dnsServer("9.9.9.12", "tp-1-7"), portMapping("70000")])));
  t.ok(ADD_CODES.includes(error.errCode), `err_code ${error.errCode}`);
  t.equal(error.paramErrs.length, 1);
  t.match(error.paramErrs[0]?.paramPath, /^Device\.NAT\.PortMapping\.[0-9]+\.ExternalPort$/);
  t.equal(error.paramErrs[0]?.errCode, 7012, "7012 Invalid value (out of range)");
  t.same(dnsRows(), dns, "the other object is not kept");
  t.same(natRows(), nat);
});

t.test("TP-469 1.8 Add message with allow partial true, required parameters fail, invalid type, single object", async (t) => {
  const nat = natRows();
  const resp = addResp(await bench.ask(add(true, [portMapping("not-a-number")])));
  t.equal(resp.createdObjResults.length, 1);
  t.equal(resp.createdObjResults[0]?.requestedPath, NAT);
  const status = resp.createdObjResults[0]?.operStatus;
  t.equal(status?.type, "operFailure");
  if (status?.type === "operFailure") {
    t.ok([7011, 7021].includes(status.errCode), `err_code ${status.errCode}: 7011 Invalid type or 7021 Required parameter failed`);
    t.match(status.errMsg, /ExternalPort/);
  }
  t.same(natRows(), nat, "no row created");
});

t.test("TP-469 1.9 Add message with allow partial true, required parameters fail, multiple objects", async (t) => {
  const nat = natRows();
  const resp = addResp(await bench.ask(add(true, [dnsServer("9.9.9.13", "tp-1-9"), portMapping("70000")])));
  t.same(resp.createdObjResults.map((r) => r.requestedPath), [DNS, NAT]);
  const dns = success(resp.createdObjResults[0]?.operStatus);
  await checkDnsRow(t, dns.instantiatedPath, "9.9.9.13", "tp-1-9");
  const failed = resp.createdObjResults[1]?.operStatus;
  t.equal(failed?.type, "operFailure");
  if (failed?.type === "operFailure") t.ok([7012, 7021].includes(failed.errCode), `err_code ${failed.errCode}`);
  t.same(natRows(), nat, "the failed object was not created");
});

t.test("TP-469 1.10 Add message with unique key addressing in path", async (t) => {
  const before = cpeInstances(cpe, "Device.IP.Interface.2.IPv4Address.");
  const resp = addResp(await bench.ask(add(false, [{ objPath: 'Device.IP.Interface.[Name=="br-lan"].IPv4Address.', paramSettings: [p("IPAddress", "192.168.2.1"), p("SubnetMask", "255.255.255.0")] }])));
  t.equal(resp.createdObjResults[0]?.requestedPath, 'Device.IP.Interface.[Name=="br-lan"].IPv4Address.');
  const status = success(resp.createdObjResults[0]?.operStatus);
  t.match(status.instantiatedPath, /^Device\.IP\.Interface\.2\.IPv4Address\.[1-9][0-9]*\.$/, "created in the row the key addresses, named by instance number");
  t.equal(cpe.model.value(`${status.instantiatedPath}IPAddress`), "192.168.2.1");
  t.equal(cpeInstances(cpe, "Device.IP.Interface.2.IPv4Address.").length, before.length + 1);
  t.same(cpeInstances(cpe, "Device.IP.Interface.1.IPv4Address."), ["1"], "nothing in the other interface");
});

t.test("TP-469 1.81 Automatic unique key generation", async (t) => {
  // Device.LocalAgent.Subscription. is the agent's own table (the gateway
  // serves it): Alias and ID are not supplied, so the agent must assign them.
  const create = { objPath: "Device.LocalAgent.Subscription.", paramSettings: [p("NotifType", "Event"), p("ReferenceList", "Device.Boot!")] };
  const first = success(addResp(await bench.ask(add(false, [create]))).createdObjResults[0]?.operStatus);
  const second = success(addResp(await bench.ask(add(false, [create]))).createdObjResults[0]?.operStatus);
  for (const [label, status] of [["first", first], ["second", second]] as const) {
    t.not(status.uniqueKeys.Alias ?? "", "", `${label}: Alias assigned`);
    t.not(status.uniqueKeys.ID ?? "", "", `${label}: ID assigned`);
    t.equal(status.uniqueKeys.Recipient, "Device.LocalAgent.Controller.1", `${label}: Recipient is the creating controller`);
  }
  t.not(first.uniqueKeys.Alias, second.uniqueKeys.Alias, "generated Aliases are unique");
  t.not(first.uniqueKeys.ID, second.uniqueKeys.ID, "generated IDs are unique");
  const back = getResp(await bench.ask(get([`${second.instantiatedPath}Alias`, `${second.instantiatedPath}ID`])));
  t.same(
    back.reqPathResults.map((r) => r.resolvedPathResults[0]?.resultParams),
    [{ Alias: second.uniqueKeys.Alias }, { ID: second.uniqueKeys.ID }],
    "a Get reads back the generated keys",
  );
});

t.test("TP-469 1.95 Add message with search expression", async (t) => {
  const before = [cpeInstances(cpe, "Device.IP.Interface.1.IPv4Address.").length, cpeInstances(cpe, "Device.IP.Interface.2.IPv4Address.").length];
  const path = 'Device.IP.Interface.[Type=="Normal"].IPv4Address.';
  const resp = addResp(await bench.ask(add(false, [{ objPath: path, paramSettings: [p("IPAddress", "10.9.5.1")] }])));
  t.equal(resp.createdObjResults.length, 2, "one created_obj_result per matched parent (both interfaces are Normal)");
  const paths = resp.createdObjResults.map((r) => {
    t.equal(r.requestedPath, path);
    return success(r.operStatus).instantiatedPath;
  });
  t.match(paths[0], /^Device\.IP\.Interface\.1\.IPv4Address\.[1-9][0-9]*\.$/);
  t.match(paths[1], /^Device\.IP\.Interface\.2\.IPv4Address\.[1-9][0-9]*\.$/);
  for (const instance of paths) t.equal(cpe.model.value(`${instance}IPAddress`), "10.9.5.1");
  t.same(
    [cpeInstances(cpe, "Device.IP.Interface.1.IPv4Address.").length, cpeInstances(cpe, "Device.IP.Interface.2.IPv4Address.").length],
    before.map((n) => n + 1),
  );
});

t.test("TP-469 1.88 Add message fails when unique key is invalid", async (t) => {
  // Device.DNS.Client.Server.1. already has Alias "cpe-dns-1": a second row
  // with the same Alias would break the table's uniqueness (7025).
  const before = dnsRows();
  t.equal(cpe.model.value(`${DNS}1.Alias`), "cpe-dns-1");
  const msg = await bench.ask(add(false, [dnsServer("10.1.88.1", "cpe-dns-1")]));
  t.equal(msg.header.msgType, "ERROR", "the Add fails");
  if (msg.body.kind === "error") {
    t.ok(ADD_CODES.includes(msg.body.error.errCode), `err_code ${msg.body.error.errCode}`);
    t.equal(msg.body.error.errCode, 7025, "Object exists with duplicate key");
  }
  t.same(dnsRows(), before, "no row created");

  // The gateway-served Subscription table: (Recipient, ID) is a key, and
  // Recipient is assigned by the agent (the creating Controller).
  const SUB = "Device.LocalAgent.Subscription.";
  const sub = { objPath: SUB, paramSettings: [p("ID", "tp-1-88"), p("NotifType", "Event"), p("ReferenceList", "Device.Boot!")] };
  success(addResp(await bench.ask(add(false, [sub]))).createdObjResults[0]?.operStatus);
  const rows = async (): Promise<number> => instancesResp(await bench.ask(getInstances([SUB], true))).reqPathResults[0]?.currInsts.length ?? -1;
  const count = await rows();
  const again = await bench.ask(add(false, [sub]));
  t.equal(again.header.msgType, "ERROR", "a second Subscription with the same Recipient and ID fails");
  if (again.body.kind === "error") t.equal(again.body.error.errCode, 7025);
  t.equal(await rows(), count, "and leaves no row");
});
