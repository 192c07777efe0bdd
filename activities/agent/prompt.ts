import { stripHtmlComments } from '../../integrations/github/command-text';
import type { TargetRef } from '../../contracts/target';
import type { Command, PullRequestRefs } from '../../contracts/task';
import type { AgentKind } from './runners';

/** What a prompt template may use: `{request}`, `{requester}`, `{title}`, `{url}`, `{target}`, `{thread}`, `{branches}`. */
export interface PromptVariables {
  request: string;
  requester: string;
  title: string;
  url: string;
  target: string;
  thread: string;
  branches: string;
}

const AGENT_TEMPLATE = [
  'You were asked on GitHub {thread} {target}{title} by @{requester}:',
  '',
  '{request}',
  '',
  'Thread: {url}{branches}',
  'Answer in GitHub-flavoured Markdown; your final message is posted as a comment on the thread.',
].join('\n');

/** Default template per runner; `AGENT_PROMPT_TEMPLATE` replaces it. A plain command gets the request alone. */
export const DEFAULT_PROMPT_TEMPLATES: Record<AgentKind, string> = {
  claude: AGENT_TEMPLATE,
  codex: AGENT_TEMPLATE,
  cursor: AGENT_TEMPLATE,
  command: '{request}',
};

export function promptVariables(target: TargetRef, command: Command, refs?: PullRequestRefs): PromptVariables {
  return {
    // HTML comments in the user's text never reach the agent (the gateway already ignored them for routing).
    request: stripHtmlComments(command.request).trim(),
    requester: command.requester,
    title: command.title ? ` ("${command.title}")` : '',
    url: command.url,
    target: `${target.owner}/${target.repo}#${target.number}`,
    thread: target.kind === 'pull_request' ? 'pull request' : 'issue',
    branches: refs === undefined ? '' : `\nThe pull request merges \`${refs.headRef}\` into \`${refs.baseRef}\`; the workspace is checked out at its head.`,
  };
}

export function renderPrompt(template: string, variables: PromptVariables): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in variables ? variables[name as keyof PromptVariables] : whole));
}
