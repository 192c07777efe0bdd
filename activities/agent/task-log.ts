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

/**
 * Appends one JSON event per line, as events happen. `write` returns false when the file is behind,
 * so the caller can pause the agent's output instead of buffering without bound.
 */
export class TaskLog {
  private readonly stream: fs.WriteStream;
  private bytes = 0;
  private capped = false;

  /** @param maxBytes output records stop here (with one note); progress and completion always go in. */
  constructor(
    readonly file: string,
    private readonly taskId: string,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.stream = fs.createWriteStream(file, { flags: 'a' });
  }

  progress(stage: string, message: string): boolean {
    return this.record({ event_type: 'progress', stage, message });
  }

  event(event: AgentEvent): boolean {
    if (this.capped) return true;
    if (this.bytes >= this.maxBytes) {
      this.capped = true;
      return this.progress('log_capped', `the log reached AGENT_MAX_LOG_BYTES (${this.maxBytes} bytes); further output is not kept`);
    }
    return this.record(toRecord(event));
  }

  completion(success: boolean, result: string, extra: Record<string, unknown> = {}): boolean {
    return this.record({ event_type: 'completion', success, result: cap(result), ...extra });
  }

  onDrain(listener: () => void): void {
    this.stream.once('drain', listener);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }

  private record(fields: Record<string, unknown>): boolean {
    const line = JSON.stringify({ ts: new Date().toISOString(), task_id: this.taskId, ...fields }) + '\n';
    this.bytes += Buffer.byteLength(line);
    return this.stream.write(line);
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

function cap(text: string): string {
  return text.length > MAX_FIELD_CHARS ? `${text.slice(0, MAX_FIELD_CHARS)}… [${text.length - MAX_FIELD_CHARS} more chars]` : text;
}
