import { formatBytes, type JanitorResult } from '../contracts/janitor';
import { formatAge } from './janitor-plan';

const MAX_LINES = 50;

/** Markdown for the janitor's UI details: what went (or would go), what was closed, what stayed and why. */
export function renderJanitorReport(result: JanitorResult, stage = 'done'): string {
  const would = result.dryRun ? 'Would remove' : 'Removed';
  const lines = [
    `**Janitor**${result.dryRun ? ' (dry run: nothing deleted or closed)' : ''} · ${stage} · retention ${formatAge(result.retentionMs)} · idle close ${formatAge(result.idleCloseMs)}`,
    `**${would}:** ${result.removed.length} folders (${formatBytes(result.freedBytes)}${result.dryRun ? '' : ' freed'})`,
    `**${result.dryRun ? 'Would close' : 'Closed'} idle targets:** ${result.closedTargets.length}`,
    `**Kept:** ${result.kept.workspaces} workspaces, ${result.kept.logs} logs${keptReasons(result)}`,
  ];
  if (result.removed.length > 0) {
    lines.push('', `| ${would} | Size | Why |`, '| --- | --- | --- |');
    for (const item of result.removed.slice(0, MAX_LINES)) lines.push(`| \`${item.path}\` | ${formatBytes(item.bytes)} | ${item.reason} |`);
    if (result.removed.length > MAX_LINES) lines.push(`| … ${result.removed.length - MAX_LINES} more | | |`);
  }
  for (const target of result.closedTargets.slice(0, MAX_LINES)) lines.push(`- closed \`${target.workflowId}\`, idle ${formatAge(target.idleMs)}`);
  for (const item of result.skipped.slice(0, MAX_LINES)) lines.push(`- left \`${item.path}\`: ${item.reason}`);
  for (const problem of result.problems.slice(0, MAX_LINES)) lines.push(`- problem: ${problem}`);
  return lines.join('\n');
}

function keptReasons(result: JanitorResult): string {
  const reasons = Object.entries(result.kept.byReason).map(([reason, count]) => `${reason}: ${count}`);
  return reasons.length === 0 ? '' : ` (${reasons.join(', ')})`;
}
