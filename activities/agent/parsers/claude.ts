import { z } from 'zod';
import type { AgentEvent, LineParser } from '../events';
import { jsonLineParser } from './json-line';

const contentBlock = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool_use'), id: z.string().optional(), name: z.string(), input: z.unknown() }),
  z.object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().optional(),
    content: z.unknown(),
    is_error: z.boolean().optional(),
  }),
  z.object({ type: z.string() }).passthrough(),
]);

const claudeLine = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('system'),
    subtype: z.string().optional(),
    session_id: z.string().optional(),
    model: z.string().optional(),
    tools: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('assistant'), message: z.object({ content: z.array(contentBlock) }) }),
  z.object({ type: z.literal('user'), message: z.object({ content: z.union([z.string(), z.array(contentBlock)]) }) }),
  z.object({
    type: z.literal('result'),
    subtype: z.string().optional(),
    is_error: z.boolean().optional(),
    result: z.string().optional(),
    session_id: z.string().optional(),
    num_turns: z.number().optional(),
    errors: z.array(z.string()).optional(),
    total_cost_usd: z.number().optional(),
    usage: z.object({ input_tokens: z.number().optional(), output_tokens: z.number().optional() }).passthrough().optional(),
  }),
]);

/** Claude Code `--output-format stream-json --verbose`: one JSON object per line. */
export const parseClaudeLine: LineParser = jsonLineParser(claudeLine, (message, json) => {
  switch (message.type) {
    case 'system':
      return message.subtype === 'init' && message.session_id !== undefined
        ? [{ kind: 'session', sessionId: message.session_id, ...(message.model ? { model: message.model } : {}), ...(message.tools ? { tools: message.tools } : {}) }]
        : [{ kind: 'unknown', raw: json }];
    case 'assistant':
    case 'user':
      return typeof message.message.content === 'string'
        ? []
        : message.message.content.flatMap((block) => blockEvents(block));
    case 'result':
      return [
        {
          kind: 'result',
          isError: message.is_error ?? message.subtype !== 'success',
          // On an error the reason is in `result` (API errors) or `errors` (limits); `subtype` may still say success.
          ...(message.result === undefined ? (message.errors?.length ? { text: message.errors.join('; ') } : {}) : { text: message.result }),
          ...(message.session_id === undefined ? {} : { sessionId: message.session_id }),
          ...(message.subtype === undefined ? {} : { subtype: message.subtype }),
          usage: {
            ...(message.total_cost_usd === undefined ? {} : { costUsd: message.total_cost_usd }),
            ...(message.num_turns === undefined ? {} : { turns: message.num_turns }),
            ...(message.usage?.input_tokens === undefined ? {} : { inputTokens: message.usage.input_tokens }),
            ...(message.usage?.output_tokens === undefined ? {} : { outputTokens: message.usage.output_tokens }),
          },
        },
      ];
  }
});

function blockEvents(block: z.infer<typeof contentBlock>): AgentEvent[] {
  if (block.type === 'text' && 'text' in block && typeof block.text === 'string') return [{ kind: 'text', text: block.text }];
  if (block.type === 'tool_use' && 'name' in block && typeof block.name === 'string') {
    const id = 'id' in block && typeof block.id === 'string' ? block.id : undefined;
    return [{ kind: 'tool_call', name: block.name, input: 'input' in block ? block.input : undefined, ...(id ? { id } : {}) }];
  }
  if (block.type === 'tool_result') {
    const id = 'tool_use_id' in block && typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
    const content = 'content' in block ? block.content : undefined;
    const isError = 'is_error' in block && block.is_error === true;
    return [{ kind: 'tool_result', output: toolResultText(content), isError, ...(id ? { id } : {}) }];
  }
  return [];
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : ''))
      .join('');
  }
  return content === undefined ? '' : JSON.stringify(content);
}
