import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { version } from '../../package.json';
import { registerApproveTaskTool } from './operator-tools/approve-task';
import { registerCancelTaskTool } from './operator-tools/cancel-task';
import type { OperatorDeps } from './operator-tools/deps';
import { registerGetTaskTool } from './operator-tools/get-task';
import { registerListTasksTool } from './operator-tools/list-tasks';
import { registerRejectTaskTool } from './operator-tools/reject-task';
import { registerStartTaskTool } from './operator-tools/start-task';

export type { OperatorDeps };

/**
 * agent-bot for operators as an MCP server (SDK 1.32): the HTTP API's task operations as tools, for any
 * MCP client. Served over Streamable HTTP at the gateway's `/mcp` (bearer AGENT_BOT_API_TOKEN) and over
 * stdio by `npm run mcp`. A refusal (no such task, nothing waits) is an `isError` result naming why.
 */
export function createOperatorServer(deps: OperatorDeps): McpServer {
  const server = new McpServer(
    { name: 'agent-bot-operator', version },
    { instructions: "Operate agent-bot's coding-agent tasks: list them, read one's status and log, start one on a repository, approve or reject a waiting plan, cancel a run." },
  );
  registerListTasksTool(server, deps);
  registerGetTaskTool(server, deps);
  registerStartTaskTool(server, deps);
  registerApproveTaskTool(server, deps);
  registerRejectTaskTool(server, deps);
  registerCancelTaskTool(server, deps);
  return server;
}
