// The committed TP-469 verdicts (STYLE.md §3 rule 10) for every case of
// sections 1, 3, 7 and 11 (titles.ts):
// - "pass": exactly one test in test/tp469-*.test.ts is titled
//   "TP-469 <id> <title>" and passes;
// - "n/a": the case does not apply to this agent, and `reason` says why;
// - "expected-fail": the case applies but the gateway does not meet it yet;
//   `reason` says what is missing. Such a case has no test, or one run
//   through expectedFailure() that fails the run as soon as the case passes.
// test/tp469-table.test.ts keeps this list complete and true to the tests,
// and the README's TP-469 table is generated from it (scripts/tp469-table.ts).

export type Verdict = "pass" | "n/a" | "expected-fail";

export interface Expected {
  status: Verdict;
  /** Why n/a or why it fails; for "pass", an optional note on how it is met. */
  reason?: string;
}

const pass = (note?: string): Expected => (note === undefined ? { status: "pass" } : { status: "pass", reason: note });
const na = (reason: string): Expected => ({ status: "n/a", reason });
const fails = (reason: string): Expected => ({ status: "expected-fail", reason });

const E2E =
  "E2E Session Context and payload security are optional (TR-369 R-E2E.*); the gateway offers neither and refuses a session_context Record with a DisconnectRecord 7106 (R-E2E.6a, tested)";
const ONBOARDING = "both values are stored per agent and Controller (on-boarding.ts); Controller.{i}.SendOnBoardRequest() is not served";
const LOCAL_CHANGE = "the value is changed on the CPE (a change made by Set is not notified, see 1.52)";
const MQTT_CLIENT_DM =
  "Device.MQTT.Client.1 is the gateway's one MQTT connection, the same in every agent's tree (DESIGN decision 2): its settings come from mqtt.* and are read-only except KeepAliveTime, which applies to every agent";

