import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { textResult } from '../tool-results';
import { logged, ownThread, threadArgument, type ThreadToolBinding } from './binding';

const input = {
  text: z.string().trim().min(1).max(20_000).describe("The message, in Markdown, at most 20,000 characters. Mention someone (e.g. `@octocat`) to notify them of a question."),
  thread: threadArgument,
};

/**
 * `post-thread-message` (a write): an interim message or a question on the task's thread, posted as an
 * agent-bot reply (marked, so it is never read as a command) at urgent priority of the provider's write
 * budget. The final answer is still posted by agent-bot when the run ends.
 */
export function registerPostThreadMessageTool(server: McpServer, binding: ThreadToolBinding): void {
  server.registerTool(
    'post-thread-message',
    {
      title: 'Post a message on the thread',
      description: "Posts a message on this task's thread now: an interim finding, or a question for the people there. Your final answer is posted for you when you finish: do not post it with this tool.",
      inputSchema: input,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    logged(binding, 'post-thread-message', async (args: { text: string; thread?: string | undefined }) => {
      const thread = ownThread(binding, args.thread);
      await binding.transport.reply(thread, args.text);
      return textResult(`Posted on ${thread.label}.`);
    }),
  );
}
