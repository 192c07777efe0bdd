import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { ThreadRef } from '../../contracts/thread';
import type { Checkout } from '../../integrations/transport';
import { safeSegment } from './task-log';

const run = promisify(execFile);

export interface WorkspaceConfig {
  dataDir: string;
  /** Clone the repository into the workspace (off: an empty folder). */
  clone: boolean;
  /** `https://github.com/{owner}/{repo}.git`: where the repository is cloned from. */
  cloneUrlTemplate: string;
  /** Given to git through GIT_ASKPASS, never in a URL, `.git/config` or a log line. */
  gitToken: string | undefined;
  /** `owner/repo` glob → an existing local checkout, instead of a clone. */
  projects: Record<string, string>;
  /** Mapped paths must lie inside one of these, after symlinks are resolved. */
  projectRoots: readonly string[];
  /** Never used as a workspace, whatever the mapping says; wins over the roots. */
  forbiddenPaths: readonly string[];
}

export interface PreparedWorkspace {
  path: string;
  /** `clone` of the repository, `mapped` local project, `folder` (cloning off), `empty` (no repository). */
  kind: 'clone' | 'mapped' | 'folder' | 'empty';
}

/**
 * The folder of a thread's workspace under `$AGENT_BOT_DATA_DIR/workspaces/`. GitHub threads keep the
 * layout of the first versions, `github/<owner>/<repo>/<number>` (existing clones and agent sessions,
 * which are tied to the folder, stay valid); every other provider has one folder per thread,
 * `<provider>/<key, percent-encoded>` (reversible, so the janitor can tell which thread it belongs to).
 */
export function workspacePath(dataDir: string, thread: Pick<ThreadRef, 'provider' | 'key' | 'address'>): string {
  const root = path.join(dataDir, 'workspaces', safeSegment(thread.provider));
  const { owner, repo, number } = thread.address;
  if (thread.provider === 'github' && typeof owner === 'string' && typeof repo === 'string' && typeof number === 'number') {
    return path.join(root, safeSegment(owner), safeSegment(repo), String(number));
  }
  return path.join(root, encodeThreadKey(thread.key));
}

/** A thread key as one path segment: percent-encoding with dots encoded too, so `.` and `..` cannot occur. */
export function encodeThreadKey(key: string): string {
  return encodeURIComponent(key).replace(/\./g, '%2E') || '_';
}

/** How many folder levels below `workspaces/` a provider's workspaces sit (see workspacePath). */
export function workspaceDepth(provider: string): number {
  return provider === 'github' ? 4 : 2;
}

/**
 * The conversation workflow a workspace folder belongs to, from its path segments below `workspaces/`
 * (`github/acme/widgets/42` → `github:acme/widgets#42`, `slack/T1%2FC2%2F1700%2E1` → `slack:T1/C2/1700.1`),
 * or undefined when the segments are no workspace of that layout.
 */
export function workflowIdOfWorkspace(segments: readonly string[]): string | undefined {
  const [provider, ...rest] = segments;
  if (provider === undefined || rest.length !== workspaceDepth(provider) - 1) return undefined;
  if (provider === 'github') {
    const [owner, repo, number] = rest;
    // GitHub owner and repository names are already path-safe, so the folder names are the real ones.
    return number !== undefined && /^\d+$/.test(number) ? `github:${owner}/${repo}#${number}` : undefined;
  }
  try {
    return `${provider}:${decodeURIComponent(rest[0] ?? '')}`;
  } catch {
    return undefined;
  }
}

/**
 * The folder the agent works in: a mapped local project when one matches, else a clone of the
 * repository checked out as `checkout` says (fetched again for a follow-up), else an empty folder.
 * A thread with no repository gets an empty folder of its own.
 * @throws ApplicationFailure `WorkspaceRefused` (a mapping outside the allowed roots), `WorkspaceFailed` (git failed; retryable).
 */
