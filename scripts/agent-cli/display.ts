import { formatDuration } from '../../contracts/format';

/** A writable the CLI shows progress on (stderr), with what it knows of the terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** What the progress line says at one moment. */
export interface ProgressState {
  stage: string;
  elapsedMs: number;
  lastLine?: string;
}

/**
 * The progress of a followed task. On a terminal: one line redrawn in place (stage, elapsed time, the
 * agent's last line, cut to the terminal's width). Elsewhere (a pipe, a CI log): a plain line each time
 * the stage or the last line changes, never one per poll, so logs stay short.
 */
export class ProgressDisplay {
  private lastPlain: string | undefined;
  private drawn = false;

  constructor(private readonly out: ProgressStream) {}

  update(state: ProgressState): void {
    const last = state.lastLine === undefined ? '' : ` · ${oneLine(state.lastLine)}`;
    if (this.out.isTTY === true) {
      const line = `⏳ ${state.stage} · ${formatDuration(state.elapsedMs)}${last}`;
      const width = Math.max(20, (this.out.columns ?? 80) - 1);
      this.out.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      this.drawn = true;
      return;
    }
    const key = `${state.stage}${last}`;
    if (key === this.lastPlain) return;
    this.lastPlain = key;
    this.out.write(`[${formatDuration(state.elapsedMs)}] ${state.stage}${last}\n`);
  }

  /** A message between progress updates (a plan to approve): the progress line is cleared first. */
  note(text: string): void {
    this.clear();
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Removes the redrawn line, so what follows starts on a clean line. */
  clear(): void {
    if (!this.drawn) return;
    this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** One record of a task's stream.jsonl, as `agent logs` prints it for people. */
export function formatLogRecord(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const text = (name: string): string => (typeof record[name] === 'string' ? (record[name]) : '');
  switch (record['event_type']) {
    case 'cli_output':
      return text('line');
    case 'progress':
      return `[${text('stage')}] ${text('message')}`;
    case 'completion':
      return `[${record['success'] === true ? 'done' : 'failed'}] ${text('result').split('\n')[0] ?? ''}`;
    default: {
      const rest = { ...record };
      for (const key of ['ts', 'task_id', 'event_type']) delete rest[key];
      return `[${text('event_type') || 'event'}] ${JSON.stringify(rest)}`;
    }
  }
}
