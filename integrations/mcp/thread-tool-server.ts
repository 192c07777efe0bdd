import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { version } from '../../package.json';
import { registerPostThreadMessageTool } from './thread-tools/post-thread-message';
import { registerReadPullRequestDiffTool } from './thread-tools/read-pull-request-diff';
import { registerReadStackTraceTool } from './thread-tools/read-stack-trace';
import { registerReadThreadTool } from './thread-tools/read-thread';
import { registerUpdateProgressNoteTool } from './thread-tools/update-progress-note';
import { THREAD_SERVER_NAME, type ThreadToolBinding } from './thread-tools/binding';

/**
 * The agent's thread tools for one run, as an MCP server (SDK 1.32): every tool is bound to the task's
 * thread and runs in the worker with the worker's provider clients. Connect it to any transport: the
 * worker's loopback endpoint (thread-endpoint.ts), or an in-memory pair in tests.
 */
export function createThreadToolServer(binding: ThreadToolBinding): McpServer {
  const server = new McpServer(
    { name: THREAD_SERVER_NAME, version },
    { instructions: `Tools for the thread of agent-bot task ${binding.taskId}: ${binding.thread.kind} ${binding.thread.label}. They act only on that thread.` },
  );
  registerReadThreadTool(server, binding);
  registerReadPullRequestDiffTool(server, binding);
  registerReadStackTraceTool(server, binding);
  registerPostThreadMessageTool(server, binding);
  registerUpdateProgressNoteTool(server, binding);
  return server;
}
