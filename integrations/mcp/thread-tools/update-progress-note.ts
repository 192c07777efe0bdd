import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { errorResult, textResult } from '../tool-results';
import { logged, type ThreadToolBinding } from './binding';

const input = {
  note: z.string().trim().min(1).max(500).describe('One short line on what you are doing now, e.g. "running the test suite", at most 500 characters. It replaces the previous note.'),
};

/**
 * `update-progress-note` (a write, idempotent): the agent's own line on the task's progress message,
 * which agent-bot edits in place while the task runs; the note stays on every later edit until replaced.
 */
export function registerUpdateProgressNoteTool(server: McpServer, binding: ThreadToolBinding): void {
  server.registerTool(
    'update-progress-note',
    {
      title: "Update the task's progress note",
      description: "Sets one short line on this task's progress message on the thread (the message agent-bot edits while you work), so people see what you are doing. Cheap: use it at each new step.",
      inputSchema: input,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    logged(binding, 'update-progress-note', async (args: { note: string }) => {
      if (binding.showNote === undefined) return errorResult(`task ${binding.taskId} has no progress message on ${binding.thread.label} to update`);
      const shown = await binding.showNote(args.note);
      return textResult(shown ? `The progress message on ${binding.thread.label} now shows your note.` : `Note saved: ${binding.thread.label} is busy, so it shows with the next progress edit.`);
    }),
  );
}
