import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import YAML from 'yaml';
import { z } from 'zod';
import { searchAttributeKeys } from '../contracts/search-attributes';
import { waitForSearchAttributes } from './dev-server';
import { prepareNamespace } from './namespace-setup';
import { findPostgresBin, startOwnPostgres, stopOwnPostgres, postgresPid } from './postgres';
import { isProcessAlive, stopProcess } from './processes';
import { PROJECT_ROOT } from './temporal-cli';
import { TEMPORAL_SERVER_VERSION } from './versions';

/** Kept in git: the server config template and the dynamic config the server reads. */
export const SERVER_CONFIG_TEMPLATE = path.join(__dirname, 'cluster-server.yaml');
export const DYNAMIC_CONFIG_FILE = path.join(__dirname, 'cluster-dynamicconfig.yaml');
/** Git-ignored: one folder per server version, holding the `server` and `sql` binaries. */
export const SERVER_TOOLS_DIR = path.join(PROJECT_ROOT, '.tools', 'temporal-server');
const GO_MODULE = 'go.temporal.io/server';
const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

export class ClusterError extends Error {
  override name = 'ClusterError';
}

const port = z.coerce.number().int().min(1024).max(65535);
/** Room for the layout of clusterPorts: membership ports 300 below, HTTP 10 above. */
const frontendPort = z.coerce.number().int().min(1324).max(65525);
const postgresUrl = z
  .url({ protocol: /^postgres(ql)?$/, error: 'expected postgres://user:password@host:port' })
  .transform((value) => new URL(value));

/** The cluster script's own settings, read from the environment. */
export const clusterEnvSchema = z.object({
  /** An existing PostgreSQL (12 or later) to use instead of starting one; its user must be able to create databases. */
  TEMPORAL_POSTGRES_URL: z.string().trim().optional().transform((value) => (value === '' ? undefined : value)).pipe(postgresUrl.optional()),
  /** The frontend's gRPC port; the other services take fixed offsets from it (see clusterPorts). */
  TEMPORAL_CLUSTER_PORT: frontendPort.default(7233),
  /** Port of the PostgreSQL the script starts itself (unused with TEMPORAL_POSTGRES_URL). */
  TEMPORAL_CLUSTER_POSTGRES_PORT: port.default(7432),
  /** Folder with initdb/postgres/pg_isready, when not Debian's /usr/lib/postgresql/<major>/bin. */
  TEMPORAL_CLUSTER_POSTGRES_BIN: z.string().trim().min(1).optional(),
  TEMPORAL_CLUSTER_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
});
export type ClusterEnv = z.infer<typeof clusterEnvSchema>;

export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
}

/**
 * Temporal's usual layout around the frontend's gRPC port `frontend` (7233): history +1, matching +2,
 * internal worker +6, frontend HTTP +10, and each service's membership port 300 below its gRPC port.
 */
export function clusterPorts(frontend: number): ClusterPorts {
  return {
    frontend,
    frontendHttp: frontend + 10,
    history: frontend + 1,
    matching: frontend + 2,
    worker: frontend + 6,
    frontendMembership: frontend - 300,
    historyMembership: frontend - 299,
    matchingMembership: frontend - 298,
    workerMembership: frontend - 294,
  };
}

/** Where to reach PostgreSQL; `password` is never written to logs or the state file. */
export interface DatabaseEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Query parameters of TEMPORAL_POSTGRES_URL (e.g. sslmode), passed to the driver as connect attributes. */
  attributes: Record<string, string>;
}

export interface ClusterOptions {
  /** Everything the cluster keeps: `$AGENT_BOT_DATA_DIR/temporal-cluster`. */
  dir: string;
  frontendPort: number;
  /** `own`: a PostgreSQL started in `dir/postgres`; `external`: TEMPORAL_POSTGRES_URL. */
  postgres: { kind: 'own'; port: number; binDir?: string } | { kind: 'external'; url: URL };
  namespace: string;
  /** Minimum retention of closed workflows, in milliseconds. */
  retentionMs: number;
  logLevel: ClusterEnv['TEMPORAL_CLUSTER_LOG_LEVEL'];
  /** Leave the server and PostgreSQL running after this process exits. */
  detached: boolean;
  version?: string;
  log?: (line: string) => void;
}

