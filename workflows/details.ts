import type { CurrentTaskView, QueuedTaskView, TargetTotals } from '../contracts/status';
import type { AgentProgress } from '../contracts/task';

/** Markdown for the UI's "current details" of a running task. */
export function renderTaskDetails(stage: string, progress: AgentProgress | undefined): string {
  const lines = [`**Stage:** ${progress?.stage ?? stage}`];
  if (progress !== undefined) {
    lines.push(`**Output lines:** ${progress.lineCount}`);
    if (progress.costUsd !== undefined) lines.push(`**Cost so far:** $${progress.costUsd.toFixed(4)}`);
    lines.push(`**Updated:** ${progress.updatedAt}`);
    if (progress.lastLines.length > 0) lines.push('', '```', ...progress.lastLines.map(fence), '```');
  } else if (stage === 'running the agent' || stage === 'running the approved plan') {
    lines.push('', 'Live progress is on the pending `runAgent` activity below: _Scheduled_ while it waits for an agent slot, then its _Last Heartbeat_ shows the stage, output lines, cost so far and the last lines.');
  }
  return lines.join('\n');
}

/** Markdown for the UI's "current details" of a target workflow. */
export function renderTargetDetails(current: CurrentTaskView | undefined, queued: QueuedTaskView[], totals: TargetTotals): string {
  const lines = [
    current === undefined ? '**Idle**' : `**Running** \`${current.taskId}\`: ${current.request}`,
    `**Queued:** ${queued.length}`,
    `**Tasks so far:** ${totals.tasks} · $${totals.costUsd.toFixed(4)} · ${totals.inputTokens ?? 0} tokens in / ${totals.outputTokens ?? 0} out`,
  ];
  if (current !== undefined) lines.push('', renderTaskDetails('running', current.progress));
  return lines.join('\n');
}

function fence(line: string): string {
  return line.replace(/```/g, "'''");
}
