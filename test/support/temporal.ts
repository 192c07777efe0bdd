import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { searchAttributeKeys } from '../../contracts/search-attributes';
import { startDevServer, waitForSearchAttributes, type DevServer, type DevServerOptions } from '../../temporal-config/dev-server';
import { prepareNamespace } from '../../temporal-config/namespace-setup';
import { ensureTemporalCli } from '../../temporal-config/temporal-cli';

export interface TestTemporal {
  address: string;
  cliPath: string;
  connection: Connection;
  nativeConnection: NativeConnection;
  client: Client;
  dataDir: string;
}

let shared: TestTemporal | undefined;
let server: DevServer | undefined;
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * One real Temporal server for the whole run: Temporal is never mocked. A dev server (SQLite in a temp dir),
 * or the server at AGENT_BOT_TEST_TEMPORAL_ADDRESS when set (`npm run test:cluster` sets it to the
 * PostgreSQL cluster it starts); that server is left running at the end.
 */
export async function startTestTemporal(): Promise<TestTemporal> {
  if (shared) return shared;
  const cli = ensureTemporalCli((line) => process.stderr.write(`${line}\n`));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-test-'));
  const external = process.env['AGENT_BOT_TEST_TEMPORAL_ADDRESS'];
  if (external !== undefined && external !== '') {
    const connection = await Connection.connect({ address: external });
    await prepareNamespace(connection, 'default', 7 * 24 * 3600 * 1000);
    await waitForSearchAttributes(connection, 'default', searchAttributeKeys.map((key) => key.name));
    const nativeConnection = await NativeConnection.connect({ address: external });
    shared = { address: external, cliPath: cli.path, connection, nativeConnection, client: new Client({ connection }), dataDir };
    return shared;
  }
  server = await startHeadlessDevServer(cli.path, dataDir);
  const connection = await Connection.connect({ address: server.address });
  await prepareNamespace(connection, 'default', 7 * 24 * 3600 * 1000);
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  shared = { address: server.address, cliPath: cli.path, connection, nativeConnection, client: new Client({ connection }), dataDir };
  return shared;
}

/**
 * A Temporal dev server of a test's own, for server settings the shared one must not have (`dynamicConfig`,
 * see DevServerOptions). Stop it with `stop()`.
 */
export async function startOwnTemporal(options: { dynamicConfig: Readonly<Record<string, string | number | boolean>> }): Promise<TestTemporal & { stop(): Promise<void> }> {
  const cli = ensureTemporalCli((line) => process.stderr.write(`${line}\n`));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-test-own-'));
  const server = await startHeadlessDevServer(cli.path, dataDir, options.dynamicConfig);
  const connection = await Connection.connect({ address: server.address });
  await prepareNamespace(connection, 'default', 24 * 3600 * 1000);
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  return {
    address: server.address,
    cliPath: cli.path,
    connection,
    nativeConnection,
    client: new Client({ connection }),
    dataDir,
    async stop() {
      await nativeConnection.close();
      await connection.close();
      await server.stop();
    },
  };
}

/** A headless dev server on a new SQLite file in `dataDir`, on free ports. */
async function startHeadlessDevServer(cliPath: string, dataDir: string, dynamicConfig?: DevServerOptions['dynamicConfig']): Promise<DevServer> {
  // A free port found by probing can be taken by another process before the server binds it: try again with new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServer({
        cliPath,
        port: await freePort(),
        uiPort: await freePort(),
        headless: true,
        dbFile: path.join(dataDir, `temporal-${attempt}.sqlite`),
        logFile: path.join(dataDir, 'temporal.log'),
        ...(dynamicConfig === undefined ? {} : { dynamicConfig }),
      });
    } catch (error) {
      if (attempt >= 3) throw error;
      process.stderr.write(`the test Temporal server did not start (${(error as Error).message}); trying again\n`);
    }
  }
}

export function testTemporal(): TestTemporal {
  if (!shared) throw new Error('the test Temporal server is not started (root hook missing?)');
  return shared;
}

export async function stopTestTemporal(): Promise<void> {
  if (!shared) return;
  await shared.nativeConnection.close();
  await shared.connection.close();
  await server?.stop();
  shared = undefined;
}

/** The workflow bundle, built once per run. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const noop = (): void => {};
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
