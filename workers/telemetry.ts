import net from 'node:net';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { LogLevel as TemporalLogLevel } from '@temporalio/common';
import { Runtime, type ActivityInterceptorsFactory, type ActivityOutboundCallsInterceptor } from '@temporalio/worker';
import { activityTags } from './error-reporting';
import { loggingSettings, temporalLogger } from './logger';

export interface TemporalTelemetry {
  /** Where the SDK's own Prometheus exporter answers (loopback, a port chosen at start); absent when off. */
  sdkMetricsUrl?: string;
}

/** How many free ports are tried for the SDK's exporter before the worker gives up. */
const EXPORTER_PORT_ATTEMPTS = 3;

/**
 * Installs the process's Temporal runtime, once, before any connection to Temporal: the SDK's logs (its own,
 * the workflows' and activities' `log`, and Core's, forwarded) go to pino, and with `sdkMetrics` Core's
 * Prometheus exporter serves the SDK's worker metrics (`temporal_*`: polls, slots, schedule-to-start and
 * execution latencies, sticky cache, ...) on a loopback port, for the worker's `/metrics` to forward: one
 * port per process to scrape. Durations in seconds and `_total` counters, like agent-bot's own metrics.
 * @throws IllegalStateError when a runtime is installed already (or a worker was created before this);
 *   the last error of the native runtime when the exporter found no free port in three attempts.
 */
export async function installTemporalRuntime(options: { sdkMetrics: boolean }): Promise<TemporalTelemetry> {
  const logging = { filter: { core: coreLogLevel(), other: 'ERROR' as const }, forward: {} };
  if (!options.sdkMetrics) {
    Runtime.install({ logger: temporalLogger(), telemetryOptions: { logging } });
    return {};
  }
  for (let attempt = 1; ; attempt++) {
    // A port the OS just handed out and released: another process could take it before Core binds it, hence the retries.
    const port = await freeLoopbackPort();
    const bindAddress = `127.0.0.1:${port}`;
    try {
      Runtime.install({
        logger: temporalLogger(),
        telemetryOptions: { logging, metrics: { prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } } },
      });
      return { sdkMetricsUrl: `http://${bindAddress}/metrics` };
    } catch (error) {
      if (attempt >= EXPORTER_PORT_ATTEMPTS) throw error;
    }
  }
}

/** Core's own lines are verbose: warnings and errors only, unless LOG_LEVEL asks for more. */
function coreLogLevel(): TemporalLogLevel {
  const { level } = loggingSettings();
  return level === 'trace' ? 'DEBUG' : level === 'debug' ? 'INFO' : 'WARN';
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Adds `taskId` and `provider` to every log line of an activity (its `log` and the SDK's lines about it),
 * read from its input as Sentry's tags are: the SDK tags only workflow and activity ids. Lines written
 * before the activity's code starts (the SDK's "Activity started") get them from the workflow id instead.
 */
export function logAttributesInterceptors(): ActivityInterceptorsFactory {
  return (ctx: ActivityContext) => {
    let ids: { taskId?: string; provider?: string } = {};
    const outbound: ActivityOutboundCallsInterceptor = {
      getLogAttributes: (input, next) => next({ ...input, ...ids }),
    };
    return {
      inbound: {
        execute: (input, next) => {
          const tags = activityTags(ctx.info, input.args);
          ids = {
            ...(typeof tags['task_id'] === 'string' ? { taskId: tags['task_id'] } : {}),
            ...(typeof tags['provider'] === 'string' ? { provider: tags['provider'] } : {}),
          };
          return next(input);
        },
      },
      outbound,
    };
  };
}
