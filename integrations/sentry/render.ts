import { formatDuration } from '../../contracts/format';
import type { TaskHeader, TaskView } from '../../contracts/presence';
import { AGENT_BOT_SIGNATURE } from '../agent-bot-signature';
import type { SentryEvent, SentryFrame, SentryIssue } from './client';
import { fittedAnswer, OUTCOME_HEADLINES, oneLine, usageParts } from '../task-wording';

/**
 * The longest comment agent-bot posts on a Sentry issue, in characters. Sentry documents no limit for notes
 * (the serializer's `text` is an unbounded CharField), so this is our own cap, to keep the issue's activity
 * readable; the full answer stays on the agent-bot server and the cut names it.
 */
export const SENTRY_COMMENT_LIMIT = 30_000;

/** `_🤖 agent-bot · took 3s · [run in Temporal UI](…) · task `sn-c4242`_`: the signature and the task's marker. */
function footer(header: TaskHeader, parts: string[], runLabel: string): string {
  return `\n\n---\n_${[AGENT_BOT_SIGNATURE, ...parts, `[${runLabel}](${header.runUrl})`, `task \`${header.taskId}\``].join(' · ')}_`;
}

/**
 * The task's comment for any phase of the neutral view, in the Markdown Sentry renders: progress while it
 * works, the plan while it waits for approval, then the answer, cut to `limit` with a note naming where the
 * full answer is kept. The footer carries the signature and `task <id>`, the marker that finds it again.
 */
export function renderSentryTaskComment(header: TaskHeader, view: TaskView, limit = SENTRY_COMMENT_LIMIT): string {
  const asked = ` · ${header.requester} asked: _${oneLine(header.request, 200).replace(/_/g, '\\_')}_\n\n`;
  switch (view.phase) {
    case 'working': {
      const parts = [`stage: **${oneLine(view.stage, 100)}**`, `${formatDuration(view.elapsedMs)} so far`];
      if (view.costUsd !== undefined) parts.push(`cost so far $${view.costUsd.toFixed(4)}`);
      const last = view.lastLine === undefined || view.lastLine.trim() === '' ? '' : `\n\n\`\`\`\n${view.lastLine.replace(/```/g, "'''").slice(0, 300)}\n\`\`\``;
      return `**⏳ Working**${asked}${parts.join(' · ')}${last}${footer(header, [], 'follow the run in Temporal UI')}`;
    }
    case 'plan': {
      const hint = `\n\nReply \`${header.mention} approve\` or \`${header.mention} reject <reason>\`. Without an answer by ${view.deadline} the task expires.`;
      const start = `**📋 Plan awaiting approval**${asked}`;
      const end = `${hint}${footer(header, [], 'the run in Temporal UI')}`;
      const room = limit - start.length - end.length - 40;
      const plan = view.plan.trim() === '' ? '_(the agent wrote no plan)_' : view.plan.length > room ? `${view.plan.slice(0, room)}\n\n_… plan cut to fit._` : view.plan;
      return start + plan + end;
    }
    case 'final': {
      const start = `**${OUTCOME_HEADLINES[view.outcome]}**${asked}`;
      const decided = view.decision === undefined ? '' : `\n\n_${view.decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${view.decision.by} via ${view.decision.via}._`;
      const note = view.note === undefined ? '' : `\n\n> ${view.note}`;
      const end = `${decided}${note}${footer(header, usageParts(view.durationMs, view.usage), 'run in Temporal UI')}`;
      const logPath = view.answerPath ?? `logs/tasks/${header.taskId}/stream.jsonl`;
      const body = fittedAnswer({ text: view.text, room: limit - start.length - end.length, place: 'a Sentry comment', logPath, runUrl: header.runUrl, answerChars: view.answerChars, truncated: view.truncated });
      return start + body + end;
    }
  }
}

/** A reply (status, help, refusals, reminders), signed so it is never read as a command. */
export function renderSentryReply(text: string, limit = SENTRY_COMMENT_LIMIT): string {
  const end = `\n\n_${AGENT_BOT_SIGNATURE}_`;
  const body = text.length > limit - end.length ? `${text.slice(0, limit - end.length - 20)}\n\n_… cut._` : text;
  return body + end;
}

/** Most frames shown per exception (the innermost ones), and most characters of the whole note. */
const MAX_FRAMES = 40;
const MAX_NOTE = 12_000;

/**
 * What the prompt learns of a Sentry issue: its title, culprit and link, and the latest event's stack trace,
 * most recent call last as Sentry's UI shows it, with the source line of each frame when Sentry has it.
 */
export function stackTraceNote(issue: SentryIssue, event: SentryEvent | undefined, link: string | undefined): string {
  const lines = [`Sentry issue ${issue.shortId ?? issue.id}: ${issue.title}${issue.culprit ? ` (culprit: ${issue.culprit})` : ''}${link === undefined ? '' : `, ${link}`}.`];
  if (event === undefined) return lines.join('\n');
  const traces = event.exceptions.map((exception) => {
    const frames = exception.stacktrace?.frames ?? [];
    const shown = frames.slice(-MAX_FRAMES);
    const omitted = frames.length - shown.length;
    return [
      `${exception.type ?? 'Error'}${exception.value ? `: ${exception.value}` : ''}`,
      ...(omitted > 0 ? [`  … ${omitted} outer frames omitted`] : []),
      ...shown.flatMap(frameLines),
    ].join('\n');
  });
  if (traces.length === 0) {
    lines.push(`Its latest event (${event.eventId}) has no exception stack trace.`);
    return lines.join('\n');
  }
  const trace = traces.join('\n\nwhich led to:\n\n');
  const cut = trace.length > MAX_NOTE ? `${trace.slice(trace.length - MAX_NOTE)}` : trace;
  lines.push(`Stack trace of its latest event (${event.eventId}), most recent call last:`, '```', cut, '```');
  return lines.join('\n');
}

function frameLines(frame: SentryFrame): string[] {
  const file = frame.filename ?? frame.absPath ?? frame.module ?? '?';
  const position = [frame.lineNo, frame.colNo].filter((n) => n !== null && n !== undefined).join(':');
  const line = `  at ${frame.function ?? '?'} (${file}${position === '' ? '' : `:${position}`})${frame.inApp === true ? ' [in app]' : ''}`;
  const source = frame.context?.find(([number]) => number === frame.lineNo)?.[1];
  return source === undefined || source === null ? [line] : [line, `      ${frame.lineNo} | ${source.trimEnd()}`];
}
