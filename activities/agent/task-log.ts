import fs from 'node:fs';
import path from 'node:path';
import type { AgentEvent } from './events';

/** `$AGENT_BOT_DATA_DIR/logs/tasks/<task_id>/stream.jsonl`: the full log of one task. */
export function taskLogPath(dataDir: string, taskId: string): string {
  return path.join(dataDir, 'logs', 'tasks', safeSegment(taskId), 'stream.jsonl');
}

export function safeSegment(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}

const MAX_FIELD_CHARS = 20_000;

/** Records are gathered up to this size (or the end of the current tick) and written in one call. */
const FLUSH_AT_CHARS = 64 * 1024;

/**
 * Appends one JSON event per line, as events happen (flushed at the end of every tick, so a reader
 * following the file sees each line at once). `event` returns false when the file is behind, so the
 * caller can pause the agent's output instead of buffering without bound.
 */
export class TaskLog {
  private readonly stream: fs.WriteStream;
  private bytes = 0;
  private capped = false;
  private pending = '';
  private flushScheduled = false;
  private lastMs = -1;
  private lastIso = '';
  private readonly prefix: string;

  /** @param maxBytes output records stop here (with one note); progress and completion always go in. */
  constructor(
    readonly file: string,
    private readonly taskId: string,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.stream = fs.createWriteStream(file, { flags: 'a' });
    this.prefix = `","task_id":${JSON.stringify(taskId)},`;
  }

  progress(stage: string, message: string): boolean {
    return this.record({ event_type: 'progress', stage, message });
  }

  event(event: AgentEvent): boolean {
    if (this.capped) return true;
    // Near the cap, count exactly: a character may take up to 3 bytes in UTF-8.
    if (this.bytes + this.pending.length * 3 >= this.maxBytes) this.flush();
    if (this.bytes >= this.maxBytes) {
      this.capped = true;
      return this.progress('log_capped', `the log reached AGENT_MAX_LOG_BYTES (${this.maxBytes} bytes); further output is not kept`);
    }
    if (event.kind === 'output') {
      // The hot path for a chatty agent: no intermediate object.
      const line = event.line.length > MAX_FIELD_CHARS ? cap(event.line) : event.line;
      return this.append(`{"ts":"${this.now()}${this.prefix}"event_type":"cli_output","stream":"${event.stream}","line":${JSON.stringify(line)}}\n`);
    }
    return this.record(toRecord(event));
  }

  /** Always written; its result text shares the byte budget, with 1,000 characters kept whatever it says. */
  completion(success: boolean, result: string, extra: Record<string, unknown> = {}): boolean {
    const room = Math.max(1_000, Math.min(MAX_FIELD_CHARS, this.maxBytes - this.bytes));
    return this.record({ event_type: 'completion', success, result: cap(result, room), ...extra });
  }

  /**
   * A call the agent made to one of agent-bot's own MCP tools (`mcp_call`), then its answer (`mcp_result`,
   * same `id`): written by the worker that served the call, so they are in the log whatever the CLI
   * prints. Always written, like progress.
   */
  mcpCall(call: { id: string; server: string; tool: string; input: unknown }): boolean {
    return this.record({ event_type: 'mcp_call', id: call.id, server: call.server, tool: call.tool, input: call.input });
  }

  /** @param result.durationMs how long the tool took, in ms. */
  mcpResult(result: { id: string; server: string; tool: string; isError: boolean; output: string; durationMs: number }): boolean {
    return this.record({ event_type: 'mcp_result', id: result.id, server: result.server, tool: result.tool, is_error: result.isError, output: cap(result.output), duration_ms: result.durationMs });
  }

  onDrain(listener: () => void): void {
    this.stream.once('drain', listener);
  }

  async close(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }

  private record(fields: Record<string, unknown>): boolean {
    return this.append(JSON.stringify({ ts: this.now(), task_id: this.taskId, ...fields }) + '\n');
  }

  private append(line: string): boolean {
    this.pending += line;
    if (this.pending.length >= FLUSH_AT_CHARS) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return !this.stream.writableNeedDrain;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending === '') return;
    this.bytes += Buffer.byteLength(this.pending);
    this.stream.write(this.pending);
    this.pending = '';
  }

  /** ISO time, computed once per millisecond: a busy agent prints many lines in one. */
  private now(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }
}

function toRecord(event: AgentEvent): Record<string, unknown> {
  switch (event.kind) {
    case 'session':
      return { event_type: 'session', session_id: event.sessionId, model: event.model, tools: event.tools };
    case 'text':
      return { event_type: 'assistant_text', text: cap(event.text) };
    case 'tool_call':
      return { event_type: 'tool_call', id: event.id, name: event.name, input: event.input };
    case 'tool_result':
      return { event_type: 'tool_result', id: event.id, output: cap(event.output), is_error: event.isError };
    case 'result':
      return { event_type: 'agent_result', is_error: event.isError, subtype: event.subtype, result: cap(event.text ?? ''), session_id: event.sessionId, usage: event.usage };
    case 'output':
      return { event_type: 'cli_output', stream: event.stream, line: cap(event.line) };
    case 'usage':
      return { event_type: 'usage', usage: event.usage };
    case 'error':
      return { event_type: 'agent_error', message: cap(event.message) };
    case 'unknown':
      return { event_type: 'unknown', raw: event.raw };
  }
}

function cap(text: string, limit = MAX_FIELD_CHARS): string {
  return text.length > limit ? `${text.slice(0, limit)}… [${text.length - limit} more chars]` : text;
}
