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

/**
 * A Markdown answer fitted into `room` characters: whole when it fits (and was not already cut upstream),
 * else its beginning and a note saying how much is shown and where the full answer is kept. An empty
 * answer says the agent printed nothing.
 * @param answer.place what the message is, for the note: `a GitHub comment`, `a Sentry comment`
 * @param answer.answerChars the whole answer's length (characters), when `text` is only its beginning
 */
export function fittedAnswer(answer: { text: string; room: number; place: string; logPath: string; runUrl: string; answerChars?: number | undefined; truncated?: boolean | undefined }): string {
  const text = answer.text.trim() === '' ? '_(the agent printed nothing)_' : answer.text;
  if (text.length <= answer.room && answer.truncated !== true) return text;
  const cutNote = (shown: number): string =>
    `\n\n_… answer cut to fit ${answer.place} (${shown.toLocaleString('en-US')} of ${(answer.answerChars ?? text.length).toLocaleString('en-US')} characters shown). ` +
    `The full answer is \`${answer.logPath}\` on the agent-bot server; see also [the run](${answer.runUrl})._`;
  const shown = Math.max(0, Math.min(text.length, answer.room - cutNote(text.length).length));
  return text.slice(0, shown) + cutNote(shown);
}
