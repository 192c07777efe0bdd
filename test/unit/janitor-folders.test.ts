import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workflowIdOfWorkspace, workspacePath } from '../../activities/agent/workspace';
import { guardRemovable, listFolders, measureFolder } from '../../activities/janitor/folders';
import type { ThreadRef } from '../../contracts/thread';

describe('janitor folders', () => {
  let data: string;
  let outside: string;

  beforeEach(() => {
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-janitor-')));
    data = path.join(tmp, 'data');
    outside = path.join(tmp, 'outside');
    fs.mkdirSync(path.join(data, 'workspaces', 'github', 'acme', 'widgets', '42'), { recursive: true });
    fs.mkdirSync(path.join(data, 'logs', 'tasks', 'gh-1'), { recursive: true });
    fs.mkdirSync(outside, { recursive: true });
  });

  it('allows only a workspace or log folder of the expected depth inside the data dir', () => {
    const workspace = path.join(data, 'workspaces', 'github', 'acme', 'widgets', '42');
    assert.deepEqual(guardRemovable(data, 'workspace', workspace), { path: workspace });
    assert.deepEqual(guardRemovable(data, 'log', path.join(data, 'logs', 'tasks', 'gh-1')), { path: path.join(data, 'logs', 'tasks', 'gh-1') });
    const refusals: [Parameters<typeof guardRemovable>[1], string][] = [
      ['workspace', path.join(data, 'workspaces')],
      ['workspace', path.join(data, 'workspaces', 'github', 'acme')],
      ['workspace', path.join(data, 'workspaces', 'github', 'acme', 'widgets', '42', '..', '..', '..', '..', '..', 'logs', 'tasks', 'x', 'y')],
      ['workspace', outside],
      ['log', path.join(data, 'logs', 'tasks')],
      ['log', path.join(data, 'logs', 'tasks', '..', '..', 'workspaces')],
      ['log', path.join(data, 'workspaces', 'github', 'acme', 'widgets', '42')],
      ['log', '/'],
    ];
    for (const [kind, candidate] of refusals) {
      assert.ok('refused' in guardRemovable(data, kind, candidate), `${kind} ${candidate} was allowed`);
    }
  });

  it('refuses a folder reached through a symbolic link', () => {
    fs.mkdirSync(path.join(outside, 'widgets', '7'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'widgets'), path.join(data, 'workspaces', 'github', 'acme', 'evil'));
    const result = guardRemovable(data, 'workspace', path.join(data, 'workspaces', 'github', 'acme', 'evil', '7'));
    assert.ok('refused' in result && /symbolic link/.test(result.refused), JSON.stringify(result));
  });

  it('lists folders at their depth only, and measures files without following links', async () => {
    fs.writeFileSync(path.join(data, 'workspaces', 'github', 'stray-file'), 'x');
    fs.writeFileSync(path.join(outside, 'big'), Buffer.alloc(10_000));
    const workspace = path.join(data, 'workspaces', 'github', 'acme', 'widgets', '42');
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'src', 'a.txt'), '12345');
    fs.writeFileSync(path.join(workspace, 'b.txt'), '123');
    fs.symlinkSync(outside, path.join(workspace, 'link'));
    assert.deepEqual(await listFolders(data, 'workspace'), [['github', 'acme', 'widgets', '42']]);
    assert.deepEqual(await listFolders(data, 'log'), [['gh-1']]);
    assert.deepEqual(await listFolders(path.join(data, 'nothing-here'), 'log'), []);
    const facts = await measureFolder(workspace);
    assert.equal(facts.bytes, 8 + fs.lstatSync(path.join(workspace, 'link')).size);
  });
});

describe('janitor folders of every provider', () => {
  it('lists a Slack workspace one level below its provider, and names its conversation', async () => {
    const data = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-janitor-')));
    const slack: ThreadRef = { provider: 'slack', key: 'T1/C2/1700000000.000100', label: 't', kind: 'Slack thread', address: {} };
    const dir = workspacePath(data, slack);
    fs.mkdirSync(path.join(dir, 'src', 'deep'), { recursive: true });
    fs.mkdirSync(path.join(data, 'workspaces', 'github', 'acme', 'widgets', '7'), { recursive: true });
    const folders = await listFolders(data, 'workspace');
    assert.deepEqual(folders.map((segments) => workflowIdOfWorkspace(segments)).sort(), ['github:acme/widgets#7', 'slack:T1/C2/1700000000.000100']);
    assert.deepEqual(guardRemovable(data, 'workspace', dir), { path: dir });
    assert.ok('refused' in guardRemovable(data, 'workspace', path.join(dir, 'src')));
  });
});