const stateSchema = z.object({
  version: z.string(),
  address: z.string(),
  ports: z.object({
    frontend: z.number(), frontendHttp: z.number(), history: z.number(), matching: z.number(), worker: z.number(),
    frontendMembership: z.number(), historyMembership: z.number(), matchingMembership: z.number(), workerMembership: z.number(),
  }),
  serverBinary: z.string(),
  serverConfigFile: z.string(),
  serverLogFile: z.string(),
  serverPid: z.number().int(),
  postgres: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('own'), port: z.number(), dataDir: z.string(), logFile: z.string() }),
    z.object({ kind: z.literal('external'), host: z.string(), port: z.number() }),
  ]),
  namespace: z.string(),
  startedAt: z.string(),
});
/** What `dir/cluster.json` records about a running cluster, for `stop`, `status` and tests. */
export type ClusterState = z.infer<typeof stateSchema>;

export interface RunningCluster {
  address: string;
  state: ClusterState;
  /** False when a cluster on this folder was already running and is reused as it is. */
  startedHere: boolean;
  /** Stops the server, then the script's own PostgreSQL (never an external one). */
  stop(): Promise<void>;
  /** Resolves when the server process exits (only for a server started by this call). */
  serverExited: Promise<number | null> | undefined;
}

/** Paths of the pinned server's binaries in `.tools/temporal-server/<version>/`. */
export function serverBinaries(version = TEMPORAL_SERVER_VERSION): { dir: string; server: string; sql: string } {
  const dir = path.join(SERVER_TOOLS_DIR, version);
  return { dir, server: path.join(dir, 'server'), sql: path.join(dir, 'sql') };
}

/**
 * Builds `go.temporal.io/server/cmd/server` and `cmd/tools/sql` at `version` into
 * `.tools/temporal-server/<version>/` with the Go toolchain, unless both are there. `GOTOOLCHAIN=auto` lets an
 * older `go` fetch the toolchain the module needs (1.26.10 or later) through the module proxy. About 3-4 minutes
 * on 2 cores the first time; a no-op after.
 * @throws ClusterError when `go` is missing or the build fails.
 */
