// One gateway instance in a process of its own, so the cluster test can kill
// it for real (SIGKILL); started by test/helpers/cluster.ts. Plain JavaScript
// so it runs both on the compiled dist/ (CI builds it before the tests) and on
// src/ through tap's TypeScript loader: CLUSTER_NODE_BASE says which.
// Reads its configuration (JSON) from CLUSTER_NODE_CONFIG, logs pino JSON to
// stdout and prints {"acsUrl": …} on stderr once it serves.
const base = process.env.CLUSTER_NODE_BASE;
const { pino } = await import("pino");
const { loadConfig } = await import(`${base}/config.js`);
const { startGateway } = await import(`${base}/gateway.js`);

const config = loadConfig({ fileText: process.env.CLUSTER_NODE_CONFIG ?? "{}" });
const gateway = await startGateway(config, pino({ level: config.log.level }));
console.error(JSON.stringify({ acsUrl: gateway.acsUrl }));
process.once("SIGTERM", () => {
  void gateway.stop().finally(() => process.exit(0));
});