export const EXPECTED: ReadonlyMap<string, Expected> = new Map<string, Expected>([
  ...["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10"].map((id): [string, Expected] => [id, pass()]),
  ...["1.11", "1.12", "1.13", "1.14", "1.15", "1.16", "1.17", "1.18", "1.19", "1.20", "1.21", "1.22", "1.23"].map((id): [string, Expected] => [id, pass()]),
  ...["1.24", "1.25", "1.26", "1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35"].map((id): [string, Expected] => [id, pass()]),
  ...["1.36", "1.37", "1.38", "1.39", "1.40", "1.41", "1.42", "1.43", "1.44", "1.45", "1.46", "1.47", "1.48", "1.49", "1.50", "1.51"].map(
    (id): [string, Expected] => [id, pass()],
  ),
  ["1.52", pass("a change made on the CPE through its 4 VALUE CHANGE Inform; a change made by a controller's Set (which a CWMP CPE does not report, TR-069 §3.2.1) by the gateway itself from the SetResp's updated_params, even when the value was already the one set")],
  ["1.53", pass()],
  ["1.54", pass(LOCAL_CHANGE)],
  ["1.55", pass("the row goes TimeToLive seconds after its CreationDate (both persisted, so a restart does not forget it): on the next access or on a timer")],
  ["1.56", pass(LOCAL_CHANGE)],
  ["1.57", pass("after a controller's Add; rows the CPE adds itself are notified at its next session, without unique_keys")],
  ["1.58", pass()],
  ["1.59", pass("Periodic! follows the CPE's periodic Informs (ManagementServer.PeriodicInformInterval); Controller.{i}.PeriodicNotifInterval is read-only")],
  ["1.60", pass("sent on the CPE's 0 BOOTSTRAP Inform and by Controller.{i}.SendOnBoardRequest()")],
  ["1.61", pass()],
  ["1.62", pass()],
  ["1.63", na("DEPRECATED in TP-469, replaced by 1.79")],
  ["1.64", pass("Device.IP.Diagnostics.DownloadDiagnostics(), OperationComplete after the CPE's 8 DIAGNOSTICS COMPLETE")],
  ["1.65", pass()],
  ["1.66", pass()],
  ["1.67", pass()],
  ["1.68", pass()],
  ["1.70", pass()],
  ["1.71", pass()],
  ["1.72", pass()],
  ["1.73", pass()],
  ["1.74", pass()],
  ["1.75", pass()],
  ["1.76", pass("Device.ManagementServer. is not offered: the gateway is the CPE's ACS")],
  ["1.77", pass()],
  ["1.78", pass("Controller rows come from the configuration (USP cannot add or delete them), so a Controller goes when the configuration drops it; the Subscription rows whose Recipient it was are removed when the agent's tree is next built, e.g. after the restart with the new configuration, and never notified meanwhile")],
  ["1.79", pass()],
  ["1.80", pass()],
  ["1.81", pass("on Device.LocalAgent.Subscription. (Alias and ID assigned by the agent); a new row of a CPE table whose Alias the CPE leaves empty gets cpe-<instance number> from the gateway (kept empty if the CPE refuses it)")],
  ["1.82", pass()],
  ["1.83", pass()],
  ["1.84", pass("active notification is set on the object above the expression; a reported change is notified once the expression's parameters, read in the same CWMP session, match (reference following in the expression is not evaluated)")],
  ["1.85", na("TP-469 marks it \"For future work\": no procedure to run")],
  ["1.86", pass()],
  ["1.87", pass()],
  ["1.88", pass("a duplicate of a row read from the CPE before AddObject, or of a key completed with the values the agent assigns (the new row is deleted again); rows made by the same Add are not compared with each other")],
  ["1.89", pass()],
  ["1.90", pass()],
  ["1.91", pass()],
  ["1.92", pass("a left-out argument is written with its TR-181 default (R-OPR.7), e.g. IPPing() DSCP 0")],
  ["1.93", pass("TriggerConfigSettings are written to the CPE with one SetParameterValues in the session that reported the event (typed from the TR-181 schema); settings of Device.LocalAgent. itself are not applied")],
  ["1.94", pass("TriggerConfigSettings are written to the CPE with one SetParameterValues in the session that reported the event (typed from the TR-181 schema); settings of Device.LocalAgent. itself are not applied")],
  ["1.95", pass()],
  ["1.96", pass()],
  ["1.97", pass()],
  ["1.98", pass()],
  ["1.99", pass()],
  ["1.100", pass()],
  ["1.101", pass(`Controller.{i}.OnBoardingComplete set to false makes the agent send an OnBoardRequest to that Controller; ${ONBOARDING}`)],
  ["1.102", pass(`after the NotifyResp, re-sent every OnBoardingRestartTime seconds while OnBoardingComplete stays false; ${ONBOARDING}`)],
  ["1.103", pass(`OnBoardingRestartTime 0: not re-sent after the NotifyResp; ${ONBOARDING}`)],
  ["1.104", pass("Set of Alias or another writeOnceReadOnly parameter of the TR-181 USP schema is 7013, though the CPE's CWMP Alias is writable")],
  ["1.105", pass()],
  ["1.106", pass()],
  ["1.107", pass()],

  ["3.1", pass()],
  ...["3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"].map((id): [string, Expected] => [id, na(E2E)]),

  ["7.1", pass()],
  ["7.2", pass("per agent: every virtual agent has its own session with each controller")],
  ["7.3", pass()],
  ["7.4", pass("a Close from the controller is answered; at shutdown the agent sends a DisconnectRecord and Close 1001")],
  ["7.5", na("DEPRECATED in TP-469")],
  ["7.6", pass()],
  ["7.7", pass()],
  ["7.8", pass()],
  ["7.9", pass("agent as client (the controller's certificate verified) and as server")],
  ["7.10", pass()],
  ["7.11", pass()],
  ["7.12", pass()],

  ["11.1", pass(`MQTTClientCon:1 and MQTTClientSubscribe:1 served by the gateway; ${MQTT_CLIENT_DM}; GetSupportedDM does not list Device.MQTT. yet`)],
  ["11.2", pass("with mqtt.connectionMode per-agent: each agent's own connection, whose MQTT 5 CONNECT carries the usp-endpoint-id User Property (R-MQTT.13); the default shared connection (DESIGN decision 2) serves every agent and so names none")],
  ["11.3", pass()],
  ["11.4", pass("without mqtt.clientId: an empty ClientId, then the broker's Assigned Client Identifier on every later connection (R-MQTT.8, R-MQTT.9, R-MQTT.11)")],
  ["11.5", pass("the ClientId (assigned by the broker on MQTT 5, made up once on 3.1.1) is kept in the store and used after a restart; with mqtt.sharedGroup (several instances) only for the instance's lifetime, since the store cannot tell a restarted instance from another")],
  ["11.6", pass("a QoS 1 PUBLISH left without PUBACK is delivered again on the next connection with its packet id and the DUP flag, after that connection's SUBACK (src/usp/mtp/mqtt-resend-store.ts)")],
  ["11.7", pass("KeepAliveTime (mqtt.keepAliveTime, writable as Device.MQTT.Client.1.KeepAliveTime) is sent in CONNECT; a new value closes the connection with DISCONNECT and reconnects at once, for every agent, since they share the connection")],
  ["11.8", pass()],
  ["11.9", pass("an added Device.MQTT.Client.1.Subscription.{i} subscribes the agent's connection (the shared one by default) and every later one, also after a restart (rows persisted per agent); disabling or deleting it UNSUBSCRIBEs")],
  ["11.10", pass()],
  ["11.11", pass("a refused SUBSCRIBE, at start or later: logged, nothing published, DISCONNECT (Reason Code 0x80), reconnect on the R-MQTT.10 schedule; PUBLISHes still waiting for a PUBACK are dropped")],
  ["11.12", pass()],
  ["11.13", pass()],
  ["11.14", pass()],
  ["11.15", pass()],
  ["11.16", pass("R-MQTT.10 back-off from mqtt.connectRetryTime, connectRetryIntervalMultiplier and connectRetryMaxInterval (TR-181 defaults 5 s, 2000, 30720 s)")],
  ["11.17", pass("after the first connection and after every reconnect")],
]);
