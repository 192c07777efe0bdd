import ms from 'ms';
import type { CommandMode } from '../../config/schema';
import type { Command } from '../../contracts/task';

export interface CommandPolicy {
  mention: string;
  /** Command name → `run` at once or `approve` (plan, then a person's approval). */
  commands: Readonly<Record<string, CommandMode>>;
  /** A request whose first word is no command runs as this one; unset: it gets the help text. */
  defaultCommand: string | undefined;
}

/** The parts of a Command that the comment's words decide. */
export type ParsedThreadCommand = Pick<Command, 'action' | 'commandName' | 'needsApproval' | 'runAt' | 'reason' | 'helpText'> & { request: string };

const MAX_DEFER_MS = 90 * 24 * 3600 * 1000;

/**
 * Reads what an `@agent ...` request asks: a built-in (`status`, `cancel [all]`, `retry`, `approve`,
 * `reject <reason>`, `in <duration> <request>`, `help`), a configured command, or an unknown word.
 */
export function parseThreadCommand(text: string, policy: CommandPolicy, now: Date): ParsedThreadCommand {
  const [first = '', ...rest] = text.trim().split(/\s+/);
  const word = first.toLowerCase().replace(/[.,:;!?]+$/, '');
  const after = text.trim().slice(first.length).trim();
  switch (word) {
    case 'status':
      return { action: 'status', request: text };
    case 'cancel':
      return { action: rest[0]?.toLowerCase() === 'all' ? 'cancel_all' : 'cancel', request: text };
    case 'retry':
      return { action: 'retry', request: text };
    case 'approve':
      return { action: 'approve', request: text };
    case 'reject':
      return { action: 'reject', request: text, ...(after === '' ? {} : { reason: after }) };
    case 'help':
      return { action: 'help', request: text, helpText: helpText(policy) };
    case 'in':
      return parseDeferred(after, policy, now);
    default:
      return parseRun(text, word, policy);
  }
}

function parseRun(text: string, word: string, policy: CommandPolicy): ParsedThreadCommand {
  const mode = policy.commands[word];
  if (mode !== undefined) return { action: 'run', request: text, commandName: word, needsApproval: mode === 'approve' };
  const fallback = policy.defaultCommand === undefined ? undefined : policy.commands[policy.defaultCommand];
  if (policy.defaultCommand !== undefined) {
    return { action: 'run', request: text, commandName: policy.defaultCommand, needsApproval: fallback === 'approve' };
  }
  return { action: 'unknown', request: text, helpText: `I don't know the command \`${word}\`.\n\n${helpText(policy)}` };
}

function parseDeferred(after: string, policy: CommandPolicy, now: Date): ParsedThreadCommand {
  const [spec = '', ...rest] = after.split(/\s+/);
  const delayMs = parseDelay(spec);
  const request = after.slice(spec.length).trim();
  if (delayMs === undefined || delayMs > MAX_DEFER_MS || request === '') {
    return { action: 'unknown', request: after, helpText: `Write \`${policy.mention} in <duration> <request>\`, e.g. \`${policy.mention} in 2h review this again\` (up to 90 days).\n\n${helpText(policy)}` };
  }
  const inner = parseRun(request, (rest[0] ?? '').toLowerCase().replace(/[.,:;!?]+$/, ''), policy);
  if (inner.action !== 'run') return inner;
  return { ...inner, action: 'defer', runAt: new Date(now.getTime() + delayMs).toISOString() };
}

/** `90s`, `30m`, `2h`, `1d`, `1w`, or combined like `1h30m`. */
function parseDelay(spec: string): number | undefined {
  const parts = spec.toLowerCase().match(/\d+(?:\.\d+)?(?:s|m|h|d|w)/g);
  if (parts === null || parts.join('') !== spec.toLowerCase()) return undefined;
  const total = parts.reduce((sum, part) => sum + (ms(part as ms.StringValue) ?? Number.NaN), 0);
  return Number.isFinite(total) && total >= 1000 ? total : undefined;
}

export function helpText(policy: CommandPolicy): string {
  const named = Object.entries(policy.commands)
    .map(([name, mode]) => `\`${name}\`${mode === 'approve' ? ' (plan first, runs after approval)' : ''}`)
    .join(', ');
  const m = policy.mention;
  return [
    `**Commands:** \`${m} <command> <request>\` with ${named}.`,
    `\`${m} status\` · \`${m} cancel\` / \`${m} cancel all\` · \`${m} retry\` · \`${m} in <duration> <request>\` · \`${m} approve\` · \`${m} reject <reason>\` · \`${m} help\``,
  ].join('\n');
}
