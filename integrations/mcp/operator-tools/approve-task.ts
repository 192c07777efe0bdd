import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { decideTask } from '../../../gateway/api/task-operations';
import { jsonResult } from '../tool-results';
import { deciderArgument, taskIdArgument, type OperatorDeps } from './deps';

/** `approve-task` (a write): runs a waiting plan, like `POST /api/tasks/<id>/approve`. */
export function registerApproveTaskTool(server: McpServer, deps: OperatorDeps): void {
  server.registerTool(
    'approve-task',
    {
      title: 'Approve a task',
      description: "Approves a task whose plan waits for approval: the agent carries the plan out. Refused when nothing waits.",
      inputSchema: { task_id: taskIdArgument, by: deciderArgument, reason: z.string().max(2_000).optional().describe('Why, optional: recorded with the decision.') },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      const ack = await decideTask(deps.client, args.task_id, 'approve', { by: args.by, via: 'mcp', reason: args.reason });
      return jsonResult({ task_id: ack.taskId, decision: ack.decision, by: ack.by });
    },
  );
}
