// File transfers on the simulated CPE (TR-069 A.3.2.8 Download, A.4.1.5
// Upload, A.4.1.10 ScheduleDownload, A.4.1.11 CancelTransfer, A.4.1.9
// GetAllQueuedTransfers) and ScheduleInform (A.4.1.2), driven over the wire
// by a minimal ACS built on the gateway's session engine.
import t from "tap";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AcsRequest, Download, ScheduleDownload, TransferComplete } from "../src/cwmp/rpc.js";
import { startFleet, readParameter, type Fleet } from "../src/sim/fleet.js";
import { versionFromImage } from "../src/sim/transfers.js";
import { eventCodes, startSessionAcs, type RecordedSession, type Script, type SessionAcs, type SessionAcsOptions } from "./helpers/session-acs.js";

interface FileServer {
  base: string;
  requests: Array<{ method: string; url: string; body: string; authorization: string | undefined }>;
  /** Holds responses to paths starting with /slow until called. */
  release(): void;
}

async function startFileServer(t: { teardown(fn: () => unknown): void }): Promise<FileServer> {
  const requests: FileServer["requests"] = [];
  const held: Array<() => void> = [];
  let released = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", body: Buffer.concat(chunks).toString(), authorization: req.headers.authorization });
      const answer = (): void => {
        if ((req.url ?? "").includes("missing")) res.writeHead(404).end();
        else if ((req.url ?? "").includes("private") && req.headers.authorization === undefined) res.writeHead(401).end();
        else res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(req.method === "GET" ? Buffer.alloc(4096, 7) : undefined);
      };
      if ((req.url ?? "").startsWith("/slow") && !released) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    release: () => {
      released = true;
      for (const answer of held.splice(0)) answer();
    },
  };
}

async function withCpe(t: { teardown(fn: () => unknown): void }, script: Script, options: SessionAcsOptions = {}): Promise<{ acs: SessionAcs; fleet: Fleet }> {
  const acs = await startSessionAcs(script, options);
  const fleet = await startFleet({ acsUrl: acs.url, count: 1, crPort: 0 });
  t.teardown(async () => {
    await fleet.stop();
    await acs.close();
  });
  return { acs, fleet };
}

function download(commandKey: string, url: string, extra: Partial<Download> = {}): Download {
  return {
    method: "Download",
    commandKey,
    fileType: "1 Firmware Upgrade Image",
    url,
    username: "",
    password: "",
    fileSize: 0,
    targetFileName: "",
    delaySeconds: 0,
    successUrl: "",
    failureUrl: "",
    ...extra,
  };
}

/** The script for the boot session only. */
function onBoot(requests: AcsRequest[]): Script {
  return (inform) => (eventCodes(inform).includes("0 BOOTSTRAP") ? requests : []);
}

function transferComplete(session: RecordedSession, commandKey?: string): TransferComplete | undefined {
  const tc = session.cpeRequests.find((r) => r.method === "TransferComplete" && (commandKey === undefined || r.commandKey === commandKey));
  return tc?.method === "TransferComplete" ? tc : undefined;
}

const hasEvent = (code: string) => (s: RecordedSession) => eventCodes(s.inform).includes(code);
const SOFTWARE_VERSION = "Device.DeviceInfo.SoftwareVersion";

t.test("TR-069 A.3.2.8 firmware Download: Status 1, real GET, reboot, 1 BOOT + 7 TRANSFER COMPLETE + M Download and TransferComplete", async (t) => {
  const files = await startFileServer(t);
  const { acs, fleet } = await withCpe(t, onBoot([download("dl-1", `${files.base}/images/hgw-5.0.1.bin`)]));
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  t.match(acs.sessions[0]?.outcomes[0]?.outcome, { ok: true, response: { method: "DownloadResponse", status: 1, startTime: "0001-01-01T00:00:00Z" } });
  const done = await acs.waitFor(hasEvent("7 TRANSFER COMPLETE"));
  t.same(done.inform.event, [
    { eventCode: "1 BOOT", commandKey: "" },
    { eventCode: "7 TRANSFER COMPLETE", commandKey: "" },
    { eventCode: "M Download", commandKey: "dl-1" },
  ]);
  t.match(transferComplete(done), { commandKey: "dl-1", faultStruct: { faultCode: 0, faultString: "" }, startTime: /^20\d\d-/, completeTime: /^20\d\d-/ });
  t.equal(done.inform.parameterList.find((p) => p.name === SOFTWARE_VERSION)?.value, "5.0.1", "SoftwareVersion from the image name");
  t.match(files.requests, [{ method: "GET", url: "/images/hgw-5.0.1.bin" }]);
  await cpe.whenIdle();
  const next = await cpe.inform([{ eventCode: "2 PERIODIC", commandKey: "" }]);
  t.same(next.events, ["2 PERIODIC"], "acknowledged TransferComplete is not sent again");
});

