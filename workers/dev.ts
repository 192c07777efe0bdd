import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { searchAttributeKeys } from '../contracts/search-attributes';
import { startDevServer, waitForSearchAttributes, type DevServer } from '../temporal-config/dev-server';
import { prepareNamespace } from '../temporal-config/namespace-setup';
import { ensureTemporalCli } from '../temporal-config/temporal-cli';
import { createAgentWorkers } from './agent-worker';
import { initErrorReporting } from './error-reporting';
import { startGatewayProcess } from './gateway-process';
import { createLogger, loggingSettings } from './logger';
import { connectTemporal, loadConfigOrExit, onShutdownSignal, runMain, stopErrorReporting, temporalAddress } from './main';
import { startWorkerMetrics } from './metrics-server';

const log = createLogger('dev');

/**
 * `npm run dev`: the whole system in one terminal. The Temporal dev server (SQLite in the data dir, Web
 * UI) unless TEMPORAL_ADDRESS names another server, then the worker here and the gateway in a child
 * process (see workers/gateway-process.ts for why). Ctrl-C stops all.
 */
async function main(): Promise<void> {
  // Pretty logs for a person at a terminal; JSON when piped (bench:ack, a service manager).
  const config = loadConfigOrExit({ prettyOnTty: true });
  // The gateway child reads the environment: it logs in the same format to the same terminal.
  process.env['LOG_FORMAT'] = loggingSettings().format;
  // The worker's half; the gateway child process starts its own.
  initErrorReporting(config, { component: 'worker', processHandlers: true });
  // Before any connection (and before the dev server, so a taken METRICS_PORT stops us at once): the
  // Temporal runtime logs through pino and exports the SDK's metrics.
  const { metrics, server: metricsServer } = await startWorkerMetrics(config);
  let devServer: DevServer | undefined;
  if (config.TEMPORAL_ADDRESS === undefined) {
    const cli = ensureTemporalCli((line) => log(line));
    log('starting the Temporal dev server', { cli: cli.path, from: cli.source });
    devServer = await startDevServer({
      cliPath: cli.path,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(config.AGENT_BOT_DATA_DIR, 'temporal', 'dev.sqlite'),
      logFile: path.join(config.AGENT_BOT_DATA_DIR, 'temporal', 'server.log'),
      keywordSearchAttributes: searchAttributeKeys.map((key) => key.name),
      cacheSearchAttributes: true,
    });
  }
  // Should this process end abruptly (a second Ctrl-C, a crash), the server in its own process group
  // must not outlive it.
  process.once('exit', () => devServer?.process.kill('SIGKILL'));
  const address = temporalAddress(config);
  const clientConnection = await connectTemporal(config, (at) => Connection.connect({ address: at }));
  const workerConnection = await connectTemporal(config, (at) => NativeConnection.connect({ address: at }));
  try {
    await prepareNamespace(clientConnection, config.TEMPORAL_NAMESPACE, config.TEMPORAL_RETENTION);
    if (devServer !== undefined) {
      await waitForSearchAttributes(clientConnection, config.TEMPORAL_NAMESPACE, searchAttributeKeys.map((key) => key.name));
    }
    // The gateway first: a taken GATEWAY_PORT then stops us before any worker holds the connections.
    const gateway = await startGatewayProcess(log);
    let workers: Awaited<ReturnType<typeof createAgentWorkers>>;
    try {
      workers = await createAgentWorkers({ config, connection: workerConnection, clientConnection, ...(metrics === undefined ? {} : { metrics }) });
    } catch (error) {
      await gateway.stop();
      throw error;
    }
    const running = workers.run();
    process.stdout.write(
      [
        '',
        'agent-bot is running',
        `  gateway      ${gateway.url}  (GitHub webhooks: ${gateway.url}/webhooks/github)`,
        `  metrics      ${gateway.url}/metrics (gateway)${metricsServer === undefined ? '' : `, ${metricsServer.url}/metrics (worker)`}`,
        `  Temporal UI  ${config.TEMPORAL_UI_URL}`,
        `  Temporal     ${address}${devServer ? ` (dev server, data in ${config.AGENT_BOT_DATA_DIR})` : ''}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      log('stopping');
      void gateway.stop();
      workers.shutdown();
    };
    onShutdownSignal(stop);
    // Without the gateway no webhook gets in: stop everything rather than run half a system.
    void gateway.exited.then((code) => {
      if (!stopping) log('the gateway exited', { code }, 'error');
      stop();
    });
    // Nor without Temporal: say so, point at its log, and stop with an error instead of retrying forever.
    void devServer?.exited.then(({ code, signal }) => {
      if (stopping) return;
      log('the Temporal dev server exited; stopping agent-bot (start it again with npm run dev)', { code, signal, log: devServer?.logFile }, 'error');
      process.exitCode = 1;
      stop();
    });
    try {
      await running;
    } finally {
      // Both are down before the server is: the gateway's last acks still need it.
      await gateway.stop();
    }
  } finally {
    await workerConnection.close();
    await clientConnection.close();
    await metricsServer?.close();
    await devServer?.stop();
    log('stopped');
  }
  await stopErrorReporting();
}

runMain(main, log);
