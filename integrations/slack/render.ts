import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import slackifyMarkdown from 'slackify-markdown';
import { formatDuration } from '../../contracts/format';
import type { TaskHeader, TaskView } from '../../contracts/presence';
import { OUTCOME_HEADLINES, oneLine, usageParts } from '../task-wording';

/** Slack refuses a section block's text over 3,000 characters (https://docs.slack.dev/reference/block-kit/blocks/section-block). */
export const SECTION_TEXT_LIMIT = 3_000;
/** How much of an answer a message shows (in section blocks); a longer one is cut and attached as a file. */
export const ANSWER_SHOWN_LIMIT = 12_000;
/** The `text` of a message with blocks is its notification and fallback: one short line is enough. */
const FALLBACK_LIMIT = 300;

/** Action ids of agent-bot's buttons; each button's `value` is the task's workflow id. */
export const SLACK_ACTIONS = { approve: 'agent_bot_approve', reject: 'agent_bot_reject', cancel: 'agent_bot_cancel' } as const;

/** Slack's `event_type` for the metadata that ties a message to its task (found again after a lost answer). */
export const TASK_METADATA_TYPE = 'agent_bot_task';

export type Block = KnownBlock;

/** A task's message in Slack's terms, and the full answer to attach when the message shows only part of it. */
export interface SlackTaskMessage {
  text: string;
  blocks: Block[];
  attachment?: { filename: string; content: string };
}

/** Markdown (what agents and agent-bot write) as Slack mrkdwn, by slackify-markdown. */
export function toMrkdwn(markdown: string): string {
  return slackifyMarkdown(markdown).trim();
}

/**
 * The beginning of a long Markdown text that a message can show, cut on a line end: the converter's
 * time grows faster than the text (seconds for 100 KB on one line), and only this part is shown anyway.
 * `cut` says whether anything was left out.
 */
export function showablePart(markdown: string, limit = ANSWER_SHOWN_LIMIT + 2_000): { text: string; cut: boolean } {
  if (markdown.length <= limit) return { text: markdown, cut: false };
  const lineEnd = markdown.lastIndexOf('\n', limit);
  return { text: markdown.slice(0, lineEnd > limit / 2 ? lineEnd : limit), cut: true };
}

/**
 * The task's message for any phase of the neutral view: progress with a Cancel button, the plan with
 * Approve and Reject buttons, the final answer with the outcome, cost and a link to the run. `fullAnswer`
 * is the whole answer when the view carries only its first part (see runAgent's MAX_RESULT_CHARS).
 */
export function renderSlackTask(header: TaskHeader, taskWorkflowId: string, view: TaskView, fullAnswer?: string): SlackTaskMessage {
  const asked = `${who(header.requester)} asked: _${oneLine(header.request, 150)}_`;
  const footer = (parts: string[]): Block => context([...parts, `<${header.runUrl}|run in Temporal UI>`, `task \`${header.taskId}\``].join(' · '));
  switch (view.phase) {
    case 'working': {
      const parts = [`stage: *${oneLine(view.stage, 120)}*`, `${formatDuration(view.elapsedMs)} so far`];
      if (view.costUsd !== undefined) parts.push(`cost so far $${view.costUsd.toFixed(4)}`);
      const blocks: Block[] = [section(`⏳ *Working* · ${asked}`), section(parts.join(' · '))];
      if (view.lastLine !== undefined) blocks.push(section(`\`\`\`${view.lastLine.replace(/```/g, "'''").slice(0, 300)}\`\`\``));
      blocks.push(footer([]), actions([button('Cancel', SLACK_ACTIONS.cancel, taskWorkflowId, 'danger')]));
      return { text: `⏳ Working on: ${oneLine(header.request, 200)}`, blocks };
    }
    case 'plan': {
      const part = showablePart(view.plan || '_(the agent wrote no plan)_');
      const { sections, cut } = answerSections(toMrkdwn(part.text));
      const blocks: Block[] = [section(`📋 *Plan awaiting approval* · ${asked}`), ...sections];
      if (cut || part.cut) blocks.push(context('_… plan cut to fit a Slack message; the full plan is in the run._'));
      blocks.push(
        context(`Approve or reject with the buttons, or reply \`${header.mention} approve\` / \`${header.mention} reject <reason>\`. Without an answer by ${view.deadline} the task expires.`),
        footer([]),
        actions([button('Approve', SLACK_ACTIONS.approve, taskWorkflowId, 'primary'), button('Reject', SLACK_ACTIONS.reject, taskWorkflowId, 'danger')]),
      );
      return { text: `📋 Plan awaiting approval: ${oneLine(header.request, 200)}`, blocks };
    }
    case 'final': {
      const answer = fullAnswer ?? view.text;
      const part = showablePart(answer.trim() === '' ? '_(the agent printed nothing)_' : answer);
      const { sections, cut } = answerSections(toMrkdwn(part.text));
      const blocks: Block[] = [section(`*${OUTCOME_HEADLINES[view.outcome]}* · ${asked}`), ...sections];
      const filename = `answer-${header.taskId}.md`;
      const attach = cut || part.cut || view.truncated === true;
      if (attach) blocks.push(context(`_… answer cut to fit a Slack message; the full answer is attached below as \`${filename}\`._`));
      if (view.decision !== undefined) blocks.push(context(`_${view.decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${who(view.decision.by)} via ${view.decision.via}._`));
      if (view.note !== undefined) blocks.push(context(toMrkdwn(view.note).slice(0, SECTION_TEXT_LIMIT)));
      blocks.push(footer(usageParts(view.durationMs, view.usage)));
      return {
        text: `${OUTCOME_HEADLINES[view.outcome]}: ${oneLine(header.request, 200)}`.slice(0, FALLBACK_LIMIT),
        blocks,
        ...(attach ? { attachment: { filename, content: answer } } : {}),
      };
    }
  }
}

