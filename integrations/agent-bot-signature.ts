import { stripUnreadText } from './mention';

/**
 * The footer of every comment agent-bot writes where a provider has no hidden markup (Jira, Sentry): the
 * gateway never reads such a comment as a command, even when agent-bot's own account is not configured.
 */
export const AGENT_BOT_SIGNATURE = '🤖 agent-bot';

/** Whether the author's own words (quoted lines aside: a person may quote the bot) carry the signature. */
export function signedByAgentBot(text: string): boolean {
  return stripUnreadText(text).includes(AGENT_BOT_SIGNATURE);
}

/**
 * Matches a comment that is the message of task `taskId`: its footer reads `task <taskId>` (in Markdown
 * `task \`<taskId>\``), and a longer task id that starts the same does not match.
 */
export function taskMarkerPattern(taskId: string): RegExp {
  return new RegExp(`${AGENT_BOT_SIGNATURE}[^\\n]*\\btask \`?${taskId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`?(?![\\w-])`);
}
