import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ThreadRef } from '../../../contracts/thread';
import type { ThreadReader } from '../../thread-reader';
import type { ThreadTransport } from '../../transport';
import { errorMessage, errorResult } from '../tool-results';

/** The server name the agent's CLI sees: Claude Code names its tools `mcp__agent-bot__<tool>`. */
export const THREAD_SERVER_NAME = 'agent-bot';

/** Where the calls of one run are recorded: the task's `stream.jsonl` (`TaskLog` has this shape). */
export interface McpCallLog {
  mcpCall(call: { id: string; server: string; tool: string; input: unknown }): unknown;
  mcpResult(result: { id: string; server: string; tool: string; isError: boolean; output: string; durationMs: number }): unknown;
}

/**
 * What the thread tools of one agent run may reach: the task's own thread (and the repository it works
 * on), through the worker's provider transport and reader, the ones the result poster uses. Nothing in
 * it reaches the agent's process: the tools run in the worker.
 */
export interface ThreadToolBinding {
  taskId: string;
  thread: ThreadRef;
  /** `owner/repo` the task works on (its `in owner/repo`, else the thread's own), if any. */
  repo?: string;
  transport: ThreadTransport;
  /** Absent when the provider has no reader yet: the read tools then say they are not available. */
  reader?: ThreadReader;
  /**
   * Shows the agent's note on the task's own progress message (see `ProgressPublisher.showNote`);
   * resolves false when it waits for the next edit. Absent when the run shows no message (v1 tasks).
   */
  showNote?: (note: string) => Promise<boolean>;
  calls?: McpCallLog;
}

/** The optional `thread` argument every thread tool takes: only the task's own thread is accepted. */
export const threadArgument = z
  .string()
  .max(300)
  .optional()
  .describe("The thread to use, as the prompt names it (e.g. `acme/widgets#42`). Optional: it defaults to this task's own thread, and any other thread is refused.");

/**
 * The task's thread, when `given` is absent or names it (by key, label, URL or workflow id).
 * @throws Error that refuses any other thread: the tools act only where the task was asked.
 */
export function ownThread(binding: ThreadToolBinding, given: string | undefined): ThreadRef {
  const { thread } = binding;
  if (given === undefined || given.trim() === '') return thread;
  const names = [thread.key, thread.label, thread.url, `${thread.provider}:${thread.key}`];
  if (names.includes(given.trim())) return thread;
  throw new Error(`refused: this task may only read and write its own thread, ${thread.label}; "${given}" is another thread`);
}

/** The `isError` answer of a tool the thread's provider cannot serve. */
export function notAvailable(tool: string, thread: ThreadRef, why?: string): CallToolResult {
  return errorResult(`${tool} is not available for ${thread.provider} threads${why === undefined ? '' : `: ${why}`}`);
}

/**
 * A tool handler that records the call and its answer in the task's log (`mcp_call` / `mcp_result`) and
 * turns anything thrown into an `isError` result with the thrown message (a classified provider failure
 * names what failed and what the provider said), so a failing call never fails the server.
 */
export function logged<A>(binding: ThreadToolBinding, tool: string, handler: (args: A) => Promise<CallToolResult>): (args: A) => Promise<CallToolResult> {
  return async (args) => {
    const id = randomUUID();
    const started = Date.now();
    binding.calls?.mcpCall({ id, server: THREAD_SERVER_NAME, tool, input: args });
    let result: CallToolResult;
    try {
      result = await handler(args);
    } catch (error) {
      result = errorResult(errorMessage(error));
    }
    const output = result.content.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join('\n');
    binding.calls?.mcpResult({ id, server: THREAD_SERVER_NAME, tool, isError: result.isError === true, output, durationMs: Date.now() - started });
    return result;
  };
}