export function installServer(version = TEMPORAL_SERVER_VERSION, log: (line: string) => void = console.error): { server: string; sql: string } {
  const binaries = serverBinaries(version);
  if (isFile(binaries.server) && isFile(binaries.sql)) return binaries;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    throw new ClusterError('building the Temporal server needs the Go toolchain (`go` 1.21 or later on PATH; GOTOOLCHAIN=auto fetches the version the server needs)');
  }
  // Into a fresh folder, renamed at the end: an interrupted build leaves nothing that looks installed.
  const partial = `${binaries.dir}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  log(`building Temporal server ${version} with ${go.stdout.trim()} (GOTOOLCHAIN=auto); the first build takes a few minutes`);
  const started = Date.now();
  const build = spawnSync('go', ['install', `${GO_MODULE}/cmd/server@v${version}`, `${GO_MODULE}/cmd/tools/sql@v${version}`], {
    cwd: partial,
    env: { ...process.env, GOTOOLCHAIN: 'auto', GOBIN: partial },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw new ClusterError(`go install of ${GO_MODULE}@v${version} failed (exit ${String(build.status ?? build.signal)})`);
  }
  fs.rmSync(binaries.dir, { recursive: true, force: true });
  fs.renameSync(partial, binaries.dir);
  log(`built the Temporal server in ${Math.round((Date.now() - started) / 1000)} s into ${binaries.dir}`);
  return binaries;
}

/**
 * Creates the `temporal` and `temporal_visibility` databases when missing and brings both schemas to the
 * version the `sql` tool carries (its schemas are embedded: the same files as the module's
 * `schema/postgresql/v12`). Every step is idempotent: on a migrated database it changes nothing.
 * @throws ClusterError naming the step that failed, with the tool's output in `logFile`.
 */
export function setupSchemas(sqlBinary: string, db: DatabaseEndpoint, logFile: string): void {
  const base = ['--plugin', 'postgres12', '--ep', db.host, '-p', String(db.port), '-u', db.user];
  if (Object.keys(db.attributes).length > 0) base.push('--ca', new URLSearchParams(db.attributes).toString());
  // The password goes through the environment, not the command line that `ps` shows.
  const env = { ...process.env, SQL_PASSWORD: db.password };
  for (const database of DATABASES) {
    const steps = [
      ['create-database'],
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '--schema-name', database.schema],
    ];
    for (const step of steps) {
      const result = spawnSync(sqlBinary, [...base, '--db', database.name, ...step], { env, encoding: 'utf8' });
      fs.appendFileSync(logFile, `$ sql ${step.join(' ')} (${database.name})\n${result.stdout}${result.stderr}`);
      if (result.status !== 0) {
        throw new ClusterError(`schema step "${step[0]}" on ${database.name} failed (exit ${String(result.status ?? result.signal)}); see ${logFile}`);
      }
    }
  }
}

/**
 * Fills `temporal-config/cluster-server.yaml` for these ports and database and returns the YAML text.
 * @throws ClusterError when the template names a value it is not given, or the result is not YAML.
 */
export function renderServerConfig(ports: ClusterPorts, db: DatabaseEndpoint, logLevel: string, template = fs.readFileSync(SERVER_CONFIG_TEMPLATE, 'utf8')): string {
  const ip = '127.0.0.1';
  const values: Record<string, string | number | Record<string, string>> = {
    logLevel,
    ip,
    dbAddress: `${db.host}:${db.port}`,
    dbUser: db.user,
    dbPassword: db.password,
    dbConnectAttributes: db.attributes,
    frontendAddress: `${ip}:${ports.frontend}`,
    frontendPort: ports.frontend,
    frontendHttpPort: ports.frontendHttp,
    frontendMembershipPort: ports.frontendMembership,
    historyPort: ports.history,
    historyMembershipPort: ports.historyMembership,
    matchingPort: ports.matching,
    matchingMembershipPort: ports.matchingMembership,
    workerPort: ports.worker,
    workerMembershipPort: ports.workerMembership,
    dynamicConfigFile: DYNAMIC_CONFIG_FILE,
  };
  // JSON is valid YAML for every value here, and quotes whatever a password may contain.
  const text = template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ClusterError(`the server config template names an unknown value {{${name}}}`);
    return JSON.stringify(value);
  });
  try {
    YAML.parse(text);
  } catch (error) {
    throw new ClusterError(`the rendered server config is not valid YAML: ${(error as Error).message}`);
  }
  return text;
}

/** The cluster's files under `dir`. */
export function clusterPaths(dir: string) {
  return {
    dir,
    state: path.join(dir, 'cluster.json'),
    serverConfig: path.join(dir, 'config', 'server.yaml'),
    serverLog: path.join(dir, 'server.log'),
    schemaLog: path.join(dir, 'schema.log'),
    postgresData: path.join(dir, 'postgres'),
    postgresLog: path.join(dir, 'postgres.log'),
  };
}

/** Reads `dir/cluster.json`; undefined when there is none or it is unreadable. */
export function readClusterState(dir: string): ClusterState | undefined {
  try {
    return stateSchema.parse(JSON.parse(fs.readFileSync(clusterPaths(dir).state, 'utf8')));
  } catch {
    return undefined;
  }
}

/** Whether the server recorded in `state` is alive (its process; not whether it answers yet). */
export function isServerRunning(state: ClusterState): boolean {
  return isProcessAlive(state.serverPid, state.serverConfigFile);
}

/**
 * Brings the cluster up, idempotently: reuses a server already running on `dir`; otherwise installs the
 * pinned binaries, starts (or reuses) PostgreSQL, creates and migrates both schemas, writes the server
 * config, starts the server, waits until the frontend answers, creates the namespace when missing, and
 * registers agent-bot's search attributes and retention (prepareNamespace).
 * @throws ClusterError, PostgresError when a step fails; what this call started is stopped again.
 */
export async function ensureCluster(options: ClusterOptions): Promise<RunningCluster> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const version = options.version ?? TEMPORAL_SERVER_VERSION;
  const paths = clusterPaths(options.dir);
  fs.mkdirSync(path.dirname(paths.serverConfig), { recursive: true });

  const previous = readClusterState(options.dir);
  if (previous !== undefined && isServerRunning(previous)) {
    if (previous.version !== version) {
      throw new ClusterError(`a Temporal server ${previous.version} is running on ${options.dir}; stop it first (npm run temporal:cluster -- stop)`);
    }
    const connection = await waitForFrontend(previous.address, () => !isServerRunning(previous), paths.serverLog);
    try {
      await prepareClusterNamespace(connection, options.namespace, options.retentionMs);
    } finally {
      await connection.close();
    }
    log(`Temporal ${version} already running at ${previous.address} (pid ${previous.serverPid})`);
    return { address: previous.address, state: previous, startedHere: false, serverExited: undefined, stop: () => stopCluster(options.dir) };
  }

  const binaries = installServer(version, log);
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let db: DatabaseEndpoint;
    let postgresState: ClusterState['postgres'];
    if (options.postgres.kind === 'own') {
      const binDir = findPostgresBin(options.postgres.binDir);
      await startOwnPostgres({
        binDir,
        dataDir: paths.postgresData,
        port: options.postgres.port,
        user: 'temporal',
        logFile: paths.postgresLog,
        detached: options.detached,
        log,
      });
      // Ours even when left running by an earlier run that died: stopping the cluster stops it too.
      cleanups.push(() => stopOwnPostgres(paths.postgresData));
      db = { host: '127.0.0.1', port: options.postgres.port, user: 'temporal', password: '', attributes: {} };
      postgresState = { kind: 'own', port: options.postgres.port, dataDir: paths.postgresData, logFile: paths.postgresLog };
    } else {
      db = endpointFromUrl(options.postgres.url);
      postgresState = { kind: 'external', host: db.host, port: db.port };
    }

    setupSchemas(binaries.sql, db, paths.schemaLog);
    const ports = clusterPorts(options.frontendPort);
    fs.writeFileSync(paths.serverConfig, renderServerConfig(ports, db, options.logLevel), { mode: 0o600 });
    const server = startServerProcess(binaries.server, paths.serverConfig, paths.serverLog, options.detached);
    cleanups.unshift(() => stopProcess(server.pid, { expected: paths.serverConfig }).then(() => undefined));
    const address = `127.0.0.1:${ports.frontend}`;
    const state: ClusterState = {
      version,
      address,
      ports,
      serverBinary: binaries.server,
      serverConfigFile: paths.serverConfig,
      serverLogFile: paths.serverLog,
      serverPid: server.pid,
      postgres: postgresState,
      namespace: options.namespace,
      startedAt: new Date().toISOString(),
    };
    // Recorded before the wait, so `stop` (or a Ctrl-C handler using stopCluster) finds a server still starting.
    fs.writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`);
    log(`Temporal server ${version} starting at ${address} (log: ${paths.serverLog})`);
    const connection = await waitForFrontend(address, () => server.exited, paths.serverLog);
    try {
      await prepareClusterNamespace(connection, options.namespace, options.retentionMs);
    } finally {
      await connection.close();
    }
    const ownCleanups = [...cleanups];
    return {
      address,
      state,
      startedHere: true,
      serverExited: server.exitCode,
      async stop() {
        for (const cleanup of ownCleanups) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup();
    throw error;
  }
}

