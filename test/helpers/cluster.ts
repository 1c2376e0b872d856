// Gateway instances as child processes (test/helpers/cluster-node.mjs), so a
// test can kill one for real. Children run the compiled dist/ when it is up to
// date with src/ (CI builds it before the tests: each child starts in a
// second), else the TypeScript sources through the loader tap gives this
// process (no build needed, but each child compiles the gateway on start).
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const ENTRY = fileURLToPath(new URL("./cluster-node.mjs", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const START_TIMEOUT_MS = 120_000;

/** One pino line of a child's log. */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface ClusterNode {
  readonly name: string;
  readonly acsUrl: string;
  readonly logs: LogLine[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startClusterNode(name: string, config: Record<string, unknown>): Promise<ClusterNode> {
  const compiled = distIsFresh();
  const child = spawn(process.execPath, [...(compiled ? [] : process.execArgv), ENTRY], {
    env: { ...process.env, CLUSTER_NODE_CONFIG: JSON.stringify(config), CLUSTER_NODE_BASE: pathToFileURL(`${ROOT}${compiled ? "dist" : "src"}`).href },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  const stderrText: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      stderrText.push(line);
    }
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => stderrText.push(line));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const acsUrl = await readyLine(child, exited, stderrText, name);
  return {
    name,
    acsUrl,
    logs,
    exited,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** The child's {"acsUrl"} line on stderr, or why it did not start. */
function readyLine(child: ChildProcess, exited: Promise<void>, stderrText: string[], name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`gateway ${name} did not start within ${START_TIMEOUT_MS} ms: ${stderrText.join("\n")}`));
    }, START_TIMEOUT_MS);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`gateway ${name} exited at start: ${stderrText.join("\n")}`));
    });
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
      if (!line.startsWith('{"acsUrl"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { acsUrl: string }).acsUrl);
    });
  });
}

/** Stops every node still running: SIGTERM, then SIGKILL after a grace period. */
export async function stopAll(nodes: readonly ClusterNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      const timer = setTimeout(() => void node.kill("SIGKILL"), 5000);
      await node.kill("SIGTERM");
      clearTimeout(timer);
    }),
  );
}

/** Whether every src/ module has a compiled dist/ twin at least as new. */
function distIsFresh(): boolean {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
  try {
    return walk(`${ROOT}src`)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
      .every((f) => statSync(f).mtimeMs <= statSync(`${ROOT}dist${f.slice(`${ROOT}src`.length, -3)}.js`).mtimeMs);
  } catch {
    return false; // a module with no compiled twin
  }
}