export async function prepareWorkspace(config: WorkspaceConfig, thread: Pick<ThreadRef, 'provider' | 'key' | 'address'>, repo: string | undefined, checkout?: Checkout): Promise<PreparedWorkspace> {
  const dir = workspacePath(config.dataDir, thread);
  if (repo === undefined) {
    fs.mkdirSync(dir, { recursive: true });
    return { path: dir, kind: 'empty' };
  }
  const mapped = mappedProject(config, repo);
  if (mapped !== undefined) return { path: guardMappedPath(config, mapped), kind: 'mapped' };
  fs.mkdirSync(dir, { recursive: true });
  if (!config.clone) return { path: dir, kind: 'folder' };
  await syncClone(config, repo, dir, checkout ?? { branch: 'agent-bot/work' });
  return { path: dir, kind: 'clone' };
}

function mappedProject(config: WorkspaceConfig, name: string): string | undefined {
  for (const [pattern, localPath] of Object.entries(config.projects)) {
    if (globToRegExp(pattern).test(name)) return localPath;
  }
  return undefined;
}

/** Refuses a mapped path outside the configured roots or inside a forbidden one, after symlinks. */
export function guardMappedPath(config: Pick<WorkspaceConfig, 'projectRoots' | 'forbiddenPaths'>, candidate: string): string {
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw ApplicationFailure.nonRetryable(`the mapped project path ${candidate} does not exist`, ErrorType.WorkspaceRefused);
  }
  const inside = (root: string): boolean => isWithin(resolveReal(root), real);
  // Forbidden wins both ways: a workspace may neither lie in a forbidden path nor contain one.
  const overlapsForbidden = config.forbiddenPaths.some((forbidden) => inside(forbidden) || isWithin(real, resolveReal(forbidden)));
  if (overlapsForbidden) {
    throw ApplicationFailure.nonRetryable(`the mapped project path ${candidate} overlaps a forbidden path`, ErrorType.WorkspaceRefused);
  }
  if (!config.projectRoots.some(inside)) {
    throw ApplicationFailure.nonRetryable(
      `the mapped project path ${candidate} resolves to ${real}, outside AGENT_PROJECT_ROOTS`,
      ErrorType.WorkspaceRefused,
    );
  }
  return real;
}

function resolveReal(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** True when `child` is `parent` or below it. `..data` is a name, not a way up. */
function isWithin(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

async function syncClone(config: WorkspaceConfig, repo: string, dir: string, checkout: Checkout): Promise<void> {
  const env = gitEnvironment(config);
  const git = (args: string[], cwd = dir) => run('git', ['-c', 'credential.helper=', ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
  try {
    if (!fs.existsSync(path.join(dir, '.git'))) {
      const [owner = '', name = ''] = repo.split('/');
      const url = config.cloneUrlTemplate.replaceAll('{owner}', owner).replaceAll('{repo}', name);
      await git(['clone', '--quiet', url, '.']);
    } else {
      await git(['fetch', '--quiet', '--prune', 'origin']);
    }
    if (checkout.fetchRef !== undefined) {
      await git(['fetch', '--quiet', 'origin', checkout.fetchRef]);
      await git(['checkout', '--quiet', '--force', '-B', checkout.branch, 'FETCH_HEAD']);
    } else {
      await git(['checkout', '--quiet', '--force', '-B', checkout.branch, 'origin/HEAD']);
    }
  } catch (error) {
    const { stderr } = error as { stderr?: unknown };
    const detail = typeof stderr === 'string' && stderr !== '' ? stderr : (error as Error).message;
    throw ApplicationFailure.retryable(`preparing the git workspace failed: ${redact(detail, config.gitToken).trim().slice(0, 500)}`, ErrorType.WorkspaceFailed);
  }
}

function gitEnvironment(config: WorkspaceConfig): NodeJS.ProcessEnv {
  const askPass = askPassScript(config.dataDir);
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: askPass,
    ...(config.gitToken === undefined ? {} : { AGENT_BOT_GIT_TOKEN: config.gitToken }),
  };
}

/** A tiny askpass program that reads the token from its environment: the file holds no secret. */
function askPassScript(dataDir: string): string {
  const file = path.join(dataDir, 'bin', 'git-askpass.sh');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\ncase "$1" in\n  Username*) echo x-access-token ;;\n  *) echo "$AGENT_BOT_GIT_TOKEN" ;;\nesac\n', { mode: 0o700 });
  }
  return file;
}

function redact(text: string, secret: string | undefined): string {
  return secret === undefined || secret === '' ? text : text.split(secret).join('***');
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${escaped}$`, 'i');
}
