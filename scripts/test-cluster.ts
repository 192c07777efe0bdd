import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterEnvSchema, clusterPorts, ensureCluster, stopCluster } from '../temporal-config/cluster';
import { PROJECT_ROOT } from '../temporal-config/temporal-cli';

/**
 * The suites that matter for durability, run against the real server on PostgreSQL: end to end (with
 * duplicate deliveries), every worker down, a worker killed mid-run, approvals (across a worker restart),
 * the HTTP API's visibility queries, the janitor schedule; then the cluster's own tests, the server
 * restart last since it takes the server away for a moment.
 */
const CLUSTER_TEST_FILES = [
  'test/integration/end-to-end.test.ts',
  'test/integration/lifecycle.test.ts',
  'test/integration/worker-crash.test.ts',
  'test/integration/approvals.test.ts',
  'test/integration/http-api.test.ts',
  'test/integration/janitor.test.ts',
  'test/cluster/search-attributes.test.ts',
  'test/cluster/server-restart.test.ts',
];

const USAGE = `usage: npm run test:cluster [-- --keep] [-- <extra mocha arguments>]
Starts a Temporal cluster on PostgreSQL in a temporary folder (the server binaries in .tools/ are built once
and reused), runs ${CLUSTER_TEST_FILES.length} test files against it, and stops it.
  --keep   leave the cluster's folder (database, logs) in place; it is kept anyway when a test fails
  AGENT_BOT_TEST_POSTGRES_URL  use this PostgreSQL instead of starting one (never TEMPORAL_POSTGRES_URL)
With AGENT_BOT_TEST_TEMPORAL_ADDRESS set, runs against that server instead of starting one; the cluster
tests then need AGENT_BOT_TEST_CLUSTER_DIR, the folder of a cluster from npm run temporal:cluster.`;

const testEnvSchema = clusterEnvSchema.pick({ TEMPORAL_CLUSTER_LOG_LEVEL: true }).extend({
  /** A PostgreSQL for the test cluster's databases (they are created, migrated and filled with test runs). */
  AGENT_BOT_TEST_POSTGRES_URL: clusterEnvSchema.shape.TEMPORAL_POSTGRES_URL,
});

/** Ports the cluster takes: its services' gRPC, HTTP and membership ports, and PostgreSQL's. */
function portsOf(frontend: number): number[] {
  const p = clusterPorts(frontend);
  return [p.frontend, p.frontendHttp, p.history, p.matching, p.worker, p.frontendMembership, p.historyMembership, p.matchingMembership, p.workerMembership, frontend + 199];
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The first frontend port from 27233 on (in steps of 1000) whose whole layout is free on 127.0.0.1. */
async function freeFrontendPort(): Promise<number> {
  for (let frontend = 27_233; frontend < 60_000; frontend += 1000) {
    const free = await Promise.all(portsOf(frontend).map(isPortFree));
    if (free.every(Boolean)) return frontend;
  }
  throw new Error('no free port range for the test cluster between 27233 and 60000');
}

function runMocha(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const mocha = require.resolve('mocha/bin/mocha.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mocha, ...args], { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } }, allowPositionals: true, strict: false });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const extra = process.argv.slice(2).filter((arg) => arg !== '--keep');
  const started = Date.now();
  const given = process.env['AGENT_BOT_TEST_TEMPORAL_ADDRESS'];
  if (given !== undefined && given !== '') {
    process.stderr.write(`test:cluster: against the server at ${given}\n`);
    return runMocha([...CLUSTER_TEST_FILES, ...extra], process.env);
  }

  const env = testEnvSchema.parse(process.env);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-cluster-'));
  // mkdtemp makes it private; run as root, PostgreSQL runs as `postgres` and must reach its data inside.
  fs.chmodSync(dir, 0o755);
  const frontendPort = await freeFrontendPort();
  // Reads the folder's state, so it stops the server the restart test started too.
  process.once('SIGINT', () => void stopCluster(dir).then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopCluster(dir).then(() => process.exit(143)));

  let code = 1;
  try {
    const cluster = await ensureCluster({
      dir,
      frontendPort,
      // Never TEMPORAL_POSTGRES_URL: that may be a real deployment's database.
      postgres: env.AGENT_BOT_TEST_POSTGRES_URL === undefined ? { kind: 'own', port: frontendPort + 199 } : { kind: 'external', url: env.AGENT_BOT_TEST_POSTGRES_URL },
      namespace: 'default',
      retentionMs: 7 * 24 * 3600 * 1000,
      logLevel: env.TEMPORAL_CLUSTER_LOG_LEVEL,
      // Detached: the server-restart test kills this server and starts a new one from another process.
      detached: true,
    });
    const ready = Date.now();
    process.stderr.write(`test:cluster: Temporal ${cluster.state.version} on PostgreSQL at ${cluster.address} ready in ${((ready - started) / 1000).toFixed(1)} s (folder ${dir})\n`);
    code = await runMocha([...CLUSTER_TEST_FILES, ...extra], {
      ...process.env,
      AGENT_BOT_TEST_TEMPORAL_ADDRESS: cluster.address,
      AGENT_BOT_TEST_CLUSTER_DIR: dir,
    });
    process.stderr.write(`test:cluster: mocha took ${((Date.now() - ready) / 1000).toFixed(0)} s\n`);
  } finally {
    await stopCluster(dir);
    if (code === 0 && values.keep !== true) fs.rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`test:cluster: the cluster's database and logs are kept in ${dir}\n`);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`test:cluster: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
