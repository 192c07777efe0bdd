import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { capText, jsonResult } from '../tool-results';
import { logged, notAvailable, ownThread, threadArgument, type ThreadToolBinding } from './binding';

/** Each message body is cut here: a thread of long logs must not fill the agent's context. */
const MAX_BODY_CHARS = 10_000;

const input = {
  thread: threadArgument,
  max_messages: z.number().int().min(0).max(100).default(30).describe('How many of the latest messages (comments) to return, 0 to 100; older ones are counted but left out. Default 30.'),
};

/**
 * `read-thread` (read-only): the task's thread as the provider has it now: title, description, state,
 * author and its latest messages (GitHub: the PR or issue and its comments), agent-bot's own messages
 * marked `from_agent_bot`.
 */
export function registerReadThreadTool(server: McpServer, binding: ThreadToolBinding): void {
  server.registerTool(
    'read-thread',
    {
      title: 'Read the thread',
      description: "Reads this task's thread as it is now: the pull request, issue or conversation with its title, description and latest messages (newest last). Use it to see what people said since the task started.",
      inputSchema: input,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    },
    logged(binding, 'read-thread', async (args: { thread?: string | undefined; max_messages: number }) => {
      const thread = ownThread(binding, args.thread);
      if (binding.reader === undefined) return notAvailable('read-thread', thread, 'agent-bot cannot read this provider yet');
      const content = await binding.reader.readThread(thread, { maxMessages: args.max_messages });
      return jsonResult({
        thread: thread.label,
        kind: thread.kind,
        ...(thread.url === undefined ? {} : { url: thread.url }),
        ...(binding.repo === undefined ? {} : { repository: binding.repo }),
        title: content.title,
        ...(content.state === undefined ? {} : { state: content.state }),
        ...(content.author === undefined ? {} : { author: content.author }),
        body: capText(content.body, MAX_BODY_CHARS),
        total_messages: content.totalMessages,
        messages: content.messages.map((message) => ({
          id: message.id,
          author: message.author,
          ...(message.fromAgentBot ? { from_agent_bot: true } : {}),
          created_at: message.createdAt,
          body: capText(message.body, MAX_BODY_CHARS),
        })),
      });
    }),
  );
}
