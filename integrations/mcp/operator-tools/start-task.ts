import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { jsonResult } from '../tool-results';
import type { OperatorDeps } from './deps';

const input = {
  repo: z.string().min(3).max(200).describe('The repository to work on, `owner/repo`.'),
  request: z.string().trim().min(1).max(20_000).describe('What the agent should do, as you would write it after `@agent` on a thread, e.g. `review the error handling` (a `fix ...` request waits for approval).'),
  requester: z.string().trim().min(1).max(100).default('operator').describe('Who asks, for the record. Default `operator`.'),
};

/** `start-task` (a write): a new task on a repository, on a thread of its own. */
export function registerStartTaskTool(server: McpServer, deps: OperatorDeps): void {
  server.registerTool(
    'start-task',
    {
      title: 'Start a task',
      description: 'Starts a new agent task on a repository, outside any chat or issue thread. Answers the task id to follow with get-task.',
      inputSchema: input,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args) => {
      const started = await deps.startTask({ body: { repo: args.repo, request: args.request, requester: args.requester } });
      return jsonResult({ task_id: started.taskId, workflow_id: started.workflowId, thread: started.thread });
    },
  );
}
