import path from 'node:path';
import type { AgentRunnerConfig } from '../activities/agent/run-agent';
import type { Config } from '../config/load';

/** The agent runner's settings, from the process config: the runner itself never reads the environment. */
export function agentRunnerConfig(config: Config, sourceEnv: NodeJS.ProcessEnv): AgentRunnerConfig {
  return {
    kind: config.AGENT_KIND,
    command: config.AGENT_COMMAND,
    args: config.AGENT_ARGS,
    promptTemplate: config.AGENT_PROMPT_TEMPLATE,
    promptOnStdin: config.AGENT_PROMPT_VIA === 'stdin',
    timeoutMs: config.AGENT_TIMEOUT,
    idleTimeoutMs: config.AGENT_IDLE_TIMEOUT,
    killGraceMs: config.AGENT_KILL_GRACE,
    maxTurns: config.AGENT_MAX_TURNS,
    maxBudgetUsd: config.AGENT_MAX_BUDGET_USD,
    maxLogBytes: config.AGENT_MAX_LOG_BYTES,
    progressIntervalMs: config.AGENT_PROGRESS_INTERVAL,
    pricePerMTok: config.AGENT_PRICE_PER_MTOK,
    envPassthrough: config.AGENT_ENV_PASSTHROUGH,
    dataDir: config.AGENT_BOT_DATA_DIR,
    workspace: {
      dataDir: config.AGENT_BOT_DATA_DIR,
      clone: config.AGENT_CLONE,
      cloneUrlTemplate: config.GITHUB_CLONE_URL,
      gitToken: config.GITHUB_TOKEN,
      projects: config.AGENT_PROJECTS,
      projectRoots: config.AGENT_PROJECT_ROOTS.map((root) => path.resolve(root)),
      forbiddenPaths: config.AGENT_FORBIDDEN_PATHS,
    },
    sourceEnv,
    mcpServers: config.AGENT_MCP_SERVERS,
  };
}