/** Plain Markdown as one reply's blocks (status, help, refusals): mrkdwn sections, never over Slack's limits. */
export function renderSlackReply(markdown: string): { text: string; blocks: Block[] } {
  const part = showablePart(markdown);
  const { sections, cut } = answerSections(toMrkdwn(part.text));
  return { text: oneLine(markdown, FALLBACK_LIMIT), blocks: cut || part.cut ? [...sections, context('_… cut to fit a Slack message._')] : sections };
}

/**
 * mrkdwn in section blocks of at most 3,000 characters, up to ANSWER_SHOWN_LIMIT in all. Cuts fall on
 * line ends; a code block cut in two is closed and reopened, so no part renders broken.
 */
export function answerSections(mrkdwn: string): { sections: Block[]; cut: boolean } {
  const room = SECTION_TEXT_LIMIT - 8; // space to close and reopen a code fence
  const lines: string[] = [];
  for (const line of mrkdwn.split('\n')) {
    for (let start = 0; start < Math.max(1, line.length); start += room) lines.push(line.slice(start, start + room));
  }
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  let total = 0;
  let inFence = false;
  let cut = false;
  const close = (): void => {
    chunks.push([...current, ...(inFence ? ['```'] : [])].join('\n'));
    current = inFence ? ['```'] : [];
    size = current.length > 0 ? 4 : 0;
  };
  for (const line of lines) {
    if (total + line.length + 1 > ANSWER_SHOWN_LIMIT) {
      cut = true;
      break;
    }
    if (size + line.length + 1 > room && current.length > 0) close();
    current.push(line);
    size += line.length + 1;
    total += line.length + 1;
    if (/^\s*```/.test(line)) inFence = !inFence;
  }
  if (current.length > 0 && !(current.length === 1 && current[0] === '```')) chunks.push([...current, ...(inFence ? ['```'] : [])].join('\n'));
  return { sections: chunks.map(section), cut };
}

/** A person as Slack shows them: a user id becomes a mention (`<@U…>`), a name stays `@name`. */
function who(name: string): string {
  return /^[UW][A-Z0-9]{6,}$/.test(name) ? `<@${name}>` : `@${name}`;
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, SECTION_TEXT_LIMIT) } };
}

function context(text: string): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: text.slice(0, SECTION_TEXT_LIMIT) }] };
}

function actions(elements: Button[]): ActionsBlock {
  return { type: 'actions', elements };
}

function button(label: string, actionId: string, value: string, style: 'primary' | 'danger'): Button {
  return { type: 'button', text: { type: 'plain_text', text: label }, action_id: actionId, value: value.slice(0, 2_000), style };
}

