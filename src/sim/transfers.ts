// File transfers on a simulated CPE: Download (TR-069 A.3.2.8), Upload
// (A.4.1.5), ScheduleDownload (A.4.1.10), CancelTransfer (A.4.1.11) and the
// queue listings (A.4.1.3, A.4.1.9). The RPC answers Status 1; the transfer
// runs after the session (jobs.ts) and is reported by a later session with
// "7 TRANSFER COMPLETE", "M <method>" and a TransferComplete.
import {
  UNKNOWN_TIME,
  type CancelTransfer,
  type CancelTransferResponse,
  type CwmpFault,
  type Download,
  type DownloadResponse,
  type GetAllQueuedTransfersResponse,
  type GetQueuedTransfersResponse,
  type ScheduleDownload,
  type ScheduleDownloadResponse,
  type TransferComplete,
  type Upload,
  type UploadResponse,
} from "../cwmp/rpc.js";
import type { DeviceModel } from "./device-model.js";
import { downloadFile, supportedScheme, transferFault, uploadFile, type TransferOutcome } from "./file-transfer.js";
import { bootFrom, hasFirmwareImages, imageDownloadEnded, imageDownloadStarted, storedBank, upgradeBank } from "./firmware-images.js";
import type { JobHost } from "./jobs.js";
import { isoSeconds } from "./values.js";

/** One transfer window in seconds after the request was received. */
interface Window {
  readonly start: number;
  readonly end: number;
  readonly mode: string;
}

export interface QueuedTransfer {
  readonly method: "Download" | "Upload" | "ScheduleDownload";
  readonly commandKey: string;
  readonly fileType: string;
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly fileSize: number;
  readonly targetFileName: string;
  readonly receivedAt: number;
  readonly windows: readonly Window[];
  /** TR-069 A.4.1.9: 1 not yet started, 2 in progress, 3 completed. */
  state: 1 | 2 | 3;
  /** The firmware image bank a firmware download goes into (firmware-images.ts), on profiles that have them. */
  readonly imageBank?: string;
}

const FIRMWARE = "1 Firmware Upgrade Image";
/** TR-069 Amd 6: stored into the image bank TargetFileName names, not activated (profiles with FirmwareImage.{i}. only). */
const STORED_FIRMWARE = "6 Stored Firmware Image";
const DOWNLOAD_TYPES = new Set([FIRMWARE, "2 Web Content", "3 Vendor Configuration File"]);
const UPLOAD_TYPES = /^(1 Vendor Configuration File|2 Vendor Log File|3 Vendor Configuration File \d+|4 Vendor Log File \d+)$/;
const WINDOW_MODES = new Set(["1 At Any Time", "2 Immediately", "3 When Idle", "4 Confirmation Needed"]);
/** AllQueuedTransferStruct maxOccurs (cwmp-1-2.xsd). */
const MAX_QUEUED = 16;

function fault(faultCode: number, faultString: string): CwmpFault {
  return { faultCode, faultString, setParameterValuesFaults: [] };
}

/** URL checks at request time: no userinfo (TR-069 A.3.2.8), a scheme the
 * CPE speaks (else 9013), room in the queue (else 9004). */
function checkRequest(dm: DeviceModel, url: string): CwmpFault | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fault(9003, "Invalid arguments");
  }
  if (parsed.username !== "" || parsed.password !== "") return fault(9003, "Invalid arguments");
  if (!supportedScheme(parsed)) return fault(9013, "Unsupported protocol for file transfer");
  if ((dm.transfers?.length ?? 0) >= MAX_QUEUED) return fault(9004, "Resources exceeded");
  return undefined;
}

function enqueue(dm: DeviceModel, transfer: QueuedTransfer): void {
  (dm.transfers ??= []).push(transfer);
  dm.queueWork({ kind: "transfer", transfer });
}

export function download(dm: DeviceModel, req: Download): DownloadResponse | CwmpFault {
  const bank = imageBankFor(dm, req.fileType, req.targetFileName);
  if (req.fileType === STORED_FIRMWARE ? bank === undefined : !DOWNLOAD_TYPES.has(req.fileType)) return fault(9003, "Invalid arguments");
  const bad = checkRequest(dm, req.url);
  if (bad !== undefined) return bad;
  const { commandKey, fileType, url, username, password, fileSize, targetFileName } = req;
  const windows = [{ start: req.delaySeconds, end: Number.POSITIVE_INFINITY, mode: "1 At Any Time" }];
  const imageBank = bank === undefined ? {} : { imageBank: bank };
  enqueue(dm, { method: "Download", commandKey, fileType, url, username, password, fileSize, targetFileName, receivedAt: dm.now(), windows, state: 1, ...imageBank });
  // Status 1: completion comes with TransferComplete; times are Unknown Time.
  return { method: "DownloadResponse", status: 1, startTime: UNKNOWN_TIME, completeTime: UNKNOWN_TIME };
}

