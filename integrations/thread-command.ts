import ms from 'ms';
import type { CommandMode } from '../config/schema';
import type { Command } from '../contracts/task';

export interface CommandPolicy {
  mention: string;
  /** Command name → `run` at once or `approve` (plan, then a person's approval). */
  commands: Readonly<Record<string, CommandMode>>;
  /**
   * A request whose first word is no command runs as this one (with its mode when it is a configured
   * command, else `run`); `undefined` is the strict list: such a request gets the help text.
   */
  defaultCommand: string | undefined;
  /** False where a thread's repository is fixed (a GitHub issue or PR): the help text leaves out how to name one. */
  namesRepository?: boolean;
}

/** The parts of a Command that the message's words decide. */
export type ParsedThreadCommand = Pick<Command, 'action' | 'commandName' | 'needsApproval' | 'runAt' | 'reason' | 'helpText' | 'repo'> & { request: string };

/** `owner/repo`, as GitHub allows the names. */
const REPOSITORY = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

const MAX_DEFER_MS = 90 * 24 * 3600 * 1000;

/**
 * Reads what an `@agent ...` request asks, the same on every provider: a control word (`status`,
 * `cancel [all]`, `retry`, `approve`, `reject <reason>`, `in <duration> <request>`, `help`), a
 * configured command, or any other text, which runs as the default command. `@agent` alone gets help.
 * `in owner/repo <request>` or a `repo:owner/repo` word anywhere names the repository to work on.
 */
export function parseThreadCommand(text: string, policy: CommandPolicy, now: Date): ParsedThreadCommand {
  const { rest: withoutRepo, repo } = takeRepoWord(text.trim());
  const parsed = parseWords(withoutRepo, policy, now);
  return repo === undefined ? parsed : { ...parsed, repo };
}

function parseWords(text: string, policy: CommandPolicy, now: Date): ParsedThreadCommand {
  if (text === '') return { action: 'help', request: text, helpText: helpText(policy) };
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
    case 'in': {
      const [next = ''] = after.split(/\s+/);
      if (REPOSITORY.test(next)) {
        const inner = parseWords(after.slice(next.length).trim(), policy, now);
        return inner.action === 'help' ? inner : { ...inner, repo: next };
      }
      // `in 2h …` defers; `in the cache code, …` is an ordinary request.
      if (/^\d/.test(next)) return parseDeferred(after, policy, now);
      return parseRun(text, word, policy);
    }
    default:
      return parseRun(text, word, policy);
  }
}

/** `repo:owner/repo` anywhere in the text: the repository, and the text without that word. */
function takeRepoWord(text: string): { rest: string; repo?: string } {
  const match = /(^|\s)repo:(\S+)(?=\s|$)/i.exec(text);
  if (match === null || !REPOSITORY.test(match[2] ?? '')) return { rest: text };
  const rest = (text.slice(0, match.index) + text.slice(match.index + match[0].length)).replace(/\s+/g, ' ').trim();
  return { rest, repo: match[2]! };
}

function parseRun(text: string, word: string, policy: CommandPolicy): ParsedThreadCommand {
  const mode = policy.commands[word];
  if (mode !== undefined) return { action: 'run', request: text, commandName: word, needsApproval: mode === 'approve' };
  if (policy.defaultCommand !== undefined) {
    const fallback = policy.commands[policy.defaultCommand];
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
  const plain = policy.defaultCommand === undefined ? '' : ` Any other request runs as \`${policy.defaultCommand}\`.`;
  return [
    `**Commands:** \`${m} <command> <request>\` with ${named}.${plain}`,
    ...(policy.namesRepository === false ? [] : [`Name the repository with \`${m} in owner/repo <request>\` or \`repo:owner/repo\` where the thread has none.`]),
    `\`${m} status\` · \`${m} cancel\` / \`${m} cancel all\` · \`${m} retry\` · \`${m} in <duration> <request>\` · \`${m} approve\` · \`${m} reject <reason>\` · \`${m} help\``,
  ].join('\n');
}
