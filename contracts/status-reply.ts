import type { TargetStatus } from './status';
import { formatDuration } from './format';

/** `@agent status`: the status query's answer as a comment. */
export function renderStatusReply(status: TargetStatus): string {
  const lines = [`**agent-bot status** for ${status.target}`, ''];
  if (status.current === undefined) lines.push('- Running: nothing');
  else {
    const progress = status.current.progress;
    lines.push(
      `- Running: \`${status.current.taskId}\` _${status.current.request}_ by @${status.current.requester} — ${status.current.stage}` +
        (progress === undefined ? '' : ` (${progress.lineCount} lines${progress.costUsd === undefined ? '' : `, $${progress.costUsd.toFixed(4)} so far`})`),
    );
  }
  lines.push(`- Queued: ${status.queued.length === 0 ? 'none' : status.queued.map((task) => `_${task.request}_`).join(', ')}`);
  if (status.deferred.length > 0) {
    lines.push(`- Deferred: ${status.deferred.map((task) => `_${task.request}_ at ${task.runAt}`).join(', ')}`);
  }
  const recent = status.past.slice(-5).reverse();
  if (recent.length > 0) {
    lines.push('- Recent:');
    for (const task of recent) {
      const cost = task.usage.costUsd === undefined ? '' : `, $${task.usage.costUsd.toFixed(4)}`;
      lines.push(`  - _${task.request}_: ${task.outcome} in ${formatDuration(task.durationMs)}${cost}`);
    }
  }
  lines.push(`- Totals: ${status.totals.tasks} tasks, $${status.totals.costUsd.toFixed(4)}, ${status.totals.inputTokens} tokens in / ${status.totals.outputTokens} out`);
  return lines.join('\n');
}
