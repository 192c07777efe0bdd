import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterEnvSchema, clusterStatus, ensureCluster, stopCluster, type ClusterOptions } from '../temporal-config/cluster';
import { loadConfigOrExit } from '../workers/main';

const USAGE = `usage: npm run temporal:cluster [-- --detach | stop | status]
  (no argument)  bring the cluster up and keep it in the foreground; Ctrl-C stops the server and its PostgreSQL
  --detach       bring it up, leave it running in the background, and return
  stop           stop a cluster started with --detach (the server, then the script's own PostgreSQL)
  status         say what runs; exit code 0 when the server answers, 3 otherwise
Settings: AGENT_BOT_DATA_DIR (data in <dir>/temporal-cluster), TEMPORAL_CLUSTER_PORT (7233),
  TEMPORAL_POSTGRES_URL (else an own PostgreSQL on TEMPORAL_CLUSTER_POSTGRES_PORT, 7432),
  TEMPORAL_CLUSTER_POSTGRES_BIN, TEMPORAL_CLUSTER_LOG_LEVEL (warn), TEMPORAL_NAMESPACE, TEMPORAL_RETENTION.`;

/**
 * `npm run temporal:cluster`: the official Temporal server (the version pinned in temporal-config/versions.ts, built from its Go module into
 * .tools/) on PostgreSQL, on this machine, without Docker. See README "Run in production".
 */
async function main(): Promise<number> {
  let parsed: { values: { detach: boolean; help: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ options: { detach: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } }, allowPositionals: true });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const command = parsed.positionals[0] ?? 'start';
  if (parsed.values.help || !['start', 'stop', 'status'].includes(command) || parsed.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return parsed.values.help ? 0 : 2;
  }
  const config = loadConfigOrExit();
  const env = clusterEnvSchema.safeParse(process.env);
  if (!env.success) {
    process.stderr.write(`agent-bot: invalid configuration:\n  ${env.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n  ')}\n`);
    return 2;
  }
  const dir = path.join(config.AGENT_BOT_DATA_DIR, 'temporal-cluster');

  if (command === 'stop') {
    await stopCluster(dir);
    process.stdout.write(`stopped the Temporal cluster of ${dir}\n`);
    return 0;
  }
  if (command === 'status') {
    const status = await clusterStatus(dir);
    process.stdout.write(
      [
        `Temporal cluster in ${dir}`,
        `  server      ${status.server}${status.state ? ` (${status.state.version} at ${status.state.address}, pid ${status.state.serverPid})` : ''}`,
        `  PostgreSQL  ${status.postgres}${status.state ? ` (${status.state.postgres.kind === 'own' ? `own, 127.0.0.1:${status.state.postgres.port}` : `${status.state.postgres.host}:${status.state.postgres.port}`})` : ''}`,
        '',
      ].join('\n'),
    );
    return status.server === 'answering' ? 0 : 3;
  }

  const options: ClusterOptions = {
    dir,
    frontendPort: env.data.TEMPORAL_CLUSTER_PORT,
    postgres:
      env.data.TEMPORAL_POSTGRES_URL === undefined
        ? { kind: 'own', port: env.data.TEMPORAL_CLUSTER_POSTGRES_PORT, ...(env.data.TEMPORAL_CLUSTER_POSTGRES_BIN === undefined ? {} : { binDir: env.data.TEMPORAL_CLUSTER_POSTGRES_BIN }) }
        : { kind: 'external', url: env.data.TEMPORAL_POSTGRES_URL },
    namespace: config.TEMPORAL_NAMESPACE,
    retentionMs: config.TEMPORAL_RETENTION,
    logLevel: env.data.TEMPORAL_CLUSTER_LOG_LEVEL,
    detached: parsed.values.detach,
  };
  const started = Date.now();
  // Ctrl-C while it comes up stops what has been started so far (nothing is left half-started).
  const interrupted = (): void => void stopCluster(dir).then(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const cluster = await ensureCluster(options);
  process.off('SIGINT', interrupted);
  process.off('SIGTERM', interrupted);
  const postgres = cluster.state.postgres;
  process.stdout.write(
    [
      '',
      `Temporal ${cluster.state.version} is ${cluster.startedHere ? 'up' : 'already running'} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  frontend    ${cluster.address}   (workers and gateway: TEMPORAL_ADDRESS=${cluster.address})`,
      `  PostgreSQL  ${postgres.kind === 'own' ? `own, 127.0.0.1:${postgres.port}, data in ${postgres.dataDir}` : `${postgres.host}:${postgres.port} (TEMPORAL_POSTGRES_URL)`}`,
      `  namespace   ${config.TEMPORAL_NAMESPACE}, search attributes and retention prepared`,
      `  logs        ${cluster.state.serverLogFile}`,
      '',
    ].join('\n'),
  );
  if (options.detached || !cluster.startedHere) {
    if (!cluster.startedHere && !options.detached) process.stdout.write('It was started earlier with --detach; stop it with: npm run temporal:cluster -- stop\n');
    return 0;
  }
  process.stdout.write('Press Ctrl-C to stop the server and its PostgreSQL.\n');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('stopping the Temporal cluster\n');
    await cluster.stop();
  };
  const stopped = new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().then(() => resolve(0)));
    void cluster.serverExited?.then(async (code) => {
      if (stopping) return;
      process.stderr.write(`the Temporal server exited (code ${String(code)}); see ${cluster.state.serverLogFile}\n`);
      await stop();
      resolve(1);
    });
  });
  return stopped;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`temporal:cluster: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
