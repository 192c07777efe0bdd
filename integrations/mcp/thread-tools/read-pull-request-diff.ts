import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ThreadChanges } from '../../thread-reader';
import { textResult } from '../tool-results';
import { logged, notAvailable, ownThread, threadArgument, type ThreadToolBinding } from './binding';

const input = {
  thread: threadArgument,
  path: z.string().min(1).max(1_000).optional().describe('Only this changed file (its path in the repository, e.g. `src/app.ts`). Optional: all changed files.'),
  max_chars: z.number().int().min(1_000).max(200_000).default(60_000).describe('Most characters of patches to return, 1,000 to 200,000 (default 60,000); files past it are listed without their patch.'),
};

const STATUS: Readonly<Record<string, string>> = { added: 'A', removed: 'D', modified: 'M', renamed: 'R', copied: 'C', changed: 'M', unchanged: ' ' };

/**
 * `read-pull-request-diff` (read-only): the changed files of the task's pull request (status, lines added
 * and removed) and their unified-diff patches, within a character budget.
 */
export function registerReadPullRequestDiffTool(server: McpServer, binding: ThreadToolBinding): void {
  server.registerTool(
    'read-pull-request-diff',
    {
      title: "Read the pull request's diff",
      description: "Lists the files this task's pull request changes (status, lines added and removed) with their unified diff, as the provider shows it now. Use `path` for one file.",
      inputSchema: input,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    },
    logged(binding, 'read-pull-request-diff', async (args: { thread?: string | undefined; path?: string | undefined; max_chars: number }) => {
      const thread = ownThread(binding, args.thread);
      if (binding.reader?.readChanges === undefined) return notAvailable('read-pull-request-diff', thread, 'they have no pull request');
      const changes = await binding.reader.readChanges(thread, { maxChars: args.max_chars, ...(args.path === undefined ? {} : { path: args.path }) });
      return textResult(renderChanges(thread.label, changes));
    }),
  );
}

/** A listing, then `diff --git` sections: the shape models and people read diffs in. */
function renderChanges(label: string, changes: ThreadChanges): string {
  const lines = [`Pull request ${label}: ${changes.headRef} into ${changes.baseRef} (head ${changes.headSha})`, `${changes.files.length} changed file(s):`];
  for (const file of changes.files) {
    const renamed = file.previousPath === undefined ? '' : ` (from ${file.previousPath})`;
    lines.push(`${STATUS[file.status] ?? '?'} ${file.path}${renamed} +${file.additions} -${file.deletions}${file.patch === undefined ? ' [no patch shown]' : ''}`);
  }
  for (const file of changes.files) {
    if (file.patch === undefined) continue;
    lines.push('', `diff --git a/${file.previousPath ?? file.path} b/${file.path}`, file.patch);
  }
  if (changes.truncated) lines.push('', '[some patches were left out to stay within max_chars: ask for one file with `path`]');
  return lines.join('\n');
}