/** The image bank of a firmware download on a profile with FirmwareImage.{i}.;
 * undefined for other files, other profiles, or a "6" naming no usable bank. */
function imageBankFor(dm: DeviceModel, fileType: string, targetFileName: string): string | undefined {
  if (fileType === FIRMWARE) return upgradeBank(dm);
  if (fileType === STORED_FIRMWARE && hasFirmwareImages(dm)) return storedBank(dm, targetFileName);
  return undefined;
}

export function upload(dm: DeviceModel, req: Upload): UploadResponse | CwmpFault {
  if (!UPLOAD_TYPES.test(req.fileType)) return fault(9003, "Invalid arguments");
  const bad = checkRequest(dm, req.url);
  if (bad !== undefined) return bad;
  const { commandKey, fileType, url, username, password } = req;
  const windows = [{ start: req.delaySeconds, end: Number.POSITIVE_INFINITY, mode: "1 At Any Time" }];
  enqueue(dm, { method: "Upload", commandKey, fileType, url, username, password, fileSize: 0, targetFileName: "", receivedAt: dm.now(), windows, state: 1 });
  return { method: "UploadResponse", status: 1, startTime: UNKNOWN_TIME, completeTime: UNKNOWN_TIME };
}

/** TR-069 A.4.1.10: one or two windows, each ending after it starts, the
 * second after the first. */
export function scheduleDownload(dm: DeviceModel, req: ScheduleDownload): ScheduleDownloadResponse | CwmpFault {
  const ws = req.timeWindowList;
  const ordered = ws.every((w, i) => w.windowEnd > w.windowStart && (i === 0 || w.windowStart >= (ws[i - 1]?.windowEnd ?? 0)));
  if (ws.length < 1 || ws.length > 2 || !ordered || ws.some((w) => !WINDOW_MODES.has(w.windowMode))) return fault(9003, "Invalid arguments");
  if (!DOWNLOAD_TYPES.has(req.fileType)) return fault(9003, "Invalid arguments");
  const bad = checkRequest(dm, req.url);
  if (bad !== undefined) return bad;
  const { commandKey, fileType, url, username, password, fileSize, targetFileName } = req;
  const windows = ws.map((w) => ({ start: w.windowStart, end: w.windowEnd, mode: w.windowMode }));
  const bank = imageBankFor(dm, req.fileType, req.targetFileName);
  const imageBank = bank === undefined ? {} : { imageBank: bank };
  enqueue(dm, { method: "ScheduleDownload", commandKey, fileType, url, username, password, fileSize, targetFileName, receivedAt: dm.now(), windows, state: 1, ...imageBank });
  return { method: "ScheduleDownloadResponse" };
}

/** TR-069 A.4.1.11: a transfer not yet started is dropped (and never
 * reported); one in progress cannot be cancelled (9021). */
export function cancelTransfer(dm: DeviceModel, req: CancelTransfer): CancelTransferResponse | CwmpFault {
  const matching = (dm.transfers ?? []).filter((t) => t.commandKey === req.commandKey);
  if (matching.length === 0) return fault(9003, "Invalid arguments");
  if (matching.some((t) => t.state !== 1)) return fault(9021, "Cancelation of file transfer not permitted in current transfer state");
  dm.transfers = dm.transfers?.filter((t) => !matching.includes(t));
  return { method: "CancelTransferResponse" };
}

export function getQueuedTransfers(dm: DeviceModel): GetQueuedTransfersResponse {
  return { method: "GetQueuedTransfersResponse", transferList: (dm.transfers ?? []).map((t) => ({ commandKey: t.commandKey, state: t.state })) };
}

export function getAllQueuedTransfers(dm: DeviceModel): GetAllQueuedTransfersResponse {
  const transferList = (dm.transfers ?? []).map((t) => ({
    commandKey: t.commandKey,
    state: t.state,
    isDownload: t.method !== "Upload",
    fileType: t.fileType,
    fileSize: t.fileSize,
    targetFileName: t.targetFileName,
  }));
  return { method: "GetAllQueuedTransfersResponse", transferList };
}

// ---- after the session ------------------------------------------------------

