// Servers under test run in their own process so their CPU time and memory
// can be read apart from the load generator's; both sides speak this small
// IPC protocol.
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { REPO_ROOT } from "./dist.js";

/** Event-loop delay since the previous stats request, ms. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface ProcessStats {
  cpu: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
  loopDelay: LoopDelay;
}

/** A finished RPC of a tiny-ACS job (servers/tiny-acs.ts); index -1: the
 * Connection Request failed. */
export interface JobRpcDone {
  type: "job-rpc";
  id: number;
  index: number;
  ok: boolean;
}

export type ToChild = { type: "stats"; gc: boolean } | { type: "stop" } | { type: "job"; job: unknown };
export type FromChild = { type: "ready"; acsUrl: string; mqttUrl: string } | ({ type: "stats" } & ProcessStats) | { type: "failed"; error: string } | JobRpcDone;

/** Child side: answer stats requests, stop cleanly on request (so that a
 * --cpu-prof profile gets written). */
export function serveIpc(stop: () => Promise<void>): void {
  // What a request waiting for this process would have waited on top of its
  // own work; 10 ms resolution is plenty for a < 50 ms target.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on("message", (raw: ToChild) => {
    if (raw.type === "stats") {
      const loopDelay = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
      loop.reset();
      // Two full collections: the first may only promote survivors.
      if (raw.gc && typeof global.gc === "function") {
        global.gc();
        global.gc();
      }
      send({ type: "stats", cpu: process.cpuUsage(), memory: process.memoryUsage(), loopDelay });
    } else if (raw.type === "stop") {
      void stop().finally(() => process.exit(0));
    }
  });
  // If the bench dies, do not leave servers behind.
  process.on("disconnect", () => process.exit(0));
}

export function send(message: FromChild): void {
  process.send?.(message);
}

export class ChildServer {
  readonly acsUrl: string;
  readonly mqttUrl: string;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess, ready: { acsUrl: string; mqttUrl: string }) {
    this.child = child;
    this.acsUrl = ready.acsUrl;
    this.mqttUrl = ready.mqttUrl;
  }

  /** BENCH_CPU_PROF=1 profiles the server (not the load generator) into
   * bench/results/profiles/, for a look at the hot path. */
  static async start(script: string, args: string[] = []): Promise<ChildServer> {
    const execArgv = ["--expose-gc"];
    if (process.env["BENCH_CPU_PROF"] === "1") {
      const dir = join(REPO_ROOT, "bench", "results", "profiles");
      mkdirSync(dir, { recursive: true });
      execArgv.push("--cpu-prof", `--cpu-prof-dir=${dir}`);
    }
    const child = fork(script, args, { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const ready = await new Promise<{ acsUrl: string; mqttUrl: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s`)), 30_000);
      child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
      child.once("message", (m: FromChild) => {
        clearTimeout(timer);
        if (m.type === "ready") resolve(m);
        else reject(new Error(m.type === "failed" ? m.error : `unexpected ${m.type}`));
      });
    });
    return new ChildServer(child, ready);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  stats(gc = false): Promise<ProcessStats> {
    return new Promise((resolve) => {
      const onMessage = (m: FromChild): void => {
        if (m.type !== "stats") return;
        this.child.off("message", onMessage);
        resolve({ cpu: m.cpu, memory: m.memory, loopDelay: m.loopDelay });
      };
      this.child.on("message", onMessage);
      this.child.send({ type: "stats", gc } satisfies ToChild);
    });
  }

  /** Messages other than the IPC protocol's own (e.g. tiny-ACS results). */
  onMessage(handler: (m: FromChild) => void): void {
    this.child.on("message", handler);
  }

  post(message: ToChild): void {
    this.child.send(message);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.send({ type: "stop" } satisfies ToChild);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** CPU milliseconds (user + system) spent between two samples. */
export function cpuMs(before: NodeJS.CpuUsage, after: NodeJS.CpuUsage): number {
  return (after.user - before.user + after.system - before.system) / 1000;
}
