import { markdownToAdf } from 'marklassian';
import { formatDuration } from '../../contracts/format';
import type { TaskHeader, TaskView } from '../../contracts/presence';
import { AGENT_BOT_SIGNATURE } from '../agent-bot-signature';
import type { AdfNode } from './webhook-schemas';
import { OUTCOME_HEADLINES, oneLine, usageParts } from '../task-wording';

/**
 * The most characters Jira Cloud keeps in a text field, comments included (JRACLOUD-68949: "The entered text
 * is too long. It exceeds the allowed limit of 32,767 characters."). Atlassian does not say how an ADF body is
 * counted, so the document's JSON is measured: the stricter reading.
 */
export const JIRA_COMMENT_LIMIT = 32_767;

/** An Atlassian Document Format document: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/ */
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

type Mark = NonNullable<AdfNode['marks']>[number];

/** ADF refuses empty text nodes: an empty string is no node at all. */
function text(value: string, ...marks: Mark[]): AdfNode[] {
  return value === '' ? [] : [{ type: 'text', text: value, ...(marks.length === 0 ? {} : { marks }) }];
}

function link(label: string, href: string): AdfNode[] {
  return text(label, { type: 'link', attrs: { href } });
}

function paragraph(...content: AdfNode[][]): AdfNode {
  return { type: 'paragraph', content: content.flat() };
}

function doc(content: AdfNode[]): AdfDocument {
  return { type: 'doc', version: 1, content };
}

/**
 * The agent's Markdown as ADF blocks (headings, lists, code blocks with their language, links, tables,
 * quotes) through marklassian; raw HTML is dropped. A line break is kept as one (a `hardBreak`), as GitHub
 * and Slack show comments: agents' plain output is lines, not paragraphs. Should the converter fail, the
 * text is kept as one code block rather than lost.
 */
export function markdownBlocks(markdown: string): AdfNode[] {
  if (markdown.trim() === '') return [];
  try {
    return markdownToAdf(keepLineBreaks(markdown)).content;
  } catch {
    return [{ type: 'codeBlock', content: text(markdown) }];
  }
}

/**
 * Ends each line that another line follows in the same block with two spaces (a Markdown hard break),
 * outside fenced code: marked, under marklassian, would otherwise join the lines with spaces.
 */
