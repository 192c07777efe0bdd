/**
 * Finds the request in a comment that mentions the bot. Text a person did not mean as a command is
 * not read: HTML comments, quoted reply lines (`> ...`), and code (fenced blocks and inline spans).
 * Returns undefined when the mention is absent or nothing follows it.
 */
export function extractMentionRequest(body: string, mention: string): string | undefined {
  const readable = stripUnreadText(body);
  const pattern = new RegExp(`(^|[^\\w@/-])${escapeRegExp(mention)}(?![\\w-])`, 'i');
  const match = pattern.exec(readable);
  if (match === null) return undefined;
  const rest = readable.slice(match.index + match[0].length).trim();
  return rest.length > 0 ? rest : undefined;
}

/** Removes what a reader would not take as the author's own words: comments, quotes, code. */
export function stripUnreadText(body: string): string {
  return body
    .replace(/<!--[\s\S]*?(-->|$)/g, '')
    .replace(/^\s*(```|~~~)[\s\S]*?(^\s*\1|(?![\s\S]))/gm, '')
    .replace(/`[^`\n]*`/g, '')
    .split(/\r?\n/)
    .filter((line) => !/^\s*>/.test(line))
    .join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
