import { Connection } from '@temporalio/client';
import { initErrorReporting } from './error-reporting';
import type { GatewayReadyMessage } from './gateway-process';
import { GatewayMetrics } from '../gateway/metrics';
import { startGateway } from './gateway-server';
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, runMain, stopErrorReporting, temporalAddress } from './main';

const log = createLogger('gateway');

/**
 * The gateway on its own: `npm run start:gateway`, or a child of `npm run dev` (workers/gateway-process.ts).
 * Temporal may be down at start; /health/ready tells.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  initErrorReporting(config, { component: 'gateway', processHandlers: true });
  const address = temporalAddress(config);
  const connection = Connection.lazy({ address });
  // The process's own CPU, memory and event loop too: one gateway per process here.
  const gateway = await startGateway({ config, connection, log, metrics: new GatewayMetrics({ processMetrics: true }) });
  log('gateway listening', { url: gateway.url, temporal: address });
  await new Promise<void>((resolve) => {
    onShutdownSignal(() => resolve());
    if (process.send !== undefined) {
      // A child of `npm run dev`: tell it where we listen, and stop with it even if it dies without a word.
      process.once('disconnect', () => resolve());
      process.send({ gatewayUrl: gateway.url } satisfies GatewayReadyMessage);
    }
  });
  await gateway.close();
  await connection.close();
  await stopErrorReporting();
}

runMain(main, log);