function keepLineBreaks(markdown: string): string {
  let fence: string | undefined;
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  return lines
    .map((line, index) => {
      const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence !== undefined) {
        if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener) fence = undefined;
        return line;
      }
      if (opener !== undefined) {
        fence = opener;
        return line;
      }
      const next = lines[index + 1];
      if (line.trim() === '' || next === undefined || next.trim() === '' || / {2}$|\\$/.test(line)) return line;
      // The next line starts a block of its own (a fence, a list item, a heading, a quote, a table row).
      if (/^ {0,3}(`{3,}|~{3,}|[-*+] |\d+[.)] |#{1,6} |>)|^\s*\|/.test(next)) return line;
      return `${line}  `;
    })
    .join('\n');
}

/** `✅ Done · Alice asked: fix the login` */
function headline(title: string, header: TaskHeader): AdfNode {
  return paragraph(text(title, { type: 'strong' }), text(` · ${header.requester} asked: `), text(oneLine(header.request, 200), { type: 'em' }));
}

/** `🤖 agent-bot · took 3s · … · run in Temporal UI · task jr-c10100`: the signature and the task's marker. */
function footer(header: TaskHeader, parts: string[], runLabel: string): AdfNode {
  return paragraph(
    text(`${AGENT_BOT_SIGNATURE} · ${[...parts, ''].join(' · ')}`),
    link(runLabel, header.runUrl),
    text(' · task '),
    text(header.taskId, { type: 'code' }),
  );
}

function size(document: AdfDocument): number {
  return JSON.stringify(document).length;
}

/**
 * The largest prefix of `body` whose document still fits Jira's limit, with `cutNote(shown)` after it.
 * Each try converts the Markdown again (a cut can end inside a code block or a list), so the search is a
 * bisection over the text's length: about 17 conversions for 100,000 characters.
 */
function fitted(build: (body: string, note: AdfNode | undefined) => AdfDocument, body: string, cutNote: (shown: number) => AdfNode, limit: number, alreadyCut: boolean): AdfDocument {
  const whole = build(body, alreadyCut ? cutNote(body.length) : undefined);
  if (size(whole) <= limit) return whole;
  let low = 0;
  let high = body.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (size(build(body.slice(0, middle), cutNote(middle))) <= limit) low = middle;
    else high = middle - 1;
  }
  return build(body.slice(0, low), cutNote(low));
}

/**
 * The task's comment for any phase of the neutral view, as ADF: progress while it works (stage, time, cost,
 * last output line), the plan while it waits for approval, then the answer (the agent's Markdown: code
 * blocks, lists and links survive). Always within `limit` (Jira's 32,767), cut with a note naming where the
 * full answer is kept. The footer carries the signature and `task <id>`, the marker that finds it again.
 */
export function renderJiraTaskComment(header: TaskHeader, view: TaskView, limit = JIRA_COMMENT_LIMIT): AdfDocument {
  switch (view.phase) {
    case 'working': {
      const parts = [`stage: ${oneLine(view.stage, 100)}`, `${formatDuration(view.elapsedMs)} so far`];
      if (view.costUsd !== undefined) parts.push(`cost so far $${view.costUsd.toFixed(4)}`);
      const last = view.lastLine === undefined || view.lastLine.trim() === '' ? [] : [{ type: 'codeBlock', content: text(view.lastLine.slice(0, 300)) }];
      return doc([headline('⏳ Working', header), paragraph(text(parts.join(' · '))), ...last, footer(header, [], 'follow the run in Temporal UI')]);
    }
    case 'plan': {
      const build = (plan: string, note: AdfNode | undefined): AdfDocument =>
        doc([
          headline('📋 Plan awaiting approval', header),
          ...(plan.trim() === '' ? [paragraph(text('(the agent wrote no plan)', { type: 'em' }))] : markdownBlocks(plan)),
          ...(note === undefined ? [] : [note]),
          paragraph(
            text('Reply '),
            text(`${header.mention} approve`, { type: 'code' }),
            text(' or '),
            text(`${header.mention} reject <reason>`, { type: 'code' }),
            text(`. Without an answer by ${view.deadline} the task expires.`),
          ),
          footer(header, [], 'the run in Temporal UI'),
        ]);
      return fitted(build, view.plan, () => paragraph(text('… plan cut to fit a Jira comment.', { type: 'em' })), limit, false);
    }
    case 'final': {
      const answer = view.text.trim() === '' ? '' : view.text;
      const logPath = view.answerPath ?? `logs/tasks/${header.taskId}/stream.jsonl`;
      const appendix: AdfNode[] = [];
      if (view.decision !== undefined) appendix.push(paragraph(text(`${view.decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${view.decision.by} via ${view.decision.via}.`, { type: 'em' })));
      if (view.note !== undefined) appendix.push({ type: 'blockquote', content: [paragraph(text(view.note))] });
      const build = (body: string, note: AdfNode | undefined): AdfDocument =>
        doc([
          headline(OUTCOME_HEADLINES[view.outcome], header),
          ...(answer === '' ? [paragraph(text('(the agent printed nothing)', { type: 'em' }))] : markdownBlocks(body)),
          ...(note === undefined ? [] : [note]),
          ...appendix,
          footer(header, usageParts(view.durationMs, view.usage), 'run in Temporal UI'),
        ]);
      const cutNote = (shown: number): AdfNode =>
        paragraph(
          text(
            `… answer cut to fit a Jira comment (${shown.toLocaleString('en-US')} of ${(view.answerChars ?? answer.length).toLocaleString('en-US')} characters shown). The full answer is `,
            { type: 'em' },
          ),
          text(logPath, { type: 'code' }),
          text(' on the agent-bot server; see also ', { type: 'em' }),
          link('the run', header.runUrl),
          text('.', { type: 'em' }),
        );
      return fitted(build, answer, cutNote, limit, view.truncated === true);
    }
  }
}

/** A reply (status, help, refusals, reminders): its Markdown as ADF, signed so it is never read as a command. */
export function renderJiraReply(markdown: string, limit = JIRA_COMMENT_LIMIT): AdfDocument {
  const build = (body: string, note: AdfNode | undefined): AdfDocument => doc([...markdownBlocks(body), ...(note === undefined ? [] : [note]), paragraph(text(AGENT_BOT_SIGNATURE))]);
  return fitted(build, markdown, () => paragraph(text('… cut to fit a Jira comment.', { type: 'em' })), limit, false);
}

/** The text of a document, text nodes joined and blocks on their own lines: to find a marker in a comment read back. */
export function adfPlainText(node: AdfNode): string {
  if (node.type === 'text') return node.text ?? '';
  if (node.type === 'hardBreak') return '\n';
  const inner = (node.content ?? []).map(adfPlainText);
  const inline = node.type === 'paragraph' || node.type === 'heading';
  return inner.join(inline ? '' : '\n');
}
