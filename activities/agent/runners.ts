import { codexMcpArgs } from '../../integrations/mcp/agent-mcp-config';
import type { RunnerMcp } from './agent-mcp';
import type { LineParser } from './events';
import { parseClaudeLine, parseCodexLine, parseCursorLine, parsePlainLine } from './parsers';

export type AgentKind = 'claude' | 'codex' | 'cursor' | 'command';

export interface RunnerArgs {
  prompt: string;
  extraArgs: readonly string[];
  /** Session to resume: the previous task's on the same thread. */
  sessionId: string | undefined;
  maxTurns: number | undefined;
  maxBudgetUsd: number | undefined;
  /** The prompt goes on stdin instead of as an argument (see `RunnerSpec.stdinPrompt` and prompt-delivery.ts). */
  promptOnStdin: boolean;
  /** `plan`: a read-only pass whose answer is a plan for a person to approve. */
  mode: 'plan' | 'execute';
  /** MCP servers of the run (agent-bot's thread tools, AGENT_MCP_SERVERS): each CLI is told its own way. */
  mcp?: RunnerMcp;
}

/** How one kind of agent CLI is started and read. */
export interface RunnerSpec {
  args(options: RunnerArgs): string[];
  parseLine: LineParser;
  /** Environment variables the CLI needs, beyond the basic ones every process gets. */
  env: readonly string[];
  /** Values set unless the worker's environment sets them: what a headless, self-hosted run wants. */
  defaultEnv?: Record<string, string>;
  /** Text in a failed run's reason that means the session to resume is gone (e.g. another machine). */
  lostSessionPattern?: RegExp;
  /** Whether the CLI enforces max turns itself (otherwise the runner counts tool calls). */
  enforcesMaxTurns: boolean;
  /**
   * When the CLI is given its prompt on stdin instead of as an argument: `when-long` for a prompt too long
   * for an argument (the CLI reads stdin when told to), `when-configured` when AGENT_PROMPT_VIA=stdin says
   * it reads it there, `never` when it has no way to that we know of. See prompt-delivery.ts.
   */
  stdinPrompt: 'when-long' | 'when-configured' | 'never';
}

export const runners: Record<AgentKind, RunnerSpec> = {
  claude: {
    // stream-json needs --verbose (see shared/PROTOCOLS.md)
    args: (o) => [
      // Without a prompt argument, `claude -p` reads the prompt from stdin.
      '-p',
      ...(o.promptOnStdin ? [] : [o.prompt]),
      '--output-format',
      'stream-json',
      '--verbose',
      // Both flags take several values: they stay before other flags, never before a bare argument.
      ...(o.mcp === undefined ? [] : ['--mcp-config', o.mcp.configFile]),
      ...(o.mcp === undefined || o.mcp.allowedTools.length === 0 ? [] : ['--allowedTools', o.mcp.allowedTools.join(',')]),
      ...(o.sessionId === undefined ? [] : ['--resume', o.sessionId]),
      ...(o.maxTurns === undefined ? [] : ['--max-turns', String(o.maxTurns)]),
      ...(o.maxBudgetUsd === undefined ? [] : ['--max-budget-usd', String(o.maxBudgetUsd)]),
      ...(o.mode === 'plan' ? ['--permission-mode', 'plan'] : []),
      ...o.extraArgs,
    ],
    parseLine: parseClaudeLine,
    env: [
      'ANTHROPIC_API_KEY',
      'ANTHROPIC_BASE_URL',
      'ANTHROPIC_MODEL',
      'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
      'CLAUDE_CODE_MAX_RETRIES',
      'CLAUDE_CONFIG_DIR',
      'IS_SANDBOX',
    ],
    // Without it the CLI also calls Anthropic's own hosts (telemetry, bootstrap), whatever the base URL.
    defaultEnv: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    lostSessionPattern: /No conversation found with session ID/,
    enforcesMaxTurns: true,
    stdinPrompt: 'when-long',
  },
  codex: {
    args: (o) => [
      'exec',
      ...(o.sessionId === undefined ? [] : ['resume', o.sessionId]),
      '--json',
      '--skip-git-repo-check',
      // `exec resume` has no --sandbox flag; a config override works for both.
      ...(o.mode === 'plan' ? ['-c', 'sandbox_mode="read-only"'] : []),
      ...(o.mcp === undefined ? [] : codexMcpArgs(o.mcp.servers)),
      ...o.extraArgs,
      // `-`: `codex exec` (and `exec resume <id>`) reads the prompt from stdin.
      o.promptOnStdin ? '-' : o.prompt,
    ],
    parseLine: parseCodexLine,
    // The provider and its key variable are configured in $CODEX_HOME/config.toml (see README); name that
    // variable in AGENT_ENV_PASSTHROUGH.
    env: ['CODEX_HOME', 'CODEX_API_KEY', 'OPENAI_API_KEY'],
    enforcesMaxTurns: false,
    stdinPrompt: 'when-long',
  },
  cursor: {
    args: (o) => [
      '--print',
      '--output-format',
      'stream-json',
      ...(o.sessionId === undefined ? [] : ['--resume', o.sessionId]),
      ...o.extraArgs,
      o.prompt,
    ],
    parseLine: parseCursorLine,
    env: ['CURSOR_API_KEY'],
    enforcesMaxTurns: false,
    // No binary here to check whether cursor-agent reads a prompt on stdin.
    stdinPrompt: 'never',
  },
  command: {
    args: (o) => (o.promptOnStdin ? [...o.extraArgs] : [...o.extraArgs, o.prompt]),
    parseLine: parsePlainLine,
    env: [],
    enforcesMaxTurns: false,
    stdinPrompt: 'when-configured',
  },
};

/** Variables every agent process gets; nothing else from the worker's environment leaks in. */
const BASE_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'USER', 'SHELL', 'TZ'];

export function agentEnvironment(
  source: NodeJS.ProcessEnv,
  spec: RunnerSpec,
  passthrough: readonly string[],
  extra: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...spec.defaultEnv };
  for (const name of [...BASE_ENV, ...spec.env, ...passthrough]) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}
