/**
 * Finds the request in a message that mentions the bot, in Markdown as GitHub, Sentry and Slack users
 * write it. Text a person did not mean as a command is not searched for the mention: HTML comments,
 * quoted reply lines (`> ...`), and code (fenced blocks and inline spans). The request keeps its code
 * (the agent needs it) but never the HTML comments or quoted lines.
 *
 * A mention starts after white space, the start, or an opening bracket or quote (`(@agent)`,
 * `"@agent …"`, `cc:@agent`), and ends at white space, the end, a closing bracket or quote, or
 * punctuation that ends a word (`@agent, please`); it is not part of `ops@agent.dev`, `@agents` or
 * `@agent-smith`.
 *
 * @returns the request; `''` when the message is the mention alone; `undefined` when the mention is
 *   absent or nothing follows it in a sentence (`thanks @agent.`).
 */
export function extractMentionRequest(body: string, mention: string): string | undefined {
  const { text, searchable } = readableText(body);
  const pattern = new RegExp(`(^|[^\\w@/.-])${escapeRegExp(mention)}(?=$|\\s|[)\\]}"'\u2019\u201d>]|[,:;!?.]+(?:\\s|$|[)\\]}"']))`, 'i');
  const match = pattern.exec(searchable);
  if (match === null) return undefined;
  const request = text
    .slice(match.index + match[0].length)
    .replace(/^[)\]}"'\u2019\u201d>]*[,:;!?.]*[)\]}"'\u2019\u201d]*/, '')
    .trim();
  if (request !== '') return request;
  // "@agent" on its own asks for help; "thanks @agent." at the end of a sentence asks nothing.
  const before = text.slice(0, match.index + match[1]!.length).replace(/[("'\u2018\u201c[{<]+$/, '').trim();
  return before === '' ? '' : undefined;
}

/** The comment without HTML comments and quoted lines: what the author wrote as their own words. */
export function stripUnreadText(body: string): string {
  return readableText(body).text;
}

/** Removes HTML comments only: what must never reach an agent from a user's text. */
export function stripHtmlComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(-->|$)/g, '');
}

/**
 * `text`: the body without HTML comments and quoted lines. `searchable`: the same characters with
 * code blanked out, index for index, so a mention found there can be cut from `text`. Code is masked
 * first: a "<!--" inside code is literal, not the start of a hidden comment.
 */
function readableText(body: string): { text: string; searchable: string } {
  const blank = (code: string): string => code.replace(/[^\n]/g, ' ');
  const masked = body
    .replace(/^[ \t]*(```|~~~)[\s\S]*?(^[ \t]*\1|(?![\s\S]))/gm, blank)
    .replace(/`[^`\n]*`/g, blank);
  const keep = new Array<boolean>(body.length).fill(true);
  for (const comment of masked.matchAll(/<!--[\s\S]*?(-->|$)/g)) {
    keep.fill(false, comment.index, comment.index + comment[0].length);
  }
  for (const line of masked.matchAll(/^[ \t]*>.*(\n|$)/gm)) {
    keep.fill(false, line.index, line.index + line[0].length);
  }
  let text = '';
  let searchable = '';
  for (let i = 0; i < body.length; i++) {
    if (!keep[i]) continue;
    text += body[i];
    searchable += masked[i];
  }
  return { text, searchable };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
