import { stripHtmlComments } from '../../integrations/mention';
import type { ThreadRef } from '../../contracts/thread';
import type { Command } from '../../contracts/task';
import type { AgentKind } from './runners';

/**
 * What a prompt template may use: `{request}`, `{requester}`, `{title}`, `{url}`, `{target}` (the
 * thread's label), `{thread}` (its kind), `{provider}`, `{repo}`, and `{context}` (what the provider
 * knows about the thread: a PR's branches, an error's stack trace; `{branches}` is the same, its name
 * from before other providers existed).
 */
export interface PromptVariables {
  request: string;
  requester: string;
  title: string;
  url: string;
  target: string;
  thread: string;
  provider: string;
  repo: string;
  context: string;
  branches: string;
}

const PROVIDER_NAMES: Readonly<Record<string, string>> = { github: 'GitHub', slack: 'Slack', jira: 'Jira', sentry: 'Sentry', discord: 'Discord', api: 'the agent-bot API' };

const AGENT_TEMPLATE = [
  'You were asked on {provider} ({thread} {target}{title}) by @{requester}:',
  '',
  '{request}',
  '',
  'Thread: {url}{repo}{context}',
  'Answer in Markdown; your final message is posted on the thread as the answer.',
].join('\n');

/** Default template per runner; `AGENT_PROMPT_TEMPLATE` replaces it. A plain command gets the request alone. */
export const DEFAULT_PROMPT_TEMPLATES: Record<AgentKind, string> = {
  claude: AGENT_TEMPLATE,
  codex: AGENT_TEMPLATE,
  cursor: AGENT_TEMPLATE,
  command: '{request}',
};

/** The prompt's variables for a command on a thread; `notes` come from the provider (see `PromptContext`). */
export function promptVariables(thread: ThreadRef, command: Command, options: { repo: string | undefined; title?: string; notes?: readonly string[] }): PromptVariables {
  const title = command.title ?? options.title;
  const context = (options.notes ?? []).map((note) => `\n${note}`).join('');
  return {
    // HTML comments in the user's text never reach the agent (the gateway already ignored them for routing).
    request: stripHtmlComments(command.request).trim(),
    requester: command.requester,
    title: title ? ` "${title}"` : '',
    url: command.url || thread.url || '',
    target: thread.label,
    thread: thread.kind,
    provider: PROVIDER_NAMES[thread.provider] ?? thread.provider,
    repo: options.repo === undefined ? '\nThere is no repository for this thread: you work in an empty folder.' : `\nRepository: ${options.repo}; the workspace is a checkout of it.`,
    context,
    branches: context,
  };
}

export function renderPrompt(template: string, variables: PromptVariables): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in variables ? variables[name as keyof PromptVariables] : whole));
}
