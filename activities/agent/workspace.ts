import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { TargetRef } from '../../contracts/target';
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
  kind: 'clone' | 'mapped' | 'folder';
}

/** `$AGENT_BOT_DATA_DIR/workspaces/github/<owner>/<repo>/<number>`, each part made path-safe. */
export function workspacePath(dataDir: string, target: TargetRef): string {
  return path.join(dataDir, 'workspaces', target.provider, safeSegment(target.owner), safeSegment(target.repo), String(target.number));
}

/**
 * The folder the agent works in: a mapped local project when one matches, else a clone of the
 * repository checked out at the PR's head (fetched again for a follow-up), else an empty folder.
 */
export async function prepareWorkspace(config: WorkspaceConfig, target: TargetRef): Promise<PreparedWorkspace> {
  const mapped = mappedProject(config, target);
  if (mapped !== undefined) return { path: guardMappedPath(config, mapped), kind: 'mapped' };
  const dir = workspacePath(config.dataDir, target);
  fs.mkdirSync(dir, { recursive: true });
  if (!config.clone) return { path: dir, kind: 'folder' };
  await syncClone(config, target, dir);
  return { path: dir, kind: 'clone' };
}

function mappedProject(config: WorkspaceConfig, target: TargetRef): string | undefined {
  const name = `${target.owner}/${target.repo}`;
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

async function syncClone(config: WorkspaceConfig, target: TargetRef, dir: string): Promise<void> {
  const env = gitEnvironment(config);
  const git = (args: string[], cwd = dir) => run('git', ['-c', 'credential.helper=', ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
  try {
    if (!fs.existsSync(path.join(dir, '.git'))) {
      const url = config.cloneUrlTemplate.replaceAll('{owner}', target.owner).replaceAll('{repo}', target.repo);
      await git(['clone', '--quiet', url, '.']);
    } else {
      await git(['fetch', '--quiet', '--prune', 'origin']);
    }
    if (target.kind === 'pull_request') {
      await git(['fetch', '--quiet', 'origin', `+refs/pull/${target.number}/head`]);
      await git(['checkout', '--quiet', '--force', '-B', `agent-bot/pr-${target.number}`, 'FETCH_HEAD']);
    } else {
      await git(['checkout', '--quiet', '--force', '-B', `agent-bot/issue-${target.number}`, 'origin/HEAD']);
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