/**
 * Stops what `dir/cluster.json` records: the server (SIGTERM, SIGKILL after 20 s), then the script's own
 * PostgreSQL in `dir/postgres` (fast shutdown), also when it runs without a recorded server (a start-up
 * interrupted before the server was started). Resolves at once when nothing runs.
 */
export async function stopCluster(dir: string): Promise<void> {
  const state = readClusterState(dir);
  if (state !== undefined) await stopProcess(state.serverPid, { expected: state.serverConfigFile });
  await stopOwnPostgres(state?.postgres.kind === 'own' ? state.postgres.dataDir : clusterPaths(dir).postgresData);
}

/** What runs on `dir`, for `npm run temporal:cluster -- status`. */
export async function clusterStatus(dir: string): Promise<{ state: ClusterState | undefined; server: 'answering' | 'not answering' | 'stopped'; postgres: 'running' | 'stopped' | 'external' | 'unknown' }> {
  const state = readClusterState(dir);
  if (state === undefined) return { state, server: 'stopped', postgres: postgresPid(clusterPaths(dir).postgresData) === undefined ? 'unknown' : 'running' };
  const postgres = state.postgres.kind === 'external' ? 'external' : postgresPid(state.postgres.dataDir) === undefined ? 'stopped' : 'running';
  if (!isServerRunning(state)) return { state, server: 'stopped', postgres };
  try {
    const connection = await Connection.connect({ address: state.address, connectTimeout: 2000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return { state, server: 'answering', postgres };
    } finally {
      await connection.close();
    }
  } catch {
    return { state, server: 'not answering', postgres };
  }
}

/**
 * Starts the server of a cluster whose state is recorded in `dir` again, with the same binary, config and
 * ports (after a crash, or a test's SIGKILL), detached; waits until the frontend answers (up to 120 s) and
 * records the new pid. PostgreSQL must be running.
 * @throws ClusterError when there is no recorded cluster, its server still runs, or it does not come back.
 */
export async function restartServer(dir: string): Promise<ClusterState> {
  const state = readClusterState(dir);
  if (state === undefined) throw new ClusterError(`no cluster recorded in ${dir}`);
  if (isServerRunning(state)) throw new ClusterError(`the server of ${dir} still runs (pid ${state.serverPid})`);
  const server = startServerProcess(state.serverBinary, state.serverConfigFile, state.serverLogFile, true);
  const connection = await waitForFrontend(state.address, () => server.exited, state.serverLogFile, 120_000);
  try {
    await waitForSearchAttributes(connection, state.namespace, searchAttributeKeys.map((key) => key.name), 60_000);
  } finally {
    await connection.close();
  }
  const next = { ...state, serverPid: server.pid, startedAt: new Date().toISOString() };
  fs.writeFileSync(clusterPaths(dir).state, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/** TEMPORAL_POSTGRES_URL as the sql tool and the server config want it. */
export function endpointFromUrl(url: URL): DatabaseEndpoint {
  return {
    host: url.hostname,
    port: url.port === '' ? 5432 : Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    attributes: Object.fromEntries(url.searchParams.entries()),
  };
}

function startServerProcess(binary: string, configFile: string, logFile: string, detached: boolean) {
  const logFd = fs.openSync(logFile, 'a');
  fs.writeSync(logFd, `\n--- ${new Date().toISOString()} starting ${binary} ---\n`);
  const child = spawn(binary, ['--config-file', configFile, '--allow-no-auth', 'start'], {
    cwd: path.dirname(configFile),
    stdio: ['ignore', logFd, logFd],
    // Its own process group: Ctrl-C reaches the script, which stops the server in order.
    detached: true,
  });
  fs.closeSync(logFd);
  const result = {
    pid: child.pid ?? -1,
    exited: false,
    exitCode: new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        result.exited = true;
        resolve(code);
      });
      child.once('error', () => {
        result.exited = true;
        resolve(null);
      });
    }),
  };
  if (detached) child.unref();
  return result;
}

