import { stripUnreadText } from '../../integrations/github/command-text';
import type { TargetRef } from '../../contracts/target';
import type { Command } from '../../contracts/task';

/** What the agent is told: the request plus the context a colleague would want. */
export function buildPrompt(target: TargetRef, command: Command): string {
  const thread = target.kind === 'pull_request' ? 'pull request' : 'issue';
  const lines = [
    `You were asked on GitHub ${thread} ${target.owner}/${target.repo}#${target.number}` +
      (command.title ? ` ("${command.title}")` : '') +
      ` by @${command.requester}:`,
    '',
    stripUnreadText(command.request).trim(),
    '',
    `Thread: ${command.url}`,
    'Answer in GitHub-flavoured Markdown; your final message is posted as a comment on the thread.',
  ];
  return lines.join('\n');
}
