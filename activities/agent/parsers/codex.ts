import { z } from 'zod';
import type { AgentEvent, LineParser } from '../events';
import { jsonLineParser } from './json-line';

const item = z
  .object({
    id: z.string().optional(),
    type: z.string(),
    text: z.string().optional(),
    command: z.string().optional(),
    aggregated_output: z.string().optional(),
    exit_code: z.number().nullable().optional(),
    status: z.string().optional(),
    message: z.string().optional(),
  })
  .passthrough();

const codexLine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.object({ type: z.literal('item.started'), item }),
  z.object({ type: z.literal('item.updated'), item }),
  z.object({ type: z.literal('item.completed'), item }),
  z.object({
    type: z.literal('turn.completed'),
    usage: z
      .object({ input_tokens: z.number().optional(), cached_input_tokens: z.number().optional(), output_tokens: z.number().optional() })
      .passthrough()
      .optional(),
  }),
  z.object({ type: z.literal('turn.failed'), error: z.object({ message: z.string() }).passthrough().optional() }),
  z.object({ type: z.literal('error'), message: z.string().optional() }),
]);

/** `codex exec --json`: thread, turn and item events, one per line. */
export const parseCodexLine: LineParser = jsonLineParser(codexLine, (event) => {
  switch (event.type) {
    case 'thread.started':
      return [{ kind: 'session', sessionId: event.thread_id }];
    case 'item.started':
      return event.item.type === 'command_execution'
        ? [{ kind: 'tool_call', name: 'shell', input: { command: event.item.command }, ...(event.item.id ? { id: event.item.id } : {}) }]
        : [];
    case 'item.updated':
      return [];
    case 'item.completed':
      return completedItem(event.item);
    case 'turn.completed':
      // codex reports the thread's running total, not this turn's: see ResultCollector.
      return [
        {
          kind: 'usage',
          sessionTotal: true,
          usage: {
            turns: 1,
            ...(event.usage?.input_tokens === undefined ? {} : { inputTokens: event.usage.input_tokens }),
            ...(event.usage?.output_tokens === undefined ? {} : { outputTokens: event.usage.output_tokens }),
          },
        },
      ];
    case 'turn.failed':
      return [{ kind: 'error', message: event.error?.message ?? 'the turn failed' }];
    case 'error':
      return [{ kind: 'error', message: event.message ?? 'error' }];
  }
});

function completedItem(completed: z.infer<typeof item>): AgentEvent[] {
  const id = completed.id === undefined ? {} : { id: completed.id };
  switch (completed.type) {
    case 'agent_message':
      return completed.text === undefined ? [] : [{ kind: 'text', text: completed.text }];
    case 'command_execution':
      return [
        {
          kind: 'tool_result',
          output: completed.aggregated_output ?? '',
          isError: completed.status === 'failed' || (completed.exit_code ?? 0) !== 0,
          ...id,
        },
      ];
    case 'error':
      // Error items are warnings (e.g. unknown model metadata); a failed turn says so with turn.failed.
      return [{ kind: 'output', line: `warning: ${completed.message ?? 'error'}`, stream: 'stderr' }];
    default:
      return [{ kind: 'unknown', raw: completed }];
  }
}
