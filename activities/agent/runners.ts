import type { LineParser } from './events';
import { parseClaudeLine, parsePlainLine } from './parsers';

export type AgentKind = 'claude' | 'command';

/** How one kind of agent CLI is started and read. */
export interface RunnerSpec {
  args(prompt: string, extraArgs: readonly string[], sessionId: string | undefined): string[];
  parseLine: LineParser;
  /** Environment variables the CLI needs, beyond the basic ones every process gets. */
  env: readonly string[];
}

export const runners: Record<AgentKind, RunnerSpec> = {
  claude: {
    // stream-json needs --verbose (see shared/PROTOCOLS.md)
    args: (prompt, extraArgs, sessionId) => [
      '-p',
      prompt,
      '--output-format',
      'stream-json',
      '--verbose',
      ...(sessionId === undefined ? [] : ['--resume', sessionId]),
      ...extraArgs,
    ],
    parseLine: parseClaudeLine,
    env: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_MODEL', 'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC', 'CLAUDE_CONFIG_DIR'],
  },
  command: {
    args: (prompt, extraArgs) => [...extraArgs, prompt],
    parseLine: parsePlainLine,
    env: [],
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
  const env: NodeJS.ProcessEnv = {};
  for (const name of [...BASE_ENV, ...spec.env, ...passthrough]) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}
