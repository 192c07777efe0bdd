import assert from 'node:assert/strict';
import type { JanitorSurvey, LogFacts, TargetFacts, WorkspaceFacts } from '../../contracts/janitor';
import { formatAge, KEEP, planJanitor } from '../../workflows/janitor-plan';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const DAY = 86_400_000;
const options = { nowMs: NOW, retentionMs: 7 * DAY, idleCloseMs: 30 * DAY };
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

function running(id: string, status: Partial<NonNullable<TargetFacts['status']>> = {}): TargetFacts {
  return { workflowId: id, state: 'running', status: { phase: 'idle', queued: 0, deferred: 0, lastActivityAt: ago(DAY), ...status } };
}

function workspace(target: TargetFacts, extra: Partial<WorkspaceFacts> = {}): WorkspaceFacts {
  return { path: `/data/workspaces/${target.workflowId}`, bytes: 100, lastWriteAt: ago(60 * DAY), target, runningTaskIds: [], ...extra };
}

function log(taskId: string, task: LogFacts['task'], lastWriteAt = ago(60 * DAY)): LogFacts {
  return { path: `/data/logs/tasks/${taskId}`, bytes: 10, lastWriteAt, taskId, task };
}

function plan(survey: Partial<JanitorSurvey>) {
  return planJanitor({ surveyedAt: new Date(NOW).toISOString(), targets: [], workspaces: [], logs: [], problems: [], ...survey }, options);
}

const reasonOf = (result: ReturnType<typeof plan>, path: string) => result.keep.find((item) => item.path === path)?.reason;

describe('janitor decisions', () => {
  it('removes the workspace of a target closed longer ago than the retention, and keeps one closed recently', () => {
    const old = workspace({ workflowId: 'old', state: 'closed', closeTime: ago(8 * DAY) });
    const recent = workspace({ workflowId: 'recent', state: 'closed', closeTime: ago(6 * DAY) });
    const result = plan({ workspaces: [old, recent] });
    assert.deepEqual(result.remove.map((item) => [item.path, item.bytes, item.reason]), [[old.path, 100, 'closed 8d ago']]);
    assert.equal(reasonOf(result, recent.path), KEEP.closedRecently);
  });

  it('never removes a folder whose task runs, even when its target looks long closed', () => {
    const closed = { workflowId: 'closed', state: 'closed', closeTime: ago(30 * DAY) } as const;
    const result = plan({
      workspaces: [workspace(closed, { runningTaskIds: ['gh-1'] }), workspace(running('busy', { phase: 'running', currentTaskId: 'gh-2' }))],
      logs: [log('gh-1', { workflowId: 'closed/task/gh-1', state: 'running' })],
    });
    assert.deepEqual(result.remove, []);
    assert.deepEqual(result.keep.map((item) => item.reason), [KEEP.taskRunning, KEEP.taskRunning, KEEP.taskRunning]);
  });

  it('closes a target idle longer than the idle period and keeps its workspace this time', () => {
    const idle = running('idle', { lastActivityAt: ago(31 * DAY) });
    const result = plan({ targets: [idle, running('fresh')], workspaces: [workspace(idle), workspace(running('fresh'))] });
    assert.deepEqual(result.close, [{ workflowId: 'idle', idleMs: 31 * DAY }]);
    assert.equal(reasonOf(result, workspace(idle).path), KEEP.targetIdleClosing);
    assert.equal(reasonOf(result, workspace(running('fresh')).path), KEEP.targetActive);
    assert.deepEqual(result.remove, []);
  });

  it('does not close an idle-looking target with queued or deferred requests, or one whose status is unknown', () => {
    const long = ago(90 * DAY);
    const result = plan({
      targets: [
        running('queued', { lastActivityAt: long, queued: 1 }),
        running('deferred', { lastActivityAt: long, deferred: 1 }),
        running('closing', { lastActivityAt: long, phase: 'closing' }),
        { workflowId: 'unknown', state: 'running', statusError: 'query timed out' },
      ],
    });
    assert.deepEqual(result.close, []);
  });

  it('with no workflow record, removes only folders untouched for longer than the retention', () => {
    const missing = { workflowId: 'gone', state: 'not_found' } as const;
    const result = plan({
      workspaces: [workspace(missing), workspace(missing, { path: '/data/workspaces/new', lastWriteAt: ago(DAY) })],
      logs: [log('gh-old', { workflowId: '(task gh-old)', state: 'not_found' }), log('gh-new', { workflowId: '(task gh-new)', state: 'not_found' }, ago(1000))],
    });
    assert.deepEqual(result.remove.map((item) => item.path), ['/data/workspaces/gone', '/data/logs/tasks/gh-old']);
    assert.match(result.remove[0]!.reason, /no workflow record, untouched for 60d/);
    assert.deepEqual(result.keep.map((item) => item.reason), [KEEP.noRecordRecent, KEEP.noRecordRecent]);
  });

  it('removes the log of a task closed longer ago than the retention, whatever its target does', () => {
    const result = plan({ logs: [log('gh-9', { workflowId: 't/task/gh-9', state: 'closed', closeTime: ago(9 * DAY) })] });
    assert.deepEqual(result.remove.map((item) => [item.kind, item.taskId, item.workflowId]), [['log', 'gh-9', 't/task/gh-9']]);
  });

  it('writes ages with their two largest units', () => {
    assert.equal(formatAge(8 * DAY + 3_600_000), '8d 1h');
    assert.equal(formatAge(7 * DAY), '7d');
    assert.equal(formatAge(90_500), '1m 30s');
    assert.equal(formatAge(250), '250ms');
  });
});
