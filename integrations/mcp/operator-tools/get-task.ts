import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { describeTask, readLogTail } from '../../../gateway/api/task-operations';
import { jsonResult } from '../tool-results';
import { taskIdArgument, type OperatorDeps } from './deps';

const input = {
  task_id: taskIdArgument,
  log_lines: z.number().int().min(0).max(200).default(20).describe("How many of the last events of the task's log (stream.jsonl) to include, 0 to 200. Default 20."),
};

/** `get-task` (read-only): a task's description, live status and the tail of its log, like `GET /api/tasks/<id>`. */
export function registerGetTaskTool(server: McpServer, deps: OperatorDeps): void {
  server.registerTool(
    'get-task',
    {
      title: 'Get a task',
      description: "Describes one task: where it runs, its live status (phase, stage, approval, progress, outcome) and the last events of its log.",
      inputSchema: input,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args) => jsonResult({ ...(await describeTask(deps.client, args.task_id)), log_tail: readLogTail(deps.dataDir, args.task_id, args.log_lines) }),
  );
}
