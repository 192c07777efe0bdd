import * as Sentry from '@sentry/node';
import type { ErrorEvent } from '@sentry/node';
import type { Context as ActivityContext, Info as ActivityInfo } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import type { Config } from '../config/load';
import { ErrorType } from '../contracts/errors';
import packageJson from '../package.json';

/** What is known where an error is caught, sent with it. */
export interface ErrorContext {
  /** Searchable in Sentry: `workflow_id`, `task_id`, `provider`, `route`, ... (each at most 200 characters). */
  tags?: Readonly<Record<string, string | number | undefined>>;
  /** Shown on the event; scrubbed like everything else. */
  extra?: Readonly<Record<string, unknown>>;
  /** The HTTP request being answered, for gateway errors. */
  request?: { method: string; url: string; headers?: Readonly<Record<string, string | string[] | undefined>> };
}

/** agent-bot's own unexpected errors, sent to Sentry when `SENTRY_DSN` is set; a no-op otherwise. */
export interface ErrorReporter {
  readonly enabled: boolean;
  /** Sends `error` in the background (never throws, never waits for the network). */
  capture(error: unknown, context?: ErrorContext): void;
  /** Waits up to `timeoutMs` for the events sent so far; false when some are still pending. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes (up to `timeoutMs`) and stops reporting; the process may then start another reporter. */
  close(timeoutMs?: number): Promise<void>;
}

const DISABLED: ErrorReporter = {
  enabled: false,
  capture: () => {},
  flush: () => Promise.resolve(true),
  close: () => Promise.resolve(),
};

let current: ErrorReporter = DISABLED;

/** The reporter this process started (`initErrorReporting`), or one that sends nothing. */
export function errorReporter(): ErrorReporter {
  return current;
}

export interface ErrorReportingOptions {
  /** `gateway`, `worker` or `dev`: a tag on every event. */
  component: string;
  /**
   * Also report uncaught exceptions and unhandled rejections, exiting afterwards as Node would. Only for
   * entry points: these are process-wide handlers, which a test process must not get.
   */
  processHandlers?: boolean;
  /** Where secret-looking variables are looked for besides the config (the agents' API keys). */
  env?: NodeJS.ProcessEnv;
}

/** A secret shorter than this is not searched for in events: it would blank out common words. */
const MIN_SECRET_CHARS = 4;

/** Config or environment names whose values are secrets. */
export const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PRIVATE_KEY|API_KEY|CREDENTIALS?|_PAT)$/i;

/** Fields whose values are secrets whatever they hold: headers and common names in `extra` or `contexts`. */
const SECRET_FIELD = /^(authorization|proxy-authorization|cookie|set-cookie|x-hub-signature(-256)?|x-agent-bot-signature|x-slack-signature|x-api-key|.*([-_]|\b)(token|secret|password|passwd|api[-_]?key|private[-_]?key|credentials?))$/i;

