import { formatDuration } from '../../contracts/format';
import type { TaskHeader, TaskView } from '../../contracts/presence';
import type { AgentUsage, TaskOutcome } from '../../contracts/task';
import { fittedAnswer, OUTCOME_HEADLINES, oneLine, usageParts } from '../task-wording';

/** GitHub refuses comment bodies longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Hidden marker that ties a comment to its task: a retried post finds it instead of posting twice. */
export function taskMarker(taskId: string): string {
  return `<!-- agent-bot:task=${taskId} -->`;
}

/** Any comment agent-bot writes carries this prefix; the gateway never reads such a comment as a command. */
export const AGENT_BOT_MARKER_PREFIX = '<!-- agent-bot:';

export interface TaskCommentContent {
  taskId: string;
  outcome: TaskOutcome;
  request: string;
  requester: string;
  /** The agent's answer on success, the reason otherwise. */
  text: string;
  durationMs: number;
  usage: AgentUsage;
  runUrl: string;
  logPath: string;
  /** True when the agent's output was already cut before it reached us. */
  truncated?: boolean;
  /** Kept whole after the text, however long the text is (who approved, a note). */
  appendix?: string;
  /** Length of the whole answer (characters) when `text` is only its beginning. */
  answerChars?: number;
}

/** The final comment of a task, never longer than GitHub accepts. */
export function formatTaskComment(content: TaskCommentContent): string {
  const header = `${taskMarker(content.taskId)}\n**${OUTCOME_HEADLINES[content.outcome]}** · @${content.requester} asked: _${oneLine(content.request, 120)}_\n\n`;
  const appendix = content.appendix ?? '';
  const footer = `${appendix}\n\n---\n<sub>${footerParts(content).join(' · ')}</sub>`;
  const room = GITHUB_COMMENT_LIMIT - header.length - footer.length;
  const body = fittedAnswer({ text: content.text, room, place: 'a GitHub comment', logPath: content.logPath, runUrl: content.runUrl, answerChars: content.answerChars, truncated: content.truncated });
  return header + body + footer;
}

function footerParts(content: TaskCommentContent): string[] {
  const parts = usageParts(content.durationMs, content.usage);
  parts.push(`[run in Temporal UI](${content.runUrl})`);
  parts.push(`task \`${content.taskId}\``);
  return parts;
}

export { formatDuration };

export interface ProgressCommentContent {
  taskId: string;
  request: string;
  requester: string;
  stage: string;
  elapsedMs: number;
  lastLine?: string;
  costUsd?: number;
  /** The agent's own note on what it is doing. */
  note?: string;
  runUrl: string;
}

/** What marks a task comment as still in progress (and so still open to progress edits). */
export const PROGRESS_HEADLINE = '**⏳ Working**';

/** The task's comment while it runs; edited in place, then replaced by the final text. */
export function formatProgressComment(content: ProgressCommentContent): string {
  const parts = [`stage: **${oneLine(content.stage, 120)}**`, `${formatDuration(content.elapsedMs)} so far`];
  if (content.costUsd !== undefined) parts.push(`cost so far $${content.costUsd.toFixed(4)}`);
  const last = content.lastLine === undefined ? '' : `\n\n\`\`\`\n${content.lastLine.replace(/```/g, "'''").slice(0, 300)}\n\`\`\``;
  const note = content.note === undefined ? '' : `\n\n> 📝 ${oneLine(content.note, 500)}`;
  return (
    `${taskMarker(content.taskId)}\n${PROGRESS_HEADLINE} · @${content.requester} asked: _${oneLine(content.request, 120)}_\n\n` +
    `${parts.join(' · ')}${note}${last}\n\n---\n<sub>[follow the run in Temporal UI](${content.runUrl}) · task \`${content.taskId}\`</sub>`
  );
}

export interface PlanCommentContent {
  taskId: string;
  request: string;
  requester: string;
  plan: string;
  mention: string;
  deadline: string;
  runUrl: string;
  /** Whether the task has a check run whose Approve/Reject buttons may be offered (PRs with GITHUB_CHECK_RUNS). */
  checkRunButtons?: boolean;
}

/** The task's comment while its plan waits for approval. */
export function formatPlanComment(content: PlanCommentContent): string {
  const header = `${taskMarker(content.taskId)}\n**📋 Plan awaiting approval** · @${content.requester} asked: _${oneLine(content.request, 120)}_\n\n`;
  const footer =
    `\n\n---\nReply \`${content.mention} approve\` or \`${content.mention} reject <reason>\`${content.checkRunButtons === true ? " (or use the check run's buttons)" : ''}. ` +
    `Without an answer by ${content.deadline} the task expires.\n<sub>[the run in Temporal UI](${content.runUrl}) · task \`${content.taskId}\`</sub>`;
  const room = GITHUB_COMMENT_LIMIT - header.length - footer.length - 100;
  const plan = content.plan.length > room ? `${content.plan.slice(0, room)}\n\n_… plan cut to fit a comment._` : content.plan;
  return header + (plan.trim() === '' ? '_(the agent wrote no plan)_' : plan) + footer;
}

/** Replies agent-bot posts (status, help, refusals) carry this, so they are never read as commands. */
export function replyMarker(): string {
  return `${AGENT_BOT_MARKER_PREFIX}reply -->`;
}

/**
 * The task's comment for any phase of the neutral view: progress while it works, the plan while it waits
 * for approval, and the final answer (cut to GitHub's 65,536 characters with a note naming where the
 * full answer is kept).
 */
export function renderTaskComment(header: TaskHeader, view: TaskView, options: { checkRunButtons?: boolean } = {}): string {
  switch (view.phase) {
    case 'working':
      return formatProgressComment({
        ...header,
        stage: view.stage,
        elapsedMs: view.elapsedMs,
        ...(view.lastLine === undefined ? {} : { lastLine: view.lastLine }),
        ...(view.costUsd === undefined ? {} : { costUsd: view.costUsd }),
        ...(view.note === undefined ? {} : { note: view.note }),
      });
    case 'plan':
      return formatPlanComment({ ...header, plan: view.plan, deadline: view.deadline, checkRunButtons: options.checkRunButtons === true });
    case 'final': {
      const decided = view.decision === undefined ? '' : `\n\n_${view.decision.decision === 'approve' ? 'Approved' : 'Rejected'} by @${view.decision.by} via ${view.decision.via}._`;
      const note = view.note === undefined ? '' : `\n\n> ${view.note}`;
      return formatTaskComment({
        ...header,
        outcome: view.outcome,
        text: view.text,
        appendix: `${decided}${note}`,
        durationMs: view.durationMs,
        usage: view.usage,
        logPath: view.answerPath ?? `logs/tasks/${header.taskId}/stream.jsonl`,
        ...(view.truncated === undefined ? {} : { truncated: view.truncated }),
        ...(view.answerChars === undefined ? {} : { answerChars: view.answerChars }),
      });
    }
  }
}
