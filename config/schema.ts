import { z } from 'zod';
import { durationMs } from './duration';
import { list, optionalString, port } from './fields';
import { discordConfig } from './discord';
import { jiraConfig } from './jira';
import { sentryConfig } from './sentry';
import { slackConfig } from './slack';
import { writeLimits } from './write-limits';
import { mcpServers } from './mcp-servers';
import { observabilityConfig } from './observability';

/** Every setting of agent-bot, by its user-facing name. The README documents each key. */
export const configSchema = z.object({
  GATEWAY_PORT: port.default(8080),
  GATEWAY_HOST: z.string().default('0.0.0.0'),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('agent-bot'),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_UI_URL: optionalString.pipe(z.url().optional()),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_RETENTION: durationMs.prefault('7d'),
  AGENT_BOT_DATA_DIR: z.string().min(1).default('./data'),
  AGENT_BOT_MENTION: z
    .string()
    .regex(/^@[A-Za-z0-9][\w-]*$/, 'expected a mention such as @agent')
    .default('@agent'),
  // Two values during a rotation. Empty items are dropped: an empty secret would accept forged payloads.
  GITHUB_WEBHOOK_SECRET: list.default([]),
  GITHUB_TOKEN: optionalString,
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  GITHUB_ALLOWED_USERS: list.default([]),
  GITHUB_BOT_LOGIN: optionalString,
  AGENT_KIND: z.enum(['claude', 'codex', 'cursor', 'command']).default('claude'),
  AGENT_COMMAND: optionalString,
  AGENT_ARGS: optionalString.transform((value, ctx) => parseArgs(value, ctx)),
  AGENT_PROMPT_TEMPLATE: optionalString,
  AGENT_PROMPT_VIA: z.enum(['argument', 'stdin']).default('argument'),
  AGENT_TIMEOUT: durationMs.prefault('30m'),
  AGENT_IDLE_TIMEOUT: durationMs.prefault('10m'),
  AGENT_KILL_GRACE: durationMs.prefault('10s'),
  AGENT_MAX_TURNS: z.coerce.number().int().min(1).optional(),
  AGENT_MAX_BUDGET_USD: z.coerce.number().positive().optional(),
  AGENT_MAX_LOG_BYTES: z.coerce.number().int().min(1024).default(50 * 1024 * 1024),
  AGENT_PRICE_PER_MTOK: optionalString.transform((value, ctx) => parsePrice(value, ctx)),
  AGENT_ENV_PASSTHROUGH: list.default([]),
  AGENT_PROGRESS_INTERVAL: durationMs.prefault('5s'),
  /** Commands by first word: `run` at once, or `approve` (a planning pass, then a person's approval). */
  AGENT_COMMANDS: optionalString.transform((value, ctx) => parseCommands(value, ctx)),
  /**
   * A request whose first word is no command runs as this command (`ask` by default, which runs at once);
   * `none` restores the strict list: such a request gets the list of commands.
   */
  AGENT_DEFAULT_COMMAND: z
    .string()
    .trim()
    .regex(/^[a-z][\w-]*$/i, 'expected a command name such as ask, or none for the strict list')
    .default('ask')
    .transform((value) => (value.toLowerCase() === 'none' ? undefined : value.toLowerCase())),
  APPROVAL_TIMEOUT: durationMs.prefault('7d'),
  APPROVAL_REMINDER: durationMs.prefault('1d'),
  /** The task's progress message appears after this long, then is edited at most this often in the first minute. */
  PROGRESS_COMMENT_INTERVAL: durationMs.prefault('10s'),
  /** After the first minute, at most one progress edit this often: long runs stay within the providers' limits. */
  PROGRESS_COMMENT_MAX_INTERVAL: durationMs.prefault('60s'),
  /** Longest wait for one provider API request (GitHub, Slack, ...): a hung connection must not hold a task. */
  PROVIDER_REQUEST_TIMEOUT: durationMs.prefault('30s'),
  /**
   * GitHub writes (comments, edits, reactions, check runs) allowed per token and process: a tenth under the
   * documented secondary limits of 80 a minute and 500 an hour.
   */
  GITHUB_WRITE_LIMITS: writeLimits.prefault('72/1m,450/1h'),
  GITHUB_CHECK_RUNS: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('true')
    .transform((value) => ['true', '1', 'yes'].includes(value)),
  AGENT_BOT_API_TOKEN: optionalString,
  /** agent-bot's own unexpected errors go to this Sentry project; unset, nothing is sent. */
  SENTRY_DSN: optionalString.pipe(z.url().optional()),
  SENTRY_ENVIRONMENT: optionalString,
  JANITOR_SCHEDULE: z.string().min(1).default('0 3 * * *'),
  JANITOR_RETENTION: durationMs.prefault('7d'),
  JANITOR_IDLE_CLOSE: durationMs.prefault('30d'),
  AGENT_MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * This worker's stable identity: its task queue of its own (a thread's next task runs where its workspace
   * and agent session are) is named after it. Default: the host name and a hash of the data dir.
   */
  AGENT_WORKER_ID: optionalString.pipe(z.string().regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'letters, digits, . _ - (at most 100)').optional()),
  /** How long a thread's next agent run waits for the worker that holds its workspace before any worker takes it. */
  AGENT_STICKY_WAIT: durationMs.prefault('30s'),
  /**
   * `auto` (default): the data dir is shared when another worker's registration is seen in it, and then
   * threads are not pinned to a worker (any worker reaches the workspace). `true` or `false` to say so.
   */
  AGENT_SHARED_DATA_DIR: z.enum(['auto', 'true', 'false']).default('auto'),
  AGENT_CLONE: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('true')
    .transform((value) => ['true', '1', 'yes'].includes(value)),
  GITHUB_CLONE_URL: z.string().default('https://github.com/{owner}/{repo}.git'),
  AGENT_PROJECTS: optionalString.transform((value, ctx) => parseProjects(value, ctx)),
  AGENT_PROJECT_ROOTS: list.default([]),
  AGENT_FORBIDDEN_PATHS: list.default(['/etc', '/root', '/proc', '/sys', '/dev', '/boot', '/var/run']),
  /** agent-bot's own MCP server (the thread tools) in every agent run. */
  AGENT_MCP: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('true')
    .transform((value) => ['true', '1', 'yes'].includes(value)),
  /** The user's own MCP servers, added to every agent run. */
  AGENT_MCP_SERVERS: mcpServers,
  ...slackConfig,
  ...discordConfig,
  ...jiraConfig,
  ...sentryConfig,
  ...observabilityConfig,
});

