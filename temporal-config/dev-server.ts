import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
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
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
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
  ];
  const logFd = fs.openSync(options.logFile, 'a');
  // Its own process group: Ctrl-C reaches us first, and we stop the server after the worker.
  const child = spawn(options.cliPath, args, { stdio: ['ignore', logFd, logFd], detached: true });
  fs.closeSync(logFd);
  const address = `${ip}:${options.port}`;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
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
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    },
  };
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
