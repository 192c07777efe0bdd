import { formatDuration } from '../../contracts/format';
import type { TaskHeader, TaskView } from '../../contracts/presence';
import type { MessageBody } from './client';
import type { TaskOutcome } from '../../contracts/task';
import { OUTCOME_HEADLINES, oneLine, usageParts } from '../task-wording';

/** Discord refuses a message's `content` over 2,000 characters (https://docs.discord.com/developers/resources/message#create-message). */
export const CONTENT_LIMIT = 2_000;
/** A component's `custom_id` may have at most 100 characters (https://docs.discord.com/developers/components/reference#button). */
export const CUSTOM_ID_LIMIT = 100;

export type DiscordAction = 'approve' | 'reject' | 'cancel';
const ACTIONS: readonly DiscordAction[] = ['approve', 'reject', 'cancel'];

/** Button styles (https://docs.discord.com/developers/components/reference#button-button-styles). */
const Style = { primary: 1, success: 3, danger: 4 } as const;

/**
 * `agent-bot:<action>:<conversation id>:<task id>`: what a button does and to which task. The whole task
 * workflow id (`discord:<guild>/<channel>/<conversation>/task/<task id>`) would pass the 100-character
 * limit, so the button carries only the parts the click does not: the guild and the channel come from
 * the click itself, which also keeps a button from acting outside its own channel.
 */
export function customId(action: DiscordAction, conversationId: string, taskId: string): string {
  return `agent-bot:${action}:${conversationId}:${taskId}`;
}

/** The parts of one of agent-bot's `custom_id`s, or undefined for anything else. */
export function parseCustomId(id: string): { action: DiscordAction; conversationId: string; taskId: string } | undefined {
  const match = /^agent-bot:([a-z]+):(\d{15,21}):([A-Za-z0-9-]{1,80})$/.exec(id);
  if (match === null || !ACTIONS.includes(match[1] as DiscordAction)) return undefined;
  return { action: match[1] as DiscordAction, conversationId: match[2]!, taskId: match[3]! };
}

/** `✅ **Done**`: on Discord the word is bold, the emoji beside it. */
function headline(outcome: TaskOutcome): string {
  return OUTCOME_HEADLINES[outcome].replace(/ (.+)$/, ' **$1**');
}

/** Every message agent-bot writes: no pings from what an agent printed, no link previews. */
const QUIET = { allowed_mentions: { parse: [] as string[] } };

/**
 * The task's message for any phase of the neutral view, as Discord Markdown (which reads the agents'
 * Markdown as it is) within 2,000 characters: progress with a Cancel button, the plan with Approve and
 * Reject, the final answer without buttons. A body too long is cut on a line end, a cut code block closed,
 * and a note says where the whole text is.
 */
