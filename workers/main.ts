import { ConfigError, loadConfig, type Config } from '../config/load';
import { errorReporter } from './error-reporting';
import { addLogSecrets, configureLogging, type Logger } from './logger';

/**
 * Loads the config or stops the process with a message naming the bad keys; then sets the process's logs
 * up from it (LOG_LEVEL, LOG_FORMAT, and its secret values, which no log line may show).
 * @param options.prettyOnTty LOG_FORMAT unset and stderr a terminal: pretty logs (`npm run dev`).
 */
export function loadConfigOrExit(options: { prettyOnTty?: boolean } = {}): Config {
  try {
    const config = loadConfig();
    addLogSecrets(config);
    configureLogging({ level: config.LOG_LEVEL, format: config.LOG_FORMAT ?? (options.prettyOnTty === true && process.stderr.isTTY ? 'pretty' : 'json') });
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`agent-bot: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** The Temporal server to use: TEMPORAL_ADDRESS, or the embedded dev server's port. */
export function temporalAddress(config: Config): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
}

/**
 * Runs `connect`, and when it fails says which server could not be reached and which setting named it:
 * the client's own message ("Failed to connect before the deadline") names neither.
 * @throws Error `cannot reach Temporal at <address> (<where it came from>): <cause>`.
 */
export async function connectTemporal<T>(config: Config, connect: (address: string) => Promise<T>): Promise<T> {
  const address = temporalAddress(config);
  try {
    return await connect(address);
  } catch (error) {
    const from = config.TEMPORAL_ADDRESS === undefined ? `the dev server's port, TEMPORAL_DEV_PORT` : 'TEMPORAL_ADDRESS';
    throw new Error(`cannot reach Temporal at ${address} (${from}): ${(error as Error).message}`, { cause: error });
  }
}

/** Runs `shutdown` once on the first SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdownSignal(shutdown: (signal: NodeJS.Signals) => void): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      shutdown(signal);
    });
  }
}

/** Longest a crashing process waits for its report to reach Sentry before it exits. */
const CRASH_FLUSH_MS = 5_000;

/**
 * `main().catch(...)` for every entry point: a crash (at start, or a fatal error later) is logged,
 * reported when the process started error reporting (the event is flushed before the exit), and
 * ends the process with code 1.
 */
export function runMain(main: () => Promise<void>, log: Logger): void {
  main().catch(async (error: unknown) => {
    log('fatal', { error: error instanceof Error ? error.message : String(error) }, 'fatal');
    const reporter = errorReporter();
    if (reporter.enabled) {
      reporter.capture(error, { tags: { phase: 'fatal' } });
      await reporter.flush(CRASH_FLUSH_MS).catch(() => false);
    }
    process.exit(1);
  });
}

/** Closes the process's error reporting (flushing what is pending) on a clean stop. */
export async function stopErrorReporting(): Promise<void> {
  await errorReporter().close();
}
