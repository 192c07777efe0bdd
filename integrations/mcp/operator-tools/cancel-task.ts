import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { cancelTask } from '../../../gateway/api/task-operations';
import { jsonResult } from '../tool-results';
import { taskIdArgument, type OperatorDeps } from './deps';

/** `cancel-task` (destructive): like `POST /api/tasks/<id>/cancel`. */
export function registerCancelTaskTool(server: McpServer, deps: OperatorDeps): void {
  server.registerTool(
    'cancel-task',
    {
      title: 'Cancel a task',
      description: "Cancels a running task: its agent is stopped and its thread told. Refused when the task is not running.",
      inputSchema: { task_id: taskIdArgument },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      await cancelTask(deps.client, args.task_id);
      return jsonResult({ task_id: args.task_id, cancelling: true });
    },
  );
}
