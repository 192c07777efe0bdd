import { MAX_PROGRESS_LINES, type AgentProgress } from '../../contracts/task';
import type { AgentEvent } from './events';

const MAX_LINE_CHARS = 300;

/** Keeps the small live view of a run (stage, counters, last lines, cost) that heartbeats carry. */
export class ProgressTracker {
  lineCount = 0;
  /** Bumped on every change, so a notifier can skip sending the same view twice. */
  version = 0;
  private currentStage: string;
  private readonly lastLines: string[] = [];
  private costUsd: number | undefined;

  constructor(stage: string) {
    this.currentStage = stage;
  }

  stage(stage: string): void {
    this.currentStage = stage;
    this.version++;
  }

  add(event: AgentEvent): void {
    this.lineCount++;
    this.version++;
    const line = describe(event);
    if (event.kind === 'tool_call') this.currentStage = `tool: ${event.name}`;
    if (line === undefined) return;
    this.lastLines.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
    if (this.lastLines.length > MAX_PROGRESS_LINES) this.lastLines.shift();
  }

  /** Cost so far, as the result collector computes it (reported, summed, or priced from tokens). */
  setCost(costUsd: number | undefined): void {
    if (costUsd === undefined || costUsd === this.costUsd) return;
    this.costUsd = costUsd;
    this.version++;
  }

  snapshot(): AgentProgress {
    return {
      stage: this.currentStage,
      lineCount: this.lineCount,
      lastLines: [...this.lastLines],
      ...(this.costUsd === undefined ? {} : { costUsd: this.costUsd }),
      updatedAt: new Date().toISOString(),
    };
  }
}

function describe(event: AgentEvent): string | undefined {
  switch (event.kind) {
    case 'output':
      return event.line;
    case 'text':
      return event.text.split('\n')[0];
    case 'tool_call':
      return `→ ${event.name}`;
    case 'error':
      return `error: ${event.message}`;
    case 'tool_result':
      return `← ${event.isError ? 'error: ' : ''}${event.output.split('\n')[0] ?? ''}`;
    default:
      return undefined;
  }
}
