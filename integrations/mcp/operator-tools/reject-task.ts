import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { decideTask } from '../../../gateway/api/task-operations';
import { jsonResult } from '../tool-results';
import { deciderArgument, taskIdArgument, type OperatorDeps } from './deps';

/** `reject-task` (destructive: the task ends): like `POST /api/tasks/<id>/reject`. */
export function registerRejectTaskTool(server: McpServer, deps: OperatorDeps): void {
  server.registerTool(
    'reject-task',
    {
      title: 'Reject a task',
      description: "Rejects a task whose plan waits for approval: the task ends without running it, and its thread says so with the reason. Refused when nothing waits.",
      inputSchema: { task_id: taskIdArgument, by: deciderArgument, reason: z.string().max(2_000).optional().describe('Why, shown on the thread. Optional.') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      const ack = await decideTask(deps.client, args.task_id, 'reject', { by: args.by, via: 'mcp', reason: args.reason });
      return jsonResult({ task_id: ack.taskId, decision: ack.decision, by: ack.by });
    },
  );
}