/** Arms the transfer's first window (jobs.ts calls this after the session). */
export function startTransfer(host: JobHost, transfer: QueuedTransfer): void {
  armWindow(host, transfer, 0);
}

function armWindow(host: JobHost, t: QueuedTransfer, index: number): void {
  const window = t.windows[index];
  if (window === undefined) return;
  const wait = Math.max(0, t.receivedAt + window.start * 1000 - host.model.now());
  host.later(wait, () => void runWindow(host, t, index));
}

/** A firmware image name that carries a version ("hgw-5.0.1.bin",
 * "fw_4.3.0-rc1.img") names the SoftwareVersion after the upgrade. */
export function versionFromImage(name: string): string | undefined {
  const base = (name.replace(/[?#].*$/, "").split("/").filter((s) => s !== "").pop() ?? "").replace(/\.(bin|img|trx|tar|gz|zip|fw|itb)$/gi, "");
  return /\d+(?:\.\d+)+(?:[-+][\w.]+)?/.exec(base)?.[0];
}

async function runWindow(host: JobHost, t: QueuedTransfer, index: number): Promise<void> {
  const dm = host.model;
  if (!(dm.transfers ?? []).includes(t)) return; // cancelled or reset meanwhile
  // "4 Confirmation Needed": the simulated user never confirms.
  if (t.windows[index]?.mode === "4 Confirmation Needed") return finishOrRetry(host, t, index, transferFault(9020), "");
  t.state = 2;
  if (t.imageBank !== undefined) imageDownloadStarted(dm, t.imageBank);
  const startTime = isoSeconds(dm.now());
  let outcome: TransferOutcome;
  try {
    const url = new URL(t.url);
    outcome = t.method === "Upload" ? await uploadFile(url, t.username, t.password, uploadBody(dm, t)) : await downloadFile(url, t.username, t.password, t.fileSize);
  } catch (err) {
    outcome = transferFault(9002, (err as Error).message);
  }
  finishOrRetry(host, t, index, outcome, startTime);
}

/** A failed ScheduleDownload window moves to the next one; otherwise the
 * result is reported (TR-069 A.4.1.10: 9020 when no window worked out). */
function finishOrRetry(host: JobHost, t: QueuedTransfer, index: number, outcome: TransferOutcome, startTime: string): void {
  const dm = host.model;
  if (!outcome.ok && index + 1 < t.windows.length) {
    t.state = 1;
    armWindow(host, t, index + 1);
    return;
  }
  t.state = 3;
  dm.transfers = dm.transfers?.filter((x) => x !== t);
  const firmware = outcome.ok && t.method !== "Upload" && t.fileType === FIRMWARE;
  if (t.imageBank !== undefined) {
    // The version comes from the URL: TargetFileName names the bank for "6".
    imageDownloadEnded(dm, t.imageBank, outcome.ok, t.url, versionFromImage(t.url));
    // The reboot below loads it (firmware-images.ts activateBootImage).
    if (firmware) bootFrom(dm, t.imageBank);
  } else if (firmware) {
    const version = versionFromImage(t.targetFileName) ?? versionFromImage(t.url);
    if (version !== undefined) dm.setValue(dm.profile.root + "DeviceInfo.SoftwareVersion", version);
  }
  const faultStruct = outcome.ok ? { faultCode: 0, faultString: "" } : { faultCode: outcome.faultCode, faultString: outcome.faultString };
  const request: TransferComplete = {
    method: "TransferComplete",
    commandKey: t.commandKey,
    faultStruct,
    startTime: startTime === "" ? UNKNOWN_TIME : startTime,
    completeTime: isoSeconds(dm.now()),
  };
  const events = [
    { eventCode: "7 TRANSFER COMPLETE", commandKey: "" },
    { eventCode: `M ${t.method}`, commandKey: t.commandKey },
  ];
  host.report({ events, request, reboot: firmware });
}

/** What the CPE uploads: a configuration backup (name=value lines of what
 * differs from the profile is enough to be recognisable) or a short log. */
function uploadBody(dm: DeviceModel, t: QueuedTransfer): Buffer {
  const id = dm.deviceId();
  if (t.fileType.includes("Log")) return Buffer.from(`${isoSeconds(dm.now())} ${id.serialNumber} cwmp: session log\n`);
  const lines: string[] = [`# ${id.manufacturer} ${id.productClass} ${id.serialNumber}`];
  dm.walk(dm.profile.root, (name, def) => {
    if (def.kind === "param" && def.writable && def.hidden !== true) lines.push(`${name}=${dm.value(name) ?? ""}`);
  });
  return Buffer.from(lines.join("\n") + "\n");
}
