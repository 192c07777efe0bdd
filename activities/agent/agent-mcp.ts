import fs from 'node:fs';
import path from 'node:path';
import { RESERVED_MCP_SERVER, type McpServerSpec } from '../../config/mcp-servers';
import { claudeMcpConfig, threadServerSpec } from '../../integrations/mcp/agent-mcp-config';
import type { ThreadToolEndpoint } from '../../integrations/mcp/thread-endpoint';
import type { ThreadToolBinding } from '../../integrations/mcp/thread-tools/binding';
import type { ThreadReaders } from '../../integrations/thread-reader';
import { taskLogPath } from './task-log';

/** The worker's half of agent-bot's thread tools; absent when AGENT_MCP is false. */
export interface AgentMcpDeps {
  endpoint: ThreadToolEndpoint;
  readers: ThreadReaders;
}

/** The MCP servers of one run, as the runners pass them to the CLI (see runners.ts). */
export interface RunnerMcp {
  /** Claude Code's `--mcp-config` file (JSON, 0600): also named to `command` agents as AGENT_BOT_MCP_CONFIG. */
  configFile: string;
  servers: Readonly<Record<string, McpServerSpec>>;
  /** Permission rules that let the CLI call agent-bot's tools without asking (`mcp__agent-bot`). */
  allowedTools: readonly string[];
}

export interface RunMcp {
  /** Undefined when the run has no MCP server at all. */
  runner: RunnerMcp | undefined;
  /** Revokes the run's grant (waiting briefly for calls in flight) and removes its files. */
  close(): Promise<void>;
}

/**
 * The MCP servers of one agent run: the user's (AGENT_MCP_SERVERS) and, when the run has a thread and
 * AGENT_MCP is on, agent-bot's thread server, whose grant is minted now and revoked by `close`. The files
 * live next to the task's log, outside the workspace, 0600: `mcp.json` (the CLI's config) and
 * `mcp-grant.json` (the capability token the thread server reads). The agent runs as the same user and
 * could read them: the token is worth only this run's tools on its own thread, and only until the run ends.
 */
export async function openRunMcp(options: {
  dataDir: string;
  taskId: string;
  userServers: Readonly<Record<string, McpServerSpec>>;
  thread: { deps: AgentMcpDeps; binding: ThreadToolBinding } | undefined;
}): Promise<RunMcp> {
  const dir = path.dirname(taskLogPath(options.dataDir, options.taskId));
  const configFile = path.join(dir, 'mcp.json');
  const grantFile = path.join(dir, 'mcp-grant.json');
  const servers: Record<string, McpServerSpec> = { ...options.userServers };
  let revoke: (() => Promise<void>) | undefined;
  if (options.thread !== undefined) {
    const grant = await options.thread.deps.endpoint.grant(options.thread.binding);
    revoke = () => grant.revoke();
    writePrivate(grantFile, JSON.stringify({ url: grant.url, token: grant.token }));
    servers[RESERVED_MCP_SERVER] = threadServerSpec(grantFile);
  }
  const close = async (): Promise<void> => {
    await revoke?.();
    for (const file of [configFile, grantFile]) fs.rmSync(file, { force: true });
  };
  if (Object.keys(servers).length === 0) return { runner: undefined, close };
  writePrivate(configFile, JSON.stringify(claudeMcpConfig(servers), null, 2));
  return { runner: { configFile, servers, allowedTools: revoke === undefined ? [] : [`mcp__${RESERVED_MCP_SERVER}`] }, close };
}

/** A new file only its owner may read: an earlier attempt's copy is replaced, never reused with its mode. */
function writePrivate(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
}