t.test("cwmp.md §2.3 TransferComplete and its events are retained until the ACS answers it", async (t) => {
  let failures = 1;
  const { acs, fleet } = await withCpe(t, onBoot([download("keep", "sim://ok/cfg.xml", { fileType: "3 Vendor Configuration File" })]), {
    failCpeRequest: (r) => r.method === "TransferComplete" && failures-- > 0,
  });
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  await acs.waitFor(hasEvent("7 TRANSFER COMPLETE"));
  await cpe.whenIdle();
  t.match(cpe.log.at(-1), { ok: false, error: /HTTP 500/ }, "the session carrying it failed");
  const retry = await cpe.inform([{ eventCode: "6 CONNECTION REQUEST", commandKey: "" }]);
  t.same(retry.events, ["7 TRANSFER COMPLETE", "6 CONNECTION REQUEST", "M Download"], "retained events first, M events last");
  t.match(transferComplete(acs.sessions.at(-1)!), { commandKey: "keep", faultStruct: { faultCode: 0 } });
  const after = await cpe.inform([{ eventCode: "2 PERIODIC", commandKey: "" }]);
  t.same(after.events, ["2 PERIODIC"]);
});

t.test("TR-069 A.3.2.8 failed downloads report 9016 / 9012 / 9010 / 9015 without rebooting", async (t) => {
  const files = await startFileServer(t);
  const { acs, fleet } = await withCpe(
    t,
    onBoot([
      download("nf", `${files.base}/missing.bin`),
      download("auth", `${files.base}/private/fw-9.bin`),
      download("sim", "sim://fault/9010/fw-9.9.bin"),
      download("down", "http://127.0.0.1:1/fw.bin"),
    ]),
  );
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  const deadline = Date.now() + 5000;
  const reported = new Map<string, number>();
  while (reported.size < 4 && Date.now() < deadline) {
    for (const s of acs.sessions) for (const r of s.cpeRequests) if (r.method === "TransferComplete") reported.set(r.commandKey, r.faultStruct.faultCode);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  t.same(Object.fromEntries(reported), { nf: 9016, auth: 9012, sim: 9010, down: 9015 });
  t.ok(acs.sessions.every((s) => !eventCodes(s.inform).includes("1 BOOT") || s === acs.sessions[0]), "no reboot after a failure");
  t.equal(readParameter(cpe, SOFTWARE_VERSION), "4.2.7-sim");
});

t.test("TR-069 A.3.2.8 request-time faults: 9013 unsupported protocol, 9003 unknown FileType or userinfo in the URL", async (t) => {
  const { acs, fleet } = await withCpe(
    t,
    onBoot([
      download("a", "ftp://files/fw.bin"),
      download("b", "sim://ok/x", { fileType: "9 Nonsense" }),
      download("c", "http://user:pw@127.0.0.1/fw.bin"),
    ]),
  );
  await fleet.cpes[0]!.boot();
  t.match(
    acs.sessions[0]?.outcomes.map((o) => o.outcome),
    [{ ok: false, fault: { faultCode: 9013 } }, { ok: false, fault: { faultCode: 9003 } }, { ok: false, fault: { faultCode: 9003 } }],
  );
});

t.test("TR-069 A.4.1.11 CancelTransfer: a waiting transfer is dropped, one in progress gets 9021", async (t) => {
  const files = await startFileServer(t);
  const { acs, fleet } = await withCpe(t, (inform, index) => {
    if (index === 0) {
      return [
        download("later", "sim://ok/fw-7.0.bin", { delaySeconds: 3600 }),
        download("slow", `${files.base}/slow/cfg.xml`, { fileType: "3 Vendor Configuration File" }),
        { method: "GetAllQueuedTransfers" },
        { method: "CancelTransfer", commandKey: "later" },
        { method: "CancelTransfer", commandKey: "unknown" },
        { method: "GetQueuedTransfers" },
      ];
    }
    return eventCodes(inform).includes("6 CONNECTION REQUEST") ? [{ method: "CancelTransfer", commandKey: "slow" }, { method: "GetAllQueuedTransfers" }] : [];
  });
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  const first = acs.sessions[0]!.outcomes.map((o) => o.outcome);
  t.match(first[2], {
    ok: true,
    response: {
      transferList: [
        { commandKey: "later", state: 1, isDownload: true, fileType: "1 Firmware Upgrade Image" },
        { commandKey: "slow", state: 1, fileType: "3 Vendor Configuration File" },
      ],
    },
  });
  t.match(first[3], { ok: true, response: { method: "CancelTransferResponse" } });
  t.match(first[4], { ok: false, fault: { faultCode: 9003 } });
  t.match(first[5], { ok: true, response: { transferList: [{ commandKey: "slow" }] } });
  while (files.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await cpe.inform([{ eventCode: "6 CONNECTION REQUEST", commandKey: "" }]);
  const during = acs.sessions[1]!.outcomes.map((o) => o.outcome);
  t.match(during[0], { ok: false, fault: { faultCode: 9021 } });
  t.match(during[1], { ok: true, response: { transferList: [{ commandKey: "slow", state: 2 }] } });
  files.release();
  const done = await acs.waitFor(hasEvent("7 TRANSFER COMPLETE"));
  t.same(eventCodes(done.inform), ["7 TRANSFER COMPLETE", "M Download"], "not firmware: no reboot");
  t.match(transferComplete(done), { commandKey: "slow", faultStruct: { faultCode: 0 } });
  t.notOk(acs.sessions.some((s) => s.inform.event.some((e) => e.commandKey === "later")), "the cancelled transfer is never reported");
});

t.test("TR-069 A.4.1.10 ScheduleDownload runs in its window and reports M ScheduleDownload; 4 Confirmation Needed ends in 9020", async (t) => {
  const window = (mode: string) => [{ windowStart: 0, windowEnd: 60, windowMode: mode, userMessage: "", maxRetries: 0 }];
  const schedule = (commandKey: string, url: string, mode: string): ScheduleDownload => ({
    method: "ScheduleDownload",
    commandKey,
    fileType: "1 Firmware Upgrade Image",
    url,
    username: "",
    password: "",
    fileSize: 0,
    targetFileName: "",
    timeWindowList: window(mode),
  });
  const { acs, fleet } = await withCpe(
    t,
    onBoot([
      schedule("ok", "sim://ok/hgw-6.1.0.img", "1 At Any Time"),
      schedule("confirm", "sim://ok/hgw-6.2.0.img", "4 Confirmation Needed"),
      { ...schedule("bad", "sim://ok/x", "1 At Any Time"), timeWindowList: [{ windowStart: 10, windowEnd: 5, windowMode: "1 At Any Time", userMessage: "", maxRetries: 0 }] },
    ]),
  );
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  t.match(acs.sessions[0]!.outcomes.map((o) => o.outcome), [{ ok: true, response: { method: "ScheduleDownloadResponse" } }, { ok: true }, { ok: false, fault: { faultCode: 9003 } }]);
  const done = await acs.waitFor((s) => s.inform.event.some((e) => e.eventCode === "M ScheduleDownload" && e.commandKey === "ok"));
  t.ok(eventCodes(done.inform).includes("1 BOOT"));
  t.equal(done.inform.parameterList.find((p) => p.name === SOFTWARE_VERSION)?.value, "6.1.0");
  const refused = await acs.waitFor((s) => s.cpeRequests.some((r) => r.method === "TransferComplete" && r.commandKey === "confirm"));
  t.match(transferComplete(refused, "confirm"), { faultStruct: { faultCode: 9020 } });
});

t.test("TR-069 A.4.1.5 Upload PUTs a configuration backup and reports M Upload", async (t) => {
  const files = await startFileServer(t);
  const { acs, fleet } = await withCpe(t, onBoot([{ method: "Upload", commandKey: "up-1", fileType: "1 Vendor Configuration File", url: `${files.base}/backup/cfg`, username: "u", password: "p", delaySeconds: 0 }]));
  await fleet.cpes[0]!.boot();
  t.match(acs.sessions[0]?.outcomes[0]?.outcome, { ok: true, response: { method: "UploadResponse", status: 1 } });
  const done = await acs.waitFor(hasEvent("M Upload"));
  t.match(transferComplete(done), { commandKey: "up-1", faultStruct: { faultCode: 0 } });
  const put = files.requests.find((r) => r.method === "PUT");
  t.match(put, { url: "/backup/cfg", authorization: `Basic ${Buffer.from("u:p").toString("base64")}` });
  t.match(put?.body, /SIM000000/);
  t.match(put?.body, /Device\.WiFi\.SSID\.1\.SSID=SimNet/);
});

t.test("TR-069 A.4.1.2 ScheduleInform: 3 SCHEDULED + M ScheduleInform after DelaySeconds; 0 is 9003", async (t) => {
  const { acs, fleet } = await withCpe(t, onBoot([{ method: "ScheduleInform", delaySeconds: 1, commandKey: "si-1" }, { method: "ScheduleInform", delaySeconds: 0, commandKey: "x" }]));
  await fleet.cpes[0]!.boot();
  t.match(acs.sessions[0]?.outcomes[1]?.outcome, { ok: false, fault: { faultCode: 9003 } });
  const session = await acs.waitFor(hasEvent("3 SCHEDULED"), 4000);
  t.same(session.inform.event, [
    { eventCode: "3 SCHEDULED", commandKey: "" },
    { eventCode: "M ScheduleInform", commandKey: "si-1" },
  ]);
});

t.test("firmware versions from image names", async (t) => {
  t.equal(versionFromImage("http://h/images/hgw-5.0.1.bin"), "5.0.1");
  t.equal(versionFromImage("fw_4.3.0-rc1.img"), "4.3.0-rc1");
  t.equal(versionFromImage("sim://ok/hgw-6.1.0.img?delayMs=5"), "6.1.0");
  t.equal(versionFromImage("firmware.bin"), undefined);
});
