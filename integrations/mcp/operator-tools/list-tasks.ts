import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AGENT_STATUS_VALUES } from '../../../contracts/search-attributes';
import { THREAD_PROVIDERS } from '../../../contracts/thread';
import { listTasks } from '../../../gateway/api/task-operations';
import { jsonResult } from '../tool-results';
import type { OperatorDeps } from './deps';

const input = {
  provider: z.enum(THREAD_PROVIDERS).optional().describe('Only tasks from this provider: `github`, `slack`, `jira`, `sentry`, `discord` or `api`.'),
  thread: z.string().min(1).max(200).optional().describe('Only tasks of this thread, by its key, e.g. `acme/widgets#42`.'),
  status: z.enum(AGENT_STATUS_VALUES).optional().describe('Only tasks in this state, e.g. `running` or `awaiting_approval`.'),
  limit: z.number().int().min(1).max(200).default(20).describe('Most tasks to return, newest first, 1 to 200. Default 20.'),
};

/** `list-tasks` (read-only): tasks from Temporal visibility, like `GET /api/tasks`. */
export function registerListTasksTool(server: McpServer, deps: OperatorDeps): void {
  server.registerTool(
    'list-tasks',
    {
      title: 'List tasks',
      description: "Lists agent-bot's tasks, newest first, optionally only one provider's, one thread's or those in one state (e.g. `awaiting_approval`).",
      inputSchema: input,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args) => jsonResult({ tasks: await listTasks(deps.client, { provider: args.provider, target: args.thread, status: args.status }, args.limit) }),
  );
}
