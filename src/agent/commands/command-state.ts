// The commands state of one agent as stored agent rows (Store.getAgentRows /
// putAgentRows, memory or Redis): one row per running async command (its
// Request instance number and what finds and closes it), and row 0 for the
// CommandKeys of Reboot()s not yet booted and a FactoryReset() not yet seen.
// A gateway-private table, not a TR-181 path.
import type { Store, StoredRow } from "../../store/store.js";
import type { CommandKind } from "../../translate/commands.js";

export const COMMANDS_TABLE = "cwmp2usp:commands";

export interface TrackedCommand {
  endpointId: string;
  requestInstance: number;
  /** Controller endpoint id that sent the Operate (Request.{i}.Originator). */
  originator: string;
  command: string;
  /** The controller's command_key. */
  commandKey: string;
  cwmpCommandKey: string;
  kind: CommandKind;
  /** Epoch ms after which the command fails with a timeout. */
  deadline: number;
  diagnosticsObject?: string;
  image?: string;
  execEnvRef?: string;
  /** Download(): the file's URL, for TransferComplete!. */
  transferUrl?: string;
}

export interface AgentCommandState {
  commands: TrackedCommand[];
  /** Sync Reboot()s not yet booted: CWMP CommandKey → controller's command_key. */
  rebootKeys: Record<string, string>;
  /** The gateway sent a FactoryReset the CPE has not come back from yet. */
  factoryReset: boolean;
}

const REBOOT = "reboot:";
const OPTIONAL = ["diagnosticsObject", "image", "execEnvRef", "transferUrl"] as const;

export async function loadState(store: Store, endpointId: string): Promise<AgentCommandState> {
  const state: AgentCommandState = { commands: [], rebootKeys: {}, factoryReset: false };
  for (const row of await store.getAgentRows(endpointId, COMMANDS_TABLE)) {
    if (row.instance === 0) {
      state.factoryReset = row.values.factoryReset === "true";
      for (const [k, v] of Object.entries(row.values)) if (k.startsWith(REBOOT)) state.rebootKeys[k.slice(REBOOT.length)] = v;
      continue;
    }
    const v = row.values;
    const command: TrackedCommand = {
      endpointId,
      requestInstance: row.instance,
      originator: v.originator ?? "",
      command: v.command ?? "",
      commandKey: v.commandKey ?? "",
      cwmpCommandKey: v.cwmpCommandKey ?? "",
      kind: (v.kind ?? "diagnostics") as CommandKind,
      deadline: Number(v.deadline ?? "0"),
    };
    for (const k of OPTIONAL) if (v[k] !== undefined) command[k] = v[k];
    state.commands.push(command);
  }
  return state;
}

export async function saveState(store: Store, endpointId: string, state: AgentCommandState): Promise<void> {
  const rows: StoredRow[] = [];
  const keys = Object.entries(state.rebootKeys);
  if (state.factoryReset || keys.length > 0) {
    rows.push({ instance: 0, values: { factoryReset: String(state.factoryReset), ...Object.fromEntries(keys.map(([k, v]) => [REBOOT + k, v])) } });
  }
  for (const c of state.commands) {
    const values: Record<string, string> = {
      originator: c.originator,
      command: c.command,
      commandKey: c.commandKey,
      cwmpCommandKey: c.cwmpCommandKey,
      kind: c.kind,
      deadline: String(c.deadline),
    };
    for (const k of OPTIONAL) {
      const value = c[k];
      if (value !== undefined) values[k] = value;
    }
    rows.push({ instance: c.requestInstance, values });
  }
  await store.putAgentRows(endpointId, COMMANDS_TABLE, rows);
}