/**
 * Polls until the frontend answers `getSystemInfo`, for up to `timeoutMs` milliseconds.
 * @throws ClusterError when the process exits or the time is up, pointing at the server log.
 */
async function waitForFrontend(address: string, hasExited: () => boolean, logFile: string, timeoutMs = 90_000): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (hasExited()) throw new ClusterError(`the Temporal server exited during start-up; see ${logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return connection;
      } catch (error) {
        await connection.close();
        throw error;
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new ClusterError(`the Temporal server at ${address} did not answer within ${timeoutMs / 1000} s (${String(lastError)}); see ${logFile}`);
}

/**
 * A fresh cluster has no namespace but `temporal-system`: registers `namespace` with the retention, then
 * prepareNamespace (search attributes, retention) and waits until a query on the attributes is accepted.
 * The history service may still be joining the ring ("Not enough hosts"): retried for up to 60 s.
 */
async function prepareClusterNamespace(connection: Connection, namespace: string, retentionMs: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await ensureNamespace(connection, namespace, retentionMs);
      await prepareNamespace(connection, namespace, retentionMs);
      await waitForSearchAttributes(connection, namespace, searchAttributeKeys.map((key) => key.name), 30_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function ensureNamespace(connection: Connection, namespace: string, retentionMs: number): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (error) {
    if (!/not found/i.test(String((error as Error).message))) throw error;
  }
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(retentionMs) });
  } catch (error) {
    if (!/already exists|already registered/i.test(String((error as Error).message))) throw error;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
