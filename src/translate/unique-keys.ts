// Unique keys of TR-181 tables, for AddResp.unique_keys (R-ADD.5) and
// GetInstancesResp.curr_insts.unique_keys. CWMP does not report which
// parameters are a table's keys, so the gateway carries a small table of the
// functional keys of common TR-181 tables (TR-181 Issue 2 <uniqueKey>), and
// treats Alias, the non-functional key every TR-181 table gets since 2.0
// (R-KEY.1), as a key wherever the instance has it.

const FUNCTIONAL_KEYS: Readonly<Record<string, readonly string[]>> = {
  "Device.NAT.PortMapping.{i}.": ["RemoteHost", "ExternalPort", "Protocol"],
  "Device.IP.Interface.{i}.": ["Name"],
  "Device.DNS.Client.Server.{i}.": ["DNSServer"],
  // Gateway-served tables (TR-181 2.19 USP LocalAgent).
  "Device.LocalAgent.Subscription.{i}.": ["Recipient", "ID"],
  "Device.LocalAgent.Controller.{i}.": ["EndpointID"],
  "Device.LocalAgent.Request.{i}.": ["Originator", "Command", "CommandKey"],
};

/** "Device.IP.Interface.2.IPv4Address.1." → "Device.IP.Interface.{i}.IPv4Address.{i}." */
export function templateOf(path: string): string {
  return path.replace(/\.[1-9][0-9]*(?=\.)/g, ".{i}");
}

/** True for the relative name of a table instance ("3."). */
export function isInstanceRel(rel: string): boolean {
  return /^[1-9][0-9]*\.$/.test(rel);
}

/** Key parameter names (relative) of `instance` that it actually has, as told
 * by `has` (e.g. a GetParameterNames listing of the instance). */
export function uniqueKeyNames(instance: string, has: (rel: string) => boolean): string[] {
  return ["Alias", ...(FUNCTIONAL_KEYS[templateOf(instance)] ?? [])].filter(has);
}

/** usp.md §1.2 Add notes: unique-key parameters in an Add are always treated
 * as required, whatever the Controller's `required` flag says. */
export function isUniqueKey(instance: string, param: string): boolean {
  return param === "Alias" || (FUNCTIONAL_KEYS[templateOf(instance)] ?? []).includes(param);
}
