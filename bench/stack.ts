import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { searchAttributeKeys } from '../contracts/search-attributes';
import { startDevServer, waitForSearchAttributes, type DevServer, type DevServerOptions } from '../temporal-config/dev-server';
import { prepareNamespace } from '../temporal-config/namespace-setup';
import { ensureTemporalCli } from '../temporal-config/temporal-cli';
import { GithubStandIn } from '../test/support/github-stand-in';
import { freePort } from '../test/support/temporal';

const ROOT = path.resolve(__dirname, '..');
export const BENCH_SECRET = 'bench-secret';

/**
 * The processes `npm run dev` runs, each on its own so a bench can kill or restart one: the Temporal dev
 * server on its SQLite file (with the search attributes and cache settings dev.ts uses), a worker process
 * and a gateway process, against the tests' GitHub stand-in.
 */
export interface BenchStack {
  github: GithubStandIn;
  gatewayUrl: string;
  dataDir: string;
  client: Client;
  /** The worker process running now. */
  worker(): ChildProcess;
  /** SIGKILLs the worker and starts another; resolves once the new one is spawned. */
  killWorker(): Promise<void>;
  /** Stops the Temporal dev server and starts it again on the same database. */
  restartServer(): Promise<void>;
  /** Processes that died on their own (not by killWorker or stop), with their last log lines. */
  unexpectedExits: string[];
  stop(): Promise<void>;
}

/** Starts the stack with `env` (agent-bot settings) over the defaults a bench needs. */
export async function startBenchStack(env: Record<string, string>): Promise<BenchStack> {
  const github = await new GithubStandIn().start();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-bench-'));
  const [temporalPort, uiPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
  const serverOptions: DevServerOptions = {
    cliPath: ensureTemporalCli(() => {}).path,
    port: temporalPort,
    uiPort,
    headless: true,
    dbFile: path.join(dataDir, 'temporal', 'dev.sqlite'),
    logFile: path.join(dataDir, 'temporal', 'server.log'),
    keywordSearchAttributes: searchAttributeKeys.map((key) => key.name),
    cacheSearchAttributes: true,
  };
  let server: DevServer = await startDevServer(serverOptions);
  const connection = await Connection.connect({ address: server.address });
  await prepareNamespace(connection, 'default', 7 * 24 * 3600_000);
  await waitForSearchAttributes(connection, 'default', searchAttributeKeys.map((key) => key.name));
  const client = new Client({ connection });

  const processEnv: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'bench',
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_HOST: '127.0.0.1',
    // A port of its own: the default may be taken on this machine (one worker runs at a time here).
    METRICS_PORT: String(await freePort()),
    METRICS_HOST: '127.0.0.1',
    AGENT_BOT_DATA_DIR: dataDir,
    GITHUB_WEBHOOK_SECRET: BENCH_SECRET,
    GITHUB_TOKEN: 'bench-token',
    GITHUB_API_URL: github.url,
    AGENT_KIND: 'command',
    AGENT_CLONE: 'false',
    AGENT_MCP: 'false',
    CLAUDE_CONFIG_DIR: path.join(dataDir, 'claude-config'),
    TEMPORAL_UI_URL: 'http://localhost:8233',
    ...env,
  };
  const logs = path.join(dataDir, 'process-logs');
  fs.mkdirSync(logs, { recursive: true });
  const unexpectedExits: string[] = [];
  let stopping = false;
  let spawned = 0;
  let worker: ChildProcess;
  const expectedExits = new WeakSet<ChildProcess>();
  const spawnPart = (entry: string): ChildProcess => {
    const logFile = path.join(logs, `${++spawned}-${entry}.log`);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', entry)], { cwd: ROOT, env: processEnv, stdio: ['ignore', 'ignore', fs.openSync(logFile, 'a')] });
    child.once('exit', (code, signal) => {
      if (stopping || expectedExits.has(child)) return;
      unexpectedExits.push(`${entry} exited (${code ?? signal}): ${fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
      // As systemd or Kubernetes would: a worker that dies is started again.
      if (entry === 'worker.ts') worker = spawnPart('worker.ts');
    });
    return child;
  };
  const gateway = spawnPart('gateway.ts');
  worker = spawnPart('worker.ts');
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`${gatewayUrl}/health/ready`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error('the gateway did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  const exited = (child: ChildProcess): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
  return {
    github,
    gatewayUrl,
    dataDir,
    client,
    unexpectedExits,
    worker: () => worker,
    async killWorker() {
      const victim = worker;
      expectedExits.add(victim);
      victim.kill('SIGKILL');
      await exited(victim);
      worker = spawnPart('worker.ts');
    },
    async restartServer() {
      await server.stop();
      server = await startDevServer(serverOptions);
    },
    async stop() {
      stopping = true;
      for (const child of [gateway, worker]) child.kill('SIGTERM');
      await Promise.all([exited(gateway), exited(worker)]);
      await connection.close();
      await server.stop();
      await github.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
