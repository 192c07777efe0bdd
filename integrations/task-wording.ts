import { formatDuration } from '../contracts/format';
import type { AgentUsage, TaskOutcome } from '../contracts/task';

/** The words a task's final message opens with, the same on every provider. */
export const OUTCOME_HEADLINES: Readonly<Record<TaskOutcome, string>> = {
  succeeded: '✅ Done',
  failed: '❌ Failed',
  cancelled: '🛑 Cancelled',
  rejected: '🚫 Rejected',
  expired: '⌛ Expired',
};

/**
 * A finished task's footer facts: `took 1m 5s`, `cost $0.0123` (USD), `tokens 10 in / 5 out`, `3 turns`;
 * only what the agent reported. Each provider joins and formats them its own way.
 */
export function usageParts(durationMs: number, usage: AgentUsage): string[] {
  const parts = [`took ${formatDuration(durationMs)}`];
  if (usage.costUsd !== undefined) parts.push(`cost $${usage.costUsd.toFixed(4)}`);
  if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) parts.push(`tokens ${usage.inputTokens ?? 0} in / ${usage.outputTokens ?? 0} out`);
  if (usage.turns !== undefined) parts.push(`${usage.turns} turns`);
  return parts;
}

/** `text` on one line (whitespace runs become one space), cut to `max` characters with `…`. */
export function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
