import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { prepareNamespace } from '../temporal-config/namespace-setup';
import { createAgentWorkers } from './agent-worker';
import { initErrorReporting } from './error-reporting';
import { createLogger } from './logger';
import { connectTemporal, loadConfigOrExit, onShutdownSignal, runMain, stopErrorReporting, temporalAddress } from './main';
import { startWorkerMetrics } from './metrics-server';

const log = createLogger('worker');

/** A worker on its own: `npm run start:worker`, against TEMPORAL_ADDRESS (or the local dev server). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  initErrorReporting(config, { component: 'worker', processHandlers: true });
  // Before any connection: the Temporal runtime logs through pino and exports the SDK's metrics.
  const { metrics, server: metricsServer } = await startWorkerMetrics(config);
  const address = temporalAddress(config);
  const connection = await connectTemporal(config, (at) => NativeConnection.connect({ address: at }));
  const clientConnection = await connectTemporal(config, (at) => Connection.connect({ address: at }));
  try {
    await prepareNamespace(clientConnection, config.TEMPORAL_NAMESPACE, config.TEMPORAL_RETENTION).catch((error: unknown) => {
      // A managed server may not let workers change the namespace: then an operator does it once.
      log('could not prepare the namespace (search attributes, retention)', { error: String(error) }, 'warn');
    });
    const workers = await createAgentWorkers({ config, connection, clientConnection, ...(metrics === undefined ? {} : { metrics }) });
    onShutdownSignal(() => workers.shutdown());
    log('worker started', { address, taskQueue: config.TEMPORAL_TASK_QUEUE, agentKind: config.AGENT_KIND, metrics: metricsServer === undefined ? 'off' : `${metricsServer.url}/metrics` });
    await workers.run();
    log('worker stopped');
  } finally {
    await connection.close();
    await clientConnection.close();
    await metricsServer?.close();
  }
  await stopErrorReporting();
}

runMain(main, log);