export type RawConfig = z.infer<typeof configSchema>;

function parseArgs(value: string | undefined, ctx: z.RefinementCtx): string[] {
  if (value === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  } catch {
    // fall through to the message below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON array of strings, e.g. ["--flag","value"]' });
  return z.NEVER;
}

function parsePrice(value: string | undefined, ctx: z.RefinementCtx): { input: number; output: number } | undefined {
  if (value === undefined) return undefined;
  const [input, output] = value.split(',').map((part) => Number(part.trim()));
  if (input !== undefined && output !== undefined && Number.isFinite(input) && Number.isFinite(output) && input >= 0 && output >= 0) {
    return { input, output };
  }
  ctx.addIssue({ code: 'custom', message: 'expected "<input>,<output>" USD per million tokens, e.g. "1.25,10"' });
  return z.NEVER;
}

function parseProjects(value: string | undefined, ctx: z.RefinementCtx): Record<string, string> {
  if (value === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string')) {
      return parsed as Record<string, string>;
    }
  } catch {
    // fall through to the message below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON object of "owner/repo" pattern to local path, e.g. {"acme/*": "/srv/acme"}' });
  return z.NEVER;
}

/** `{"review":"run","fix":"approve"}`: how each command runs. */
export type CommandMode = 'run' | 'approve';

export const DEFAULT_COMMANDS: Record<string, CommandMode> = {
  review: 'run',
  explain: 'run',
  ask: 'run',
  fix: 'approve',
  implement: 'approve',
  change: 'approve',
};

function parseCommands(value: string | undefined, ctx: z.RefinementCtx): Record<string, CommandMode> {
  if (value === undefined) return DEFAULT_COMMANDS;
  try {
    const parsed: unknown = JSON.parse(value);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.entries(parsed).every(([name, mode]) => /^[a-z][\w-]*$/i.test(name) && (mode === 'run' || mode === 'approve'))
    ) {
      return Object.fromEntries(Object.entries(parsed as Record<string, CommandMode>).map(([name, mode]) => [name.toLowerCase(), mode]));
    }
  } catch {
    // fall through to the message below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON object of command name to "run" or "approve", e.g. {"review":"run","fix":"approve"}' });
  return z.NEVER;
}
