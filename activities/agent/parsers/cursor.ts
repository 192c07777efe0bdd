import { z } from 'zod';
import type { AgentEvent, LineParser } from '../events';
import { jsonLineParser } from './json-line';

const textContent = z.array(z.object({ type: z.string(), text: z.string().optional() }).passthrough());

const cursorLine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('system'), subtype: z.string().optional(), session_id: z.string().optional(), model: z.string().optional() }),
  z.object({ type: z.literal('user') }),
  z.object({ type: z.literal('assistant'), message: z.object({ content: textContent }) }),
  z.object({
    type: z.literal('tool_call'),
    subtype: z.string(),
    call_id: z.string().optional(),
    tool_call: z.record(z.string(), z.object({ args: z.unknown().optional(), result: z.unknown().optional() }).passthrough()),
  }),
  z.object({
    type: z.literal('result'),
    subtype: z.string().optional(),
    is_error: z.boolean().optional(),
    result: z.string().optional(),
    session_id: z.string().optional(),
  }),
]);

/**
 * cursor-agent `--print --output-format stream-json`, written from Cursor's output-format documentation
 * (no binary is available to record from): system/init, user, assistant (one line per message),
 * tool_call started/completed keyed by the tool's kind (`readToolCall`, `writeToolCall`, ...), result.
 */
export const parseCursorLine: LineParser = jsonLineParser(cursorLine, (event, json) => {
  switch (event.type) {
    case 'system':
      return event.subtype === 'init' && event.session_id !== undefined
        ? [{ kind: 'session', sessionId: event.session_id, ...(event.model ? { model: event.model } : {}) }]
        : [{ kind: 'unknown', raw: json }];
    case 'user':
      return [];
    case 'assistant': {
      const text = event.message.content.map((part) => part.text ?? '').join('');
      return text === '' ? [] : [{ kind: 'text', text }];
    }
    case 'tool_call':
      return toolCallEvents(event.subtype, event.call_id, event.tool_call);
    case 'result':
      return [
        {
          kind: 'result',
          isError: event.is_error ?? event.subtype !== 'success',
          ...(event.result === undefined ? {} : { text: event.result }),
          ...(event.session_id === undefined ? {} : { sessionId: event.session_id }),
          ...(event.subtype === undefined ? {} : { subtype: event.subtype }),
          usage: {},
        },
      ];
  }
});

function toolCallEvents(subtype: string, callId: string | undefined, toolCall: Record<string, { args?: unknown; result?: unknown }>): AgentEvent[] {
  const [key, call] = Object.entries(toolCall)[0] ?? [];
  if (key === undefined || call === undefined) return [];
  const name = key.replace(/ToolCall$/, '');
  const id = callId === undefined ? {} : { id: callId };
  if (subtype === 'started') return [{ kind: 'tool_call', name, input: call.args, ...id }];
  if (subtype !== 'completed') return [];
  const result = call.result as { success?: unknown; error?: unknown } | undefined;
  const isError = result?.error !== undefined || (result !== undefined && result.success === undefined);
  const payload = result?.success ?? result?.error ?? result;
  return [{ kind: 'tool_result', output: readableOutput(payload), isError, ...id }];
}

/** The text a person wants to see: the read content or the error message, else the JSON. */
function readableOutput(payload: unknown): string {
  if (typeof payload === 'string') return payload;
  if (typeof payload === 'object' && payload !== null) {
    const { content, errorMessage } = payload as { content?: unknown; errorMessage?: unknown };
    if (typeof content === 'string') return content;
    if (typeof errorMessage === 'string') return errorMessage;
  }
  return JSON.stringify(payload ?? null);
}
