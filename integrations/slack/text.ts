/**
 * Slack's message markup (https://docs.slack.dev/messaging/formatting-message-text) turned back into the
 * plain text a person meant: `<@U123|ana>` → `@ana`, `<#C123|eng>` → `#eng`, `<https://x|label>` →
 * `label (https://x)`, `<!here>` → `@here`, and `&amp;`, `&lt;`, `&gt;` → `&`, `<`, `>`.
 */
export function slackToPlainText(text: string): string {
  return text
    .replace(/<([@#!])([^>|]+)(?:\|([^>]*))?>/g, (_whole, sigil: string, id: string, label: string | undefined) => {
      if (sigil === '!') return `@${(label ?? id).replace(/^subteam\^/, '')}`;
      return `${sigil}${label && label !== '' ? label : id}`;
    })
    .replace(/<([^>|]+)\|([^>]*)>/g, (_whole, url: string, label: string) => (label === '' || label === url ? url : `${label} (${url})`))
    .replace(/<([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * The request in a message that mentions the bot (`<@UBOT>`, with or without a label): the text after
 * the mention, or before it when nothing follows ("can you look at this <@UBOT>"), as plain text.
 * `''` when the message is the mention alone; `undefined` when the bot is not mentioned.
 */
export function requestAfterMention(text: string, botUserId: string): string | undefined {
  const mention = new RegExp(`<@${botUserId.replace(/[^A-Za-z0-9]/g, '')}(?:\\|[^>]*)?>`);
  const match = mention.exec(text);
  if (match === null) return undefined;
  const after = slackToPlainText(text.slice(match.index + match[0].length)).replace(/^[\s,:;!?.]+/, '').trim();
  if (after !== '') return after;
  return slackToPlainText(text.slice(0, match.index)).replace(/[\s,:;]+$/, '').trim();
}