export function renderDiscordTask(header: TaskHeader, conversationId: string, view: TaskView): MessageBody {
  const asked = `@${header.requester} asked: *${escapeMarkdown(oneLine(header.request, 150))}*`;
  const footer = (parts: string[]): string => `-# ${[...parts, `[run in Temporal UI](<${header.runUrl}>)`, `task \`${header.taskId}\``].join(' · ')}`;
  const button = (label: string, action: DiscordAction, style: number) => ({ type: 2, style, label, custom_id: customId(action, conversationId, header.taskId) });
  const row = (buttons: ReturnType<typeof button>[]) => {
    const fitting = buttons.filter((b) => b.custom_id.length <= CUSTOM_ID_LIMIT);
    return fitting.length === 0 ? [] : [{ type: 1, components: fitting }];
  };
  switch (view.phase) {
    case 'working': {
      const parts = [`stage: **${escapeMarkdown(oneLine(view.stage, 120))}**`, `${formatDuration(view.elapsedMs)} so far`];
      if (view.costUsd !== undefined) parts.push(`cost so far $${view.costUsd.toFixed(4)}`);
      const lines = [`⏳ **Working** · ${asked}`, parts.join(' · ')];
      if (view.lastLine !== undefined) lines.push(`\`\`\`\n${view.lastLine.replace(/```/g, "'''").slice(0, 300)}\n\`\`\``);
      lines.push(footer([]));
      return { content: lines.join('\n'), components: row([button('Cancel', 'cancel', Style.danger)]), ...QUIET };
    }
    case 'plan': {
      const head = `📋 **Plan awaiting approval** · ${asked}`;
      const tail = [`-# Approve or reject with the buttons, or \`/agent request:approve\` / \`/agent request:reject <reason>\` in the task's thread. Without an answer by ${view.deadline} the task expires.`, footer([])];
      const content = withBody(head, view.plan.trim() === '' ? '*(the agent wrote no plan)*' : view.plan, tail, '-# *… plan cut to fit a Discord message; the whole plan is in the run.*');
      return { content, components: row([button('Approve', 'approve', Style.success), button('Reject', 'reject', Style.danger)]), ...QUIET };
    }
    case 'final': {
      const head = `${headline(view.outcome)} · ${asked}`;
      const tail: string[] = [];
      if (view.decision !== undefined) tail.push(`-# *${view.decision.decision === 'approve' ? 'Approved' : 'Rejected'} by @${view.decision.by} via ${view.decision.via}.*`);
      if (view.note !== undefined) tail.push(`-# ${oneLine(view.note, 400)}`);
      tail.push(footer(usageParts(view.durationMs, view.usage)));
      const where = view.answerPath === undefined ? 'in the run' : `in the run and on the agent-bot server (\`${view.answerPath}\`)`;
      const cutNote = `-# *… answer cut to fit a Discord message (${CONTENT_LIMIT.toLocaleString('en-US')} characters); the whole answer is ${where}.*`;
      const body = view.text.trim() === '' ? '*(the agent printed nothing)*' : view.text;
      const content = withBody(head, body, tail, cutNote, view.truncated === true);
      return { content, components: [], ...QUIET };
    }
  }
}

/** A reply (status, help, refusals, reminders) within one message, cut with a note when longer. */
export function renderDiscordReply(markdown: string): MessageBody {
  return { content: withBody(undefined, markdown, [], '-# *… cut to fit a Discord message.*'), components: [], ...QUIET };
}

/**
 * The interaction's response once the task goes on in the thread on it (its token expired): its first line
 * and a pointer, without buttons, so nobody clicks a button of a stale message.
 */
export function renderMovedOriginal(previous: MessageBody): MessageBody {
  const first = (previous.content ?? '').split('\n')[0] ?? '';
  return { content: `${first}\n-# Continued in the thread on this message ↓`.slice(0, CONTENT_LIMIT), components: [], ...QUIET };
}

/**
 * `head`, then as much of `body` as fits, then `tail`: the body is cut on a line end (a code block cut in
 * two is closed) and `cutNote` added when it does not fit whole, or when `alreadyCut` says it was cut before.
 */
function withBody(head: string | undefined, body: string, tail: string[], cutNote: string, alreadyCut = false): string {
  const join = (middle: string, note: boolean): string => [...(head === undefined ? [] : [head]), middle, ...(note ? [cutNote] : []), ...tail].join('\n');
  const whole = join(body, alreadyCut);
  if (whole.length <= CONTENT_LIMIT) return whole;
  const room = CONTENT_LIMIT - join('', true).length - 5; // 5: a newline and a closing fence
  let cut = body.slice(0, Math.max(0, room));
  const lineEnd = cut.lastIndexOf('\n');
  if (lineEnd > room / 2) cut = cut.slice(0, lineEnd);
  const fences = (cut.match(/^\s*```/gm) ?? []).length;
  if (fences % 2 === 1) cut = `${cut}\n\`\`\``;
  return join(cut, true).slice(0, CONTENT_LIMIT);
}

/** Text shown inside our own formatting: its `*`, `_`, `~`, `` ` ``, `|` and `\` are literal. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_~`|])/g, '\\$1');
}

