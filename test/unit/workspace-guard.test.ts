import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { threadFromTarget } from '../../contracts/target';
import type { ThreadRef } from '../../contracts/thread';
import { guardMappedPath, prepareWorkspace, workspacePath, type WorkspaceConfig } from '../../activities/agent/workspace';

/** Asserts a WorkspaceRefused, non-retryable ApplicationFailure whose message matches. */
function refused(message: RegExp): (error: unknown) => true {
  return (error: unknown) => {
    assert.ok(error instanceof ApplicationFailure, `not an ApplicationFailure: ${String(error)}`);
    assert.equal(error.type, 'WorkspaceRefused');
    assert.equal(error.nonRetryable, true);
    assert.match(error.message, message);
    return true;
  };
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function target(owner: string, repo: string, number = 7): ThreadRef {
  return threadFromTarget({ owner, repo, number, kind: 'issue' });
}

/** Prepares the workspace of a GitHub thread, on the thread's own repository. */
function prepare(config: WorkspaceConfig, thread: ThreadRef) {
  return prepareWorkspace(config, thread, thread.repo);
}

describe('workspace guard', () => {
  let tmp: string;
  let root: string;
  let project: string;
  let outside: string;

  beforeEach(() => {
    // realpath: the guard compares resolved paths, and the temp dir may itself sit behind a symlink.
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-workspace-')));
    root = path.join(tmp, 'root');
    project = path.join(root, 'project');
    outside = path.join(tmp, 'outside');
    fs.mkdirSync(project, { recursive: true });
    fs.mkdirSync(outside, { recursive: true });
  });

  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('guardMappedPath', () => {
    it('accepts a directory inside a root and returns its real path', () => {
      assert.equal(guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, project), project);
    });

    it('accepts a directory inside the second of several roots', () => {
      assert.equal(guardMappedPath({ projectRoots: [path.join(tmp, 'elsewhere'), root], forbiddenPaths: [] }, project), project);
    });

    it('accepts the root itself', () => {
      assert.equal(guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, root), root);
    });

    it('refuses a directory outside every root, saying where it resolves', () => {
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, outside), refused(/outside AGENT_PROJECT_ROOTS/));
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, outside), refused(new RegExp(`resolves to ${escape(outside)}`)));
    });

    it('refuses every path when no root is configured', () => {
      assert.throws(() => guardMappedPath({ projectRoots: [], forbiddenPaths: [] }, project), refused(/outside AGENT_PROJECT_ROOTS/));
    });

    it('refuses a `<root>/../outside` traversal', () => {
      const traversal = `${root}${path.sep}..${path.sep}outside`;
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, traversal), refused(/outside AGENT_PROJECT_ROOTS/));
    });

    it('refuses a sibling whose name merely starts with the root name', () => {
      const sibling = `${root}-evil`;
      fs.mkdirSync(sibling);
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, sibling), refused(/outside AGENT_PROJECT_ROOTS/));
    });

    it('refuses a symlink inside a root that points outside it', () => {
      const link = path.join(root, 'escape');
      fs.symlinkSync(outside, link, 'dir');
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, link), refused(new RegExp(`resolves to ${escape(outside)}`)));
    });

    it('accepts a symlink inside a root that points inside it, returning the target', () => {
      const link = path.join(root, 'alias');
      fs.symlinkSync(project, link, 'dir');
      assert.equal(guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, link), project);
    });

    it('accepts a path inside a root given through a symlink to the root', () => {
      const rootLink = path.join(tmp, 'root-link');
      fs.symlinkSync(root, rootLink, 'dir');
      assert.equal(guardMappedPath({ projectRoots: [rootLink], forbiddenPaths: [] }, project), project);
    });

    it('refuses a path inside a forbidden path even though it is inside a root: forbidden wins', () => {
      const secret = path.join(project, 'secrets');
      fs.mkdirSync(secret);
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [project] }, secret), refused(/overlaps a forbidden path/));
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [project] }, project), refused(/overlaps a forbidden path/));
    });

    it('refuses a symlink inside a root that points into a forbidden path', () => {
      const forbidden = path.join(root, 'forbidden');
      fs.mkdirSync(forbidden);
      const link = path.join(project, 'to-forbidden');
      fs.symlinkSync(forbidden, link, 'dir');
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [forbidden] }, link), refused(/overlaps a forbidden path/));
    });

    it('refuses a path that does not exist, naming it', () => {
      const missing = path.join(root, 'missing');
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, missing), refused(new RegExp(`${escape(missing)} does not exist`)));
    });

    it('refuses a dangling symlink as missing', () => {
      const link = path.join(root, 'dangling');
      fs.symlinkSync(path.join(tmp, 'nowhere'), link);
      assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, link), refused(/does not exist/));
    });
  });

  describe('prepareWorkspace', () => {
    function config(overrides: Partial<WorkspaceConfig> = {}): WorkspaceConfig {
      return {
        dataDir: path.join(tmp, 'data'),
        clone: false,
        cloneUrlTemplate: 'https://github.com/{owner}/{repo}.git',
        gitToken: undefined,
        projects: { 'acme/*': path.join(root, 'alias-to-project') },
        projectRoots: [root],
        forbiddenPaths: [],
        ...overrides,
      };
    }

    beforeEach(() => {
      fs.symlinkSync(project, path.join(root, 'alias-to-project'), 'dir');
    });

    it('maps any acme repository to the real path of the mapped project', async () => {
      assert.deepEqual(await prepare(config(), target('acme', 'widgets')), { path: project, kind: 'mapped' });
      assert.deepEqual(await prepare(config(), target('acme', 'anything-else')), { path: project, kind: 'mapped' });
    });

    it('matches the owner glob case-insensitively', async () => {
      assert.equal((await prepare(config(), target('ACME', 'Widgets'))).kind, 'mapped');
    });

    it('falls back to an empty folder workspace for another owner when cloning is off', async () => {
      const other = target('other', 'widgets');
      const workspace = await prepare(config(), other);
      assert.deepEqual(workspace, { path: workspacePath(config().dataDir, other), kind: 'folder' });
      assert.ok(fs.statSync(workspace.path).isDirectory());
      assert.deepEqual(fs.readdirSync(workspace.path), []);
    });

    it('does not treat an owner that only starts with the pattern as a match', async () => {
      assert.equal((await prepare(config(), target('acme-corp', 'widgets'))).kind, 'folder');
    });

    it('gives a thread with no repository an empty folder of its own, never a mapped project', async () => {
      const slack: ThreadRef = { provider: 'slack', key: 'T1/C2/1700000000.000100', label: 't', kind: 'Slack thread', address: {} };
      const workspace = await prepareWorkspace(config({ projects: { '*/*': project } }), slack, undefined);
      assert.equal(workspace.kind, 'empty');
      assert.equal(workspace.path, path.join(config().dataDir, 'workspaces', 'slack', 'T1%2FC2%2F1700000000%2E000100'));
      assert.deepEqual(fs.readdirSync(workspace.path), []);
    });

    it('refuses a mapping that points outside the roots instead of falling back', async () => {
      await assert.rejects(prepare(config({ projects: { 'acme/*': outside } }), target('acme', 'widgets')), refused(/outside AGENT_PROJECT_ROOTS/));
    });
  });

  describe('workspacePath', () => {
    const dataDir = '/data/agent-bot';
    const base = path.join(dataDir, 'workspaces', 'github');

    it('nests provider, owner, repo and number under the data dir', () => {
      assert.equal(workspacePath(dataDir, target('acme', 'widgets', 42)), path.join(base, 'acme', 'widgets', '42'));
    });

    it('turns `..` into a harmless segment', () => {
      assert.equal(workspacePath(dataDir, target('..', '..', 1)), path.join(base, '_', '_', '1'));
    });

    it('keeps a slash in a name from adding a directory level', () => {
      assert.equal(workspacePath(dataDir, target('a/b', '../../etc', 1)), path.join(base, 'a_b', '.._.._etc', '1'));
    });

    it('puts a thread of another provider in one folder named by its key, which can never be . or ..', () => {
      const thread = (key: string): ThreadRef => ({ provider: 'jira', key, label: key, kind: 'issue', address: {} });
      assert.equal(workspacePath(dataDir, thread('acme.atlassian.net/PROJ-1')), path.join(dataDir, 'workspaces', 'jira', 'acme%2Eatlassian%2Enet%2FPROJ-1'));
      for (const key of ['..', '.', '../..', '']) {
        const relative = path.relative(path.join(dataDir, 'workspaces', 'jira'), workspacePath(dataDir, thread(key)));
        assert.ok(!relative.startsWith('..') && relative !== '' && !relative.includes(path.sep), `${key} → ${relative}`);
      }
    });

    it('gives an empty name a placeholder segment', () => {
      assert.equal(workspacePath(dataDir, target('', '', 1)), path.join(base, '_', '_', '1'));
    });

    it('stays under the provider folder whatever the names', () => {
      for (const [owner, repo] of [['..', 'x'], ['.', '.'], ['a\\..\\b', 'c'], ['/abs', '~'], ['', '..']] as const) {
        const result = workspacePath(dataDir, target(owner, repo, 3));
        const relative = path.relative(base, result);
        assert.equal(relative.split(path.sep).length, 3, `${owner}/${repo} → ${result}`);
        assert.ok(!relative.split(path.sep).some((segment) => segment === '..' || segment === '.' || segment === ''), `${owner}/${repo} → ${result}`);
      }
    });
  });
});

describe('workspace guard: review findings', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-guard-'));
  const root = path.join(base, 'root');
  fs.mkdirSync(path.join(root, 'secret', '..data'), { recursive: true });
  fs.mkdirSync(path.join(root, '..project'), { recursive: true });
  fs.mkdirSync(path.join(root, 'home', '.ssh'), { recursive: true });

  it('treats a folder named "..data" inside a forbidden path as inside it', () => {
    assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [path.join(root, 'secret')] }, path.join(root, 'secret', '..data')), /overlaps a forbidden path/);
  });

  it('accepts a folder named "..project" inside a root', () => {
    assert.equal(guardMappedPath({ projectRoots: [root], forbiddenPaths: [] }, path.join(root, '..project')), fs.realpathSync(path.join(root, '..project')));
  });

  it('refuses a mapped path that contains a forbidden path', () => {
    assert.throws(() => guardMappedPath({ projectRoots: [root], forbiddenPaths: [path.join(root, 'home', '.ssh')] }, path.join(root, 'home')), /overlaps a forbidden path/);
  });
});
