import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  uiPort: number;
  /** SQLite file: runs survive restarts of the server. */
  dbFile: string;
  ip?: string;
  headless?: boolean;
  /** Where the server's own output goes; it is chatty, and not ours to print. */
  logFile: string;
  /**
   * Keyword search attributes to create along with the namespace when the database is new, so they work
   * from the first request. An existing database keeps what it has (namespace-setup adds what is missing).
   */
  keywordSearchAttributes?: readonly string[];
  /**
   * Let the server cache search attributes and namespaces, as a production server does. The CLI turns the
   * cache off so an attribute added at runtime works at once; the price is a database read of the cluster
   * metadata and one of the namespace per use of a search attribute: ~75 of the ~125 database calls an
   * agent-bot command costs, all queued on SQLite's single connection. With the cache, an attribute added
   * to an existing database is seen after the next namespace refresh (2 s): see waitForSearchAttributes.
   */
  cacheSearchAttributes?: boolean;
  /**
   * More dynamic config, key → value (`--dynamic-config-value key=<JSON value>`); tests use it to make the
   * server suggest continue-as-new early (`limit.historyCount.suggestContinueAsNew`).
   */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  /** Settles when the server process ends, whoever ended it: its exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The server's own log file (its stdout and stderr). */
  logFile: string;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` and resolves once it answers gRPC calls. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const ip = options.ip ?? '127.0.0.1';
  const args = [
    'server', 'start-dev',
    '--db-filename', options.dbFile,
    '--ip', ip,
    '--port', String(options.port),
    '--ui-port', String(options.uiPort),
    '--log-level', 'warn',
    // WAL with synchronous=NORMAL survives a crash of any process (only a power cut can lose the last
    // commits) and lets the server keep up with webhook bursts; the default journal fsyncs every write.
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    ...(options.headless === true ? ['--headless'] : []),
    ...(options.keywordSearchAttributes ?? []).flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ...(options.cacheSearchAttributes === true ? ['--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=false'] : []),
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
  ];
  // A server already on the port would answer our readiness probe and be taken for ours (and get our
  // worker and schedules) while ours exits: refuse at once, naming the port and the setting.
  await ensurePortFree(ip, options.port, 'TEMPORAL_DEV_PORT');
  if (options.headless !== true) await ensurePortFree(ip, options.uiPort, 'TEMPORAL_UI_PORT');
  const logFd = fs.openSync(options.logFile, 'a');
  // Its own process group: Ctrl-C reaches us first, and we stop the server after the worker.
  const child = spawn(options.cliPath, args, { stdio: ['ignore', logFd, logFd], detached: true });
  fs.closeSync(logFd);
  const address = `${ip}:${options.port}`;
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => { exited = true; resolve({ code, signal }); }));
  child.once('error', () => { exited = true; });

  try {
    await waitUntilServing(address, () => exited, options.logFile);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    uiUrl: options.headless === true ? undefined : `http://localhost:${options.uiPort}`,
    process: child,
    exited: exit,
    logFile: options.logFile,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/**
 * @throws Error naming the port and its setting when something already listens on `ip:port`.
 */
async function ensurePortFree(ip: string, port: number, setting: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'EADDRINUSE'
        ? `port ${port} on ${ip} is already in use (another Temporal server, or an earlier npm run dev?): stop it, set ${setting} to another port, or set TEMPORAL_ADDRESS to use that server`
        : `cannot listen on ${ip}:${port} for the Temporal dev server: ${error.message}`));
    });
    probe.listen(port, ip, () => probe.close(() => resolve()));
  });
}

/** Polls until the frontend answers and the default namespace exists (a restart on an old DB takes a moment). */
async function waitUntilServing(address: string, hasExited: () => boolean, logFile: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`the Temporal dev server exited during start-up; see ${logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`the Temporal dev server at ${address} did not become ready: ${String(lastError)}; see ${logFile}`);
}

/**
 * Waits until the server accepts queries on these search attributes: with `cacheSearchAttributes`, one
 * just added to an existing database is unknown until the namespace cache refreshes, and a webhook
 * carrying it would be refused meanwhile.
 */
export async function waitForSearchAttributes(connection: Connection, namespace: string, names: readonly string[], timeoutMs = 10_000): Promise<void> {
  const query = names.map((name) => `${name} = ''`).join(' AND ');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService.countWorkflowExecutions({ namespace, query });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
