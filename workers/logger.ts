import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import type { Config } from '../config/load';
import { configSchema } from '../config/schema';
import { SECRET_NAME, scrubText, secretValues } from './error-reporting';

/** pino's levels, lowest first; `LOG_LEVEL` also takes `silent`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type LogFormat = 'json' | 'pretty';

/**
 * One event: a constant message and a metadata object (searchable fields, never interpolated into the
 * message), at `info` unless `level` says otherwise. Every entry point and the Temporal SDK log through
 * the same pino root: one JSON stream on stderr.
 */
export type Logger = (message: string, meta?: Record<string, unknown>, level?: LogLevel) => void;

export interface LoggingSettings {
  /** pino level or `silent`. */
  level: LogLevel | 'silent';
  /** `json` (one object per line) or `pretty` (pino-pretty, for a person at a terminal). */
  format: LogFormat;
}

/** What a redacted value reads as: the same word as in Sentry events. */
export const REDACTED = '[redacted]';

/** Field names whose value is a secret wherever they are: at the top of an event or one object down. */
const SECRET_FIELDS = ['token', 'accessToken', 'access_token', 'refreshToken', 'botToken', 'apiKey', 'api_key', 'secret', 'clientSecret', 'signingSecret', 'password', 'privateKey', 'authorization', 'cookie'];
/** Request headers that carry credentials or signatures, as Node names them (lower case). */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-hub-signature', 'x-hub-signature-256', 'x-slack-signature', 'x-signature-ed25519', 'x-agent-bot-signature'];
/** Secrets agents read from the environment, which no config key names. */
const AGENT_SECRET_VARIABLES = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'CODEX_API_KEY', 'CURSOR_API_KEY'];

/**
 * pino `redact` paths: the generic secret field names, credential headers, and every config key named like
 * a secret (`GITHUB_TOKEN`, `SLACK_BOT_TOKEN`, `*_API_TOKEN`, `*_SECRET`, ...: taken from the config
 * schema, so a provider's new key is covered the day it is added), each at the top of an event and one
 * object down (`config.GITHUB_TOKEN`, `req.headers.authorization`). Deeper copies are caught by value.
 */
export function redactPaths(): string[] {
  const keys = [...SECRET_FIELDS, ...Object.keys(configSchema.shape).filter((key) => SECRET_NAME.test(key)), ...AGENT_SECRET_VARIABLES];
  const headers = SECRET_HEADERS.map((name) => `headers["${name}"]`);
  return [...keys, ...headers].flatMap((path) => [path, `*.${path}`]);
}

/** Configured secret values, longest first; seeded from the environment, completed once the config is read. */
let secrets: string[] = secretValues({}, process.env);

/**
 * Every secret value of `config` (and of the environment) is replaced wherever it appears in a log line,
 * whatever field or message carries it: the catch-all behind the named paths.
 */
export function addLogSecrets(config: Partial<Config> | Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): void {
  secrets = [...new Set([...secrets, ...secretValues(config, env)])].sort((a, b) => b.length - a.length);
}

let settings: LoggingSettings = settingsFromEnv(process.env);
let root: PinoLogger | undefined;
/** Bumped by `configureLogging`: loggers made earlier pick the new root up on their next line. */
let generation = 0;

/** LOG_LEVEL and LOG_FORMAT as the environment gives them, before the config is read. */
function settingsFromEnv(env: NodeJS.ProcessEnv): LoggingSettings {
  const level = env['LOG_LEVEL']?.trim().toLowerCase();
  const format = env['LOG_FORMAT']?.trim().toLowerCase();
  return {
    level: level !== undefined && (level === 'silent' || level in pino.levels.values) ? (level as LogLevel) : 'info',
    format: format === 'pretty' ? 'pretty' : 'json',
  };
}

