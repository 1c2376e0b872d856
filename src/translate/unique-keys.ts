// Unique keys of TR-181 tables, for AddResp.unique_keys (R-ADD.5) and
// GetInstancesResp.curr_insts.unique_keys. CWMP does not report which
// parameters are a table's keys, so they come from the TR-181 schema's
// <uniqueKey> sets (mappings/tr181-schema.json "k"); a table the schema does
// not know (a vendor extension) gets Alias, the non-functional key every
// TR-181 table has had since 2.0 (R-KEY.1), wherever the instance has it.
//
// schema.ts imports templateOf from here and this file imports TR181 from
// schema.ts: the cycle is safe because templateOf is a hoisted function
// declaration and TR181 is only read inside functions, never at load time.
import { TR181 } from "./schema.js";

/** "Device.IP.Interface.2.IPv4Address.1." → "Device.IP.Interface.{i}.IPv4Address.{i}." */
export function templateOf(path: string): string {
  return path.replace(/\.[1-9][0-9]*(?=\.)/g, ".{i}");
}

/** True for the relative name of a table instance ("3."). */
export function isInstanceRel(rel: string): boolean {
  return /^[1-9][0-9]*\.$/.test(rel);
}

/** The unique key sets of the table `instance` belongs to, each a list of
 * parameter names (relative) whose values together are unique in the table. */
export function keySetsOf(instance: string): string[][] {
  return TR181.object(templateOf(instance))?.uniqueKeys ?? [["Alias"]];
}

/** Every parameter of every unique key of the table `instance` belongs to,
 * Alias first, each once ("Device.NAT.PortMapping.3." → Alias, RemoteHost,
 * ExternalPort, Protocol). */
export function keyParamsOf(instance: string): string[] {
  const names = new Set(keySetsOf(instance).flat());
  return names.has("Alias") ? ["Alias", ...[...names].filter((n) => n !== "Alias")] : [...names];
}

/** Key parameter names (relative) of `instance` that it actually has, as told
 * by `has` (e.g. a GetParameterNames listing of the instance): TR-369
 * GetInstancesResp leaves out key parameters the agent does not support. */
export function uniqueKeyNames(instance: string, has: (rel: string) => boolean): string[] {
  return keyParamsOf(instance).filter(has);
}

/** usp.md §1.2 Add notes: unique-key parameters in an Add are always treated
 * as required, whatever the Controller's `required` flag says. */
export function isUniqueKey(instance: string, param: string): boolean {
  return keyParamsOf(instance).includes(param);
}
