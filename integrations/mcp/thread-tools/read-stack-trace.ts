import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StackTrace } from '../../thread-reader';
import { textResult } from '../tool-results';
import { logged, notAvailable, ownThread, threadArgument, type ThreadToolBinding } from './binding';

const input = { thread: threadArgument };

/** `read-stack-trace` (read-only): the latest event of the task's error issue (Sentry), innermost frame last. */
export function registerReadStackTraceTool(server: McpServer, binding: ThreadToolBinding): void {
  server.registerTool(
    'read-stack-trace',
    {
      title: 'Read the stack trace',
      description: "Reads the stack trace of the latest event of this task's error issue (Sentry): the exceptions and their frames, innermost frame last, application frames marked.",
      inputSchema: input,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    },
    logged(binding, 'read-stack-trace', async (args: { thread?: string | undefined }) => {
      const thread = ownThread(binding, args.thread);
      if (binding.reader?.readStackTrace === undefined) return notAvailable('read-stack-trace', thread, 'only error issues (Sentry) have stack traces');
      return textResult(renderStackTrace(await binding.reader.readStackTrace(thread)));
    }),
  );
}

/** Python-traceback-like text: one line per frame, innermost last, `[app]` on the application's frames. */
function renderStackTrace(trace: StackTrace): string {
  const lines = [`Event ${trace.eventId}${trace.occurredAt === undefined ? '' : ` at ${trace.occurredAt}`}`];
  for (const exception of trace.exceptions) {
    lines.push('', `${exception.type}${exception.value === undefined ? '' : `: ${exception.value}`}`);
    for (const frame of exception.frames) {
      const where = [frame.filename ?? frame.module ?? '?', frame.lineno, frame.colno].filter((part) => part !== undefined).join(':');
      lines.push(`  at ${frame.function ?? '<anonymous>'} (${where})${frame.inApp === true ? ' [app]' : ''}`);
      if (frame.contextLine !== undefined) lines.push(`      ${frame.contextLine.trim()}`);
    }
  }
  return lines.join('\n');
}
