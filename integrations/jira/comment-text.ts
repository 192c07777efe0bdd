import type { AdfNode, RichText } from './webhook-schemas';

/** Who the bot is in a Jira text: its account id (mentions) and the plain mention people type (`@agent`). */
export interface BotIdentity {
  accountId: string | undefined;
  mention: string;
}

/**
 * A Jira comment or description as Markdown-like text, for the mention search and for the agent's prompt:
 * code (`{code}`, `{noformat}`, `{{inline}}`, ADF code) becomes Markdown code and quotes (`{quote}`, `bq.`,
 * ADF blockquotes) become `> ` lines and links `[text|url]` Markdown links, so `extractMentionRequest` never reads a command inside them; a mention
 * of the bot's account (`[~accountid:…]` in wiki markup, a `mention` node in ADF) becomes the plain mention.
 */
export function jiraText(body: RichText, bot: BotIdentity): string {
  if (body === null || body === undefined) return '';
  return typeof body === 'string' ? wikiText(body, bot) : adfText(body, bot).trim();
}

/** Wiki markup: https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa?section=all */
function wikiText(markup: string, bot: BotIdentity): string {
  const parts: string[] = [];
  const block = /\{(code|noformat)(?::([^}]*))?\}([\s\S]*?)(?:\{\1\}|$)|\{quote\}([\s\S]*?)(?:\{quote\}|$)/g;
  let last = 0;
  for (const match of markup.matchAll(block)) {
    parts.push(wikiInline(markup.slice(last, match.index), bot));
    if (match[1] !== undefined) {
      // `{code:java}` or `{code:title=x.java|borderStyle=solid}`: only a bare language name is kept.
      const language = /^[\w+#-]+$/.test(match[2] ?? '') ? match[2] : '';
      parts.push(`\n\`\`\`${language}\n${(match[3] ?? '').replace(/^\n+|\n+$/g, '')}\n\`\`\`\n`);
    } else parts.push(`\n${wikiInline(match[4] ?? '', bot).split('\n').map((line) => `> ${line}`).join('\n')}\n`);
    last = match.index + match[0].length;
  }
  parts.push(wikiInline(markup.slice(last), bot));
  return parts.join('').replace(/\r\n/g, '\n').trim();
}

function wikiInline(text: string, bot: BotIdentity): string {
  return text
    .replace(/^bq\.\s?(.*)$/gm, '> $1')
    .replace(/\{\{([\s\S]*?)\}\}/g, (_whole, code: string) => `\`${code.replace(/`/g, "'")}\``)
    .replace(/\[~accountid:([^\]]+)\]/g, (whole, id: string) => (bot.accountId !== undefined && id === bot.accountId ? bot.mention : whole))
    .replace(/\[([^|\]\n]+)\|((?:https?|mailto):[^\]\s]+)\]/g, '[$1]($2)');
}

function adfText(node: AdfNode, bot: BotIdentity): string {
  const children = (separator: string) => (node.content ?? []).map((child) => adfText(child, bot)).join(separator);
  switch (node.type) {
    case 'doc':
      return children('\n\n');
    case 'text': {
      const text = node.text ?? '';
      const marks = node.marks ?? [];
      if (marks.some((mark) => mark.type === 'code')) return `\`${text.replace(/`/g, "'")}\``;
      const link = marks.find((mark) => mark.type === 'link')?.attrs?.['href'];
      return typeof link === 'string' && link !== text ? `[${text}](${link})` : text;
    }
    case 'mention': {
      const id = node.attrs?.['id'];
      if (bot.accountId !== undefined && id === bot.accountId) return bot.mention;
      const shown = node.attrs?.['text'];
      return typeof shown === 'string' && shown !== '' ? shown : `[~accountid:${String(id)}]`;
    }
    case 'hardBreak':
      return '\n';
    case 'codeBlock':
      return `\`\`\`\n${(node.content ?? []).map((child) => child.text ?? '').join('')}\n\`\`\``;
    case 'blockquote':
      return children('\n\n').split('\n').map((line) => `> ${line}`).join('\n');
    case 'bulletList':
      return (node.content ?? []).map((item) => `- ${adfText(item, bot)}`).join('\n');
    case 'orderedList':
      return (node.content ?? []).map((item, index) => `${index + 1}. ${adfText(item, bot)}`).join('\n');
    case 'listItem':
      return children('\n');
    case 'inlineCard':
    case 'blockCard': {
      const url = node.attrs?.['url'];
      return typeof url === 'string' ? url : '';
    }
    case 'emoji': {
      const text = node.attrs?.['text'] ?? node.attrs?.['shortName'];
      return typeof text === 'string' ? text : '';
    }
    case 'rule':
      return '---';
    case 'paragraph':
    case 'heading':
      return children('');
    default:
      return children(node.content?.some((child) => child.type === 'text') === true ? '' : '\n\n');
  }
}
