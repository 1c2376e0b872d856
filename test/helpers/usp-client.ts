// What the end-to-end tests of a TR-098 CPE ask of one agent, in one place:
// a typed response body, Get flattened to full names, one column of a table,
// a port mapping added, a subscription added, an Operate. The tests differ in
// their gateways and CPEs, not in how they talk USP.
import type { Msg, Request } from "../../src/usp/messages.js";
import type { TestController } from "./usp-controller.js";

type ResponseOf<K extends string> = Extract<Extract<Msg["body"], { kind: "response" }>["response"], { type: K }>;

/** The response of type `type`, or an Error naming what came instead. */
export function body<K extends string>(msg: Msg, type: K): ResponseOf<K> {
  if (msg.body.kind !== "response" || msg.body.response.type !== type) throw new Error(`expected ${type}, got ${JSON.stringify(msg.body)}`);
  return msg.body.response as never;
}

export function operate(command: string, commandKey: string, inputArgs: Record<string, string> = {}): Request {
  return { type: "operate", operate: { command, commandKey, sendResp: true, inputArgs } };
}

export interface PortMapping {
  internalPort?: string;
  protocol?: string;
  client?: string;
}

export interface UspClient {
  ask(request: Request): Promise<Msg>;
  /** Every parameter under `path` (or the one named), by full name. */
  get(path: string): Promise<Record<string, string>>;
  /** Instance path → one parameter's value, for every row of `table`. */
  column(table: string, param: string): Promise<Map<string, string>>;
  /** The instance path of a new enabled Device.NAT.PortMapping row. */
  addPortMapping(externalPort: string, pm?: PortMapping): Promise<string>;
  subscribe(id: string, notifType: string, referenceList: string): Promise<void>;
}

/** Requests of `controller` to one agent; `onReply` sees every reply (e.g. to check it later). */
export function uspClient(controller: TestController, agentId: string, topic: string, onReply: (msg: Msg) => void = () => {}): UspClient {
  const ask = async (request: Request): Promise<Msg> => {
    const msg = await controller.request(agentId, topic, request, 30_000);
    onReply(msg);
    return msg;
  };
  const get = async (path: string): Promise<Record<string, string>> => {
    const r = body(await ask({ type: "get", get: { paramPaths: [path], maxDepth: 0 } }), "getResp").getResp.reqPathResults[0];
    if (r === undefined || r.errCode !== 0) throw new Error(`Get ${path}: ${JSON.stringify(r)}`);
    const out: Record<string, string> = {};
    for (const res of r.resolvedPathResults) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
    return out;
  };
  const column = async (table: string, param: string): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    const re = new RegExp(`^${table.replaceAll(".", "\\.")}(\\d+)\\.${param}$`);
    for (const [k, v] of Object.entries(await get(table))) {
      const m = re.exec(k);
      if (m !== null) out.set(`${table}${m[1]}.`, v);
    }
    return out;
  };
  const created = (msg: Msg): string => {
    const status = body(msg, "addResp").addResp.createdObjResults[0]?.operStatus;
    if (status?.type !== "operSuccess") throw new Error(JSON.stringify(status));
    return status.instantiatedPath;
  };
  const addPortMapping = async (externalPort: string, pm: PortMapping = {}): Promise<string> =>
    created(
      await ask({
        type: "add",
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: "Device.NAT.PortMapping.",
              paramSettings: [
                { param: "ExternalPort", value: externalPort, required: true },
                { param: "InternalPort", value: pm.internalPort ?? "80", required: true },
                { param: "Protocol", value: pm.protocol ?? "TCP", required: true },
                { param: "InternalClient", value: pm.client ?? "192.168.1.30", required: true },
                { param: "Enable", value: "true", required: true },
                { param: "Description", value: `pm-${externalPort}`, required: true },
              ],
            },
          ],
        },
      }),
    );
  const subscribe = async (id: string, notifType: string, referenceList: string): Promise<void> => {
    created(
      await ask({
        type: "add",
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: "Device.LocalAgent.Subscription.",
              paramSettings: [
                { param: "ID", value: id, required: true },
                { param: "NotifType", value: notifType, required: true },
                { param: "ReferenceList", value: referenceList, required: true },
                { param: "Enable", value: "true", required: true },
              ],
            },
          ],
        },
      }),
    );
  };
  return { ask, get, column, addPortMapping, subscribe };
}