/** Sets the process's level and format (from the config); loggers already made follow. */
export function configureLogging(next: Partial<LoggingSettings>): void {
  settings = { level: next.level ?? settings.level, format: next.format ?? settings.format };
  root = undefined;
  generation++;
}

/** The level and format in force. */
export function loggingSettings(): Readonly<LoggingSettings> {
  return settings;
}

/**
 * A pino logger with agent-bot's settings, writing to `destination`: ISO `time`, the level by name, redaction by path, secret values
 * scrubbed from each line before it is written, and `error` fields serialized like `err` (message, stack,
 * cause) when they are errors.
 */
export function buildLogger(level: LoggingSettings['level'], destination: DestinationStream): PinoLogger {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths(), censor: REDACTED },
      serializers: { error: pino.stdSerializers.errWithCause, err: pino.stdSerializers.errWithCause },
      hooks: { streamWrite: (line) => scrubText(line, secrets) },
    },
    destination,
  );
}

/**
 * stderr, synchronously (as `process.stderr.write` was): a line is out before a crash exits the process.
 * Pretty output goes through pino-pretty as a stream in this process, not a transport's worker thread:
 * it is for a person at a terminal, and should stop with the process.
 */
function stderrDestination(format: LogFormat): DestinationStream {
  if (format === 'pretty') return pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' });
  return pino.destination({ dest: 2, sync: true });
}

/** The process's root logger (made on first use, from the current settings). */
export function rootLogger(): PinoLogger {
  root ??= buildLogger(settings.level, stderrDestination(settings.format));
  return root;
}

/**
 * A logger tagged `component` (`worker`, `gateway`, `dev`, ...) on the process's root. `write` sends its
 * JSON lines (without the newline) there instead, at level `trace`: for tests.
 */
export function createLogger(component: string, write?: (line: string) => void): Logger {
  if (write !== undefined) {
    const own = buildLogger('trace', { write: (line: string) => write(line.replace(/\n$/, '')) }).child({ component });
    return (message, meta = {}, level = 'info') => own[level](meta, message);
  }
  let child: PinoLogger | undefined;
  let made = -1;
  return (message, meta = {}, level = 'info') => {
    if (child === undefined || made !== generation) {
      child = rootLogger().child({ component });
      made = generation;
    }
    child[level](meta, message);
  };
}

const TEMPORAL_LEVELS: Record<TemporalLogLevel, LogLevel> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's logger (`Runtime.install({ logger })`): the SDK's own lines, the workflows' and the
 * activities' `log`, and Core's forwarded lines all go to pino, tagged `component: temporal`. Each line
 * keeps the SDK's metadata (`workflowId`, `activityType`, `taskQueue`, ...); `taskId` and `provider` are
 * added from the workflow id when the line has none (`<provider>:<thread key>/task/<task id>`).
 */
export function temporalLogger(base: () => PinoLogger = rootLogger): TemporalLogger {
  let child: PinoLogger | undefined;
  let made = -1;
  const logger = (): PinoLogger => {
    if (child === undefined || made !== generation) {
      child = base().child({ component: 'temporal' });
      made = generation;
    }
    return child;
  };
  const write = (level: TemporalLogLevel, message: string, meta: LogMetadata = {}): void => {
    logger()[TEMPORAL_LEVELS[level] ?? 'info']({ ...idsFromWorkflowId(meta), ...meta }, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/** `taskId` and `provider` as agent-bot's workflow ids carry them (`github:acme/widgets#42/task/<id>`). */
export function idsFromWorkflowId(meta: LogMetadata): { taskId?: string; provider?: string } {
  const workflowId: unknown = meta['workflowId'];
  if (typeof workflowId !== 'string') return {};
  const taskId = /\/task\/([^/]+)$/.exec(workflowId)?.[1];
  const provider = /^([a-z][a-z0-9-]*):/.exec(workflowId)?.[1];
  return { ...(taskId === undefined ? {} : { taskId }), ...(provider === undefined ? {} : { provider }) };
}