/** Token shapes worth catching even when they are not configured here (an agent's key in a message). */
const SECRET_PATTERNS = [
  /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bsk-(ant-)?[A-Za-z0-9_-]{16,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /(\/\/[^/\s:@]+:)[^/\s@]+@/g,
];

const REDACTED = '[redacted]';

/**
 * Starts reporting to Sentry when `SENTRY_DSN` is set; otherwise answers a reporter that sends nothing
 * (and nothing of Sentry is set up). The SDK runs with no default integration and no load-time module
 * hooks: agent-bot reports errors where it handles them (the gateway's error handler, the activity
 * interceptor, the entry points' crash path), so nothing in the process is instrumented, and a test
 * process that starts a reporter keeps plain `http` and `fetch`. Every event passes `scrubEvent`.
 * @throws Error when a reporter is already running in this process (close it first).
 */
export function initErrorReporting(config: Pick<Config, 'SENTRY_DSN' | 'SENTRY_ENVIRONMENT'> & Partial<Config>, options: ErrorReportingOptions): ErrorReporter {
  if (config.SENTRY_DSN === undefined) return DISABLED;
  if (current.enabled) throw new Error('error reporting is already running in this process');
  const secrets = secretValues(config, options.env ?? process.env);
  Sentry.init({
    dsn: config.SENTRY_DSN,
    ...(config.SENTRY_ENVIRONMENT === undefined ? {} : { environment: config.SENTRY_ENVIRONMENT }),
    release: `agent-bot@${packageJson.version}`,
    defaultIntegrations: false,
    integrations: [
      // The cause chain: an ApplicationFailure's cause is usually the real error.
      Sentry.linkedErrorsIntegration(),
      Sentry.nodeContextIntegration(),
      Sentry.contextLinesIntegration(),
      ...(options.processHandlers === true ? [Sentry.onUncaughtExceptionIntegration(), Sentry.onUnhandledRejectionIntegration({ mode: 'strict' })] : []),
    ],
    enableRuntimeChannelInjection: false,
    sendClientReports: false,
    // Nothing about users, cookies or bodies: the request of a gateway error is set by `capture`, scrubbed.
    dataCollection: { userInfo: false, cookies: false, httpBodies: [] },
    initialScope: { tags: { component: options.component } },
    beforeSend: (event) => scrubEvent(event, secrets),
    // Breadcrumbs would be whatever the process logged: nothing we want to ship.
    beforeBreadcrumb: () => null,
  });
  const reporter: ErrorReporter = {
    enabled: true,
    capture(error, context = {}) {
      Sentry.withScope((scope) => {
        for (const [key, value] of Object.entries(context.tags ?? {})) {
          if (value !== undefined) scope.setTag(key, String(value).slice(0, 200));
        }
        if (context.extra !== undefined) scope.setExtras(context.extra);
        if (context.request !== undefined) {
          const { method, url, headers } = context.request;
          // Set here rather than through requestDataIntegration, which would also take cookies and the body.
          const request = { method, url, ...(headers === undefined ? {} : { headers: flatHeaders(headers) }) };
          scope.addEventProcessor((event) => ({ ...event, request }));
        }
        Sentry.captureException(error);
      });
    },
    flush: (timeoutMs = 2_000) => Sentry.flush(timeoutMs),
    async close(timeoutMs = 2_000) {
      await Sentry.close(timeoutMs);
      if (current === reporter) current = DISABLED;
    },
  };
  current = reporter;
  return reporter;
}

/**
 * Every configured secret (keys named like `*_TOKEN`, `*_SECRET`, ..., including lists such as
 * `GITHUB_WEBHOOK_SECRET`) and every such variable of the environment, longest first, so that a secret
 * containing another is replaced whole.
 */
export function secretValues(config: Partial<Config> | Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = {}): string[] {
  const values = new Set<string>();
  const add = (name: string, value: unknown): void => {
    if (!SECRET_NAME.test(name)) return;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string' && item.trim().length >= MIN_SECRET_CHARS) values.add(item.trim());
    }
  };
  for (const [name, value] of Object.entries(config)) add(name, value);
  for (const [name, value] of Object.entries(env)) add(name, value);
  return [...values].sort((a, b) => b.length - a.length);
}

/**
 * The event with every secret removed: each configured secret value wherever it occurs (messages, stack
 * frames' source lines, request data, extras), well-known token shapes, and the whole value of fields
 * that hold secrets by their name (`authorization`, `cookie`, `*_token`, ...).
 */
export function scrubEvent<T extends ErrorEvent>(event: T, secrets: readonly string[]): T {
  return scrub(event, secrets) as T;
}

function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (depth > 30 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_FIELD.test(key) && item !== null && item !== undefined && typeof item !== 'object' ? REDACTED : scrub(item, secrets, depth + 1);
  }
  return out;
}

/** `text` with every value of `secrets` and every well-known token shape replaced by `[redacted]`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, first: unknown) => (typeof first === 'string' && first.startsWith('//') ? `${first}${REDACTED}@` : REDACTED));
  }
  return out;
}

function flatHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/**
 * Failure types that are outcomes, not agent-bot's errors: what the agent did (failed, timed out, went
 * idle, ran out of turns or budget), what a provider answered (refusals, rate limits, outages, all
 * classified by the provider's errors module and retried by Temporal where that helps), and requests
 * refused by policy. The thread already says each of them to the person who asked. Anything else
 * thrown by an activity is reported: an error that is no ApplicationFailure (a bug: a TypeError, an
 * unclassified library error), an ApplicationFailure of another type (`AgentCommandNotFound`: the
 * worker lacks its agent CLI; `AgentPromptTooLong`: its agent cannot take a prompt that long, e.g. a
 * `command` without AGENT_PROMPT_VIA=stdin; `ApiCallbackUnsigned`: the worker lacks its API token), or of none.
 */
