import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../temporal-config/dev-server';
import { prepareNamespace } from '../temporal-config/namespace-setup';
import { ensureTemporalCli } from '../temporal-config/temporal-cli';
import { createAgentWorkers } from './agent-worker';
import { startGateway } from './gateway-server';
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, runMain, temporalAddress } from './main';

const log = createLogger('dev');

/**
 * `npm run dev`: the whole system in one terminal. The Temporal dev server (SQLite in the data dir, Web
 * UI) unless TEMPORAL_ADDRESS names another server, then the worker and the gateway. Ctrl-C stops all.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
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
    });
  }
  const address = temporalAddress(config);
  const clientConnection = await Connection.connect({ address });
  const workerConnection = await NativeConnection.connect({ address });
  try {
    await prepareNamespace(clientConnection, config.TEMPORAL_NAMESPACE, config.TEMPORAL_RETENTION);
    const workers = await createAgentWorkers({ config, connection: workerConnection, clientConnection });
    const gateway = await startGateway({ config, connection: clientConnection, log });
    const running = workers.run();
    process.stdout.write(
      [
        '',
        'agent-bot is running',
        `  gateway      ${gateway.url}  (GitHub webhooks: ${gateway.url}/webhooks/github)`,
        `  Temporal UI  ${config.TEMPORAL_UI_URL}`,
        `  Temporal     ${address}${devServer ? ` (dev server, data in ${config.AGENT_BOT_DATA_DIR})` : ''}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    onShutdownSignal(() => {
      log('stopping');
      workers.shutdown();
    });
    await running;
    await gateway.close();
  } finally {
    await workerConnection.close();
    await clientConnection.close();
    await devServer?.stop();
    log('stopped');
  }
}

runMain(main, log);
