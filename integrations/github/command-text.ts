/**
 * Finds the request in a comment that mentions the bot. Text a person did not mean as a command is
 * not read: HTML comments, quoted reply lines (`> ...`), and code (fenced blocks and inline spans).
 * Returns undefined when the mention is absent or nothing follows it.
 */
export function extractMentionRequest(body: string, mention: string): string | undefined {
  const readable = stripUnreadText(body);
  // A mention ends at white space, the end, or punctuation that ends a word ("@agent, please"), not
  // at "@agent.com" or "@agent-smith".
  const pattern = new RegExp(`(^|[^\\w@/.-])${escapeRegExp(mention)}(?=$|\\s|[,:;!?.]+(?:\\s|$))`, 'i');
  const match = pattern.exec(readable);
  if (match === null) return undefined;
  const rest = readable
    .slice(match.index + match[0].length)
    .replace(/^[,:;!?.]+/, '')
    .trim();
  return rest.length > 0 ? rest : undefined;
}

/** Removes what a reader would not take as the author's own words: comments, quotes, code. */
export function stripUnreadText(body: string): string {
  // Code first: a "<!--" inside code is literal text, not the start of a hidden comment.
  return body
    .replace(/^\s*(```|~~~)[\s\S]*?(^\s*\1|(?![\s\S]))/gm, '')
    .replace(/`[^`\n]*`/g, '')
    .replace(/<!--[\s\S]*?(-->|$)/g, '')
    .split(/\r?\n/)
    .filter((line) => !/^\s*>/.test(line))
    .join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