export const EXPECTED_FAILURE_TYPES: ReadonlySet<string> = new Set<string>([
  ErrorType.AgentFailed,
  ErrorType.AgentTimeout,
  ErrorType.AgentIdle,
  ErrorType.AgentMaxTurns,
  ErrorType.AgentBudgetExceeded,
  ErrorType.WorkspaceRefused,
  ErrorType.WorkspaceFailed,
  ErrorType.RepositoryRefused,
  ErrorType.GithubUnauthorized,
  ErrorType.GithubForbidden,
  ErrorType.GithubNotFound,
  ErrorType.GithubUnprocessable,
  ErrorType.GithubRateLimited,
  ErrorType.GithubServerError,
  ErrorType.ProviderUnauthorized,
  ErrorType.ProviderForbidden,
  ErrorType.ProviderNotFound,
  ErrorType.ProviderRejected,
  ErrorType.ProviderRateLimited,
  ErrorType.ProviderUnavailable,
  'ApprovalRefused',
]);

/** True for failures that are outcomes (see `EXPECTED_FAILURE_TYPES`) and for cancellation. */
export function isExpectedActivityFailure(error: unknown, cancelled: boolean): boolean {
  if (cancelled || error instanceof CancelledFailure) return true;
  return error instanceof ApplicationFailure && error.type !== undefined && error.type !== null && EXPECTED_FAILURE_TYPES.has(error.type);
}

/**
 * Whether this failed attempt is reported: the first one (the error is seen at once), and the last one
 * (the activity gives up: a task it belongs to failed). The attempts between are the same error again,
 * retried by Temporal, and each would be one more event for the same issue.
 */
export function isReportedAttempt(info: Pick<ActivityInfo, 'attempt' | 'retryPolicy'>, error: unknown): boolean {
  if (info.attempt <= 1) return true;
  if (error instanceof ApplicationFailure && error.nonRetryable) return true;
  const type = error instanceof ApplicationFailure ? error.type : error instanceof Error ? error.name : undefined;
  if (type !== undefined && type !== null && (info.retryPolicy?.nonRetryableErrorTypes ?? []).includes(type)) return true;
  const max = info.retryPolicy?.maximumAttempts;
  return max !== undefined && max > 0 && info.attempt >= max;
}

/** `workflow_id`, `task_id`, `provider`, `activity` and `attempt` of an activity, from its info and first argument. */
export function activityTags(info: Pick<ActivityInfo, 'activityType' | 'attempt' | 'workflowExecution' | 'isLocal'>, args: readonly unknown[]): Record<string, string | number | undefined> {
  const input = asRecord(args[0]);
  const task = asRecord(input?.['task']);
  const command = asRecord(input?.['command']);
  const thread = asRecord(input?.['thread']) ?? asRecord(task?.['thread']) ?? asRecord(input?.['target']);
  const workflowId = info.workflowExecution?.workflowId;
  const fromWorkflowId = workflowId === undefined ? undefined : /\/task\/([^/]+)$/.exec(workflowId)?.[1];
  const taskId = stringField(task, 'taskId') ?? stringField(command, 'taskId') ?? stringField(input, 'taskId') ?? fromWorkflowId;
  const provider = stringField(thread, 'provider') ?? (workflowId === undefined ? undefined : /^([a-z]+):/.exec(workflowId)?.[1]);
  return { workflow_id: workflowId, task_id: taskId, provider, activity: info.activityType, attempt: info.attempt, ...(info.isLocal ? { local_activity: 'true' } : {}) };
}

/**
 * The activity interceptor that reports unexpected failures (see `isExpectedActivityFailure` and
 * `isReportedAttempt`) with the workflow id, task id and provider as tags. The failure itself is
 * rethrown untouched: Temporal's retries and the workflow's handling do not change.
 */
export function errorReportingInterceptors(reporter: ErrorReporter): ActivityInterceptorsFactory {
  return (ctx: ActivityContext) => ({ inbound: new ReportingActivityInbound(ctx, reporter) });
}

class ReportingActivityInbound implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly reporter: ErrorReporter,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      return await next(input);
    } catch (error) {
      const { info } = this.ctx;
      if (this.reporter.enabled && !isExpectedActivityFailure(error, this.ctx.cancellationSignal.aborted) && isReportedAttempt(info, error)) {
        this.reporter.capture(error, { tags: activityTags(info, input.args), extra: { activity_id: info.activityId, task_queue: info.taskQueue } });
      }
      throw error;
    }
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringField(record: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = record?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
