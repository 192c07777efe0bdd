import assert from 'node:assert/strict';
import { ProgressTracker } from '../../activities/agent/progress';
import { MAX_PROGRESS_LINES } from '../../contracts/task';

function output(line: string) {
  return { kind: 'output', line, stream: 'stdout' } as const;
}

describe('ProgressTracker', () => {
  it('starts at the given stage with no lines and no cost', () => {
    const snapshot = new ProgressTracker('starting agent').snapshot();
    assert.equal(snapshot.stage, 'starting agent');
    assert.equal(snapshot.lineCount, 0);
    assert.deepEqual(snapshot.lastLines, []);
    assert.equal('costUsd' in snapshot, false);
  });

  it(`keeps only the last ${MAX_PROGRESS_LINES} lines, oldest dropped first`, () => {
    const tracker = new ProgressTracker('running');
    for (let i = 1; i <= 25; i++) tracker.add(output(`line ${i}`));
    const { lastLines, lineCount } = tracker.snapshot();
    assert.equal(lastLines.length, MAX_PROGRESS_LINES);
    assert.equal(lastLines[0], `line ${25 - MAX_PROGRESS_LINES + 1}`);
    assert.equal(lastLines.at(-1), 'line 25');
    assert.equal(lineCount, 25);
  });

  it('cuts a long line and marks the cut with an ellipsis', () => {
    const tracker = new ProgressTracker('running');
    tracker.add(output('y'.repeat(5_000)));
    const [kept] = tracker.snapshot().lastLines;
    assert.ok(kept !== undefined);
    assert.ok(kept.length < 5_000 && kept.length <= 301, `kept ${kept.length} chars`);
    assert.ok(kept.endsWith('…'));
  });

  it('keeps a 300-char line whole', () => {
    const tracker = new ProgressTracker('running');
    tracker.add(output('z'.repeat(300)));
    assert.equal(tracker.snapshot().lastLines[0], 'z'.repeat(300));
  });

  it('sets the stage to "tool: <name>" on a tool call and shows the call', () => {
    const tracker = new ProgressTracker('running');
    tracker.add({ kind: 'tool_call', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } });
    const snapshot = tracker.snapshot();
    assert.equal(snapshot.stage, 'tool: Bash');
    assert.ok(snapshot.lastLines[0]?.includes('Bash'));
  });

  it('shows the first line of agent text and of a tool result, flagging a failed tool', () => {
    const tracker = new ProgressTracker('running');
    tracker.add({ kind: 'text', text: 'First thought\nmore detail' });
    tracker.add({ kind: 'tool_result', output: 'permission denied\nstack', isError: true });
    const [text, result] = tracker.snapshot().lastLines;
    assert.equal(text, 'First thought');
    assert.ok(result?.includes('permission denied'));
    assert.ok(result?.includes('error'));
    assert.equal(result?.includes('stack'), false);
  });

  it('shows the cost it is given and counts that as a change', () => {
    const tracker = new ProgressTracker('running');
    const before = tracker.version;
    tracker.setCost(0.0123);
    assert.equal(tracker.snapshot().costUsd, 0.0123);
    assert.ok(tracker.version > before);
  });

  it('keeps the earlier cost when no cost is known', () => {
    const tracker = new ProgressTracker('running');
    tracker.setCost(0.5);
    const version = tracker.version;
    tracker.setCost(undefined);
    tracker.setCost(0.5);
    assert.equal(tracker.snapshot().costUsd, 0.5);
    assert.equal(tracker.version, version, 'an unchanged cost is not a change');
  });

  it('adds no visible line for session and unknown events but still counts them', () => {
    const tracker = new ProgressTracker('running');
    tracker.add({ kind: 'session', sessionId: 's-1' });
    tracker.add({ kind: 'unknown', raw: { type: 'stream_event' } });
    const snapshot = tracker.snapshot();
    assert.deepEqual(snapshot.lastLines, []);
    assert.equal(snapshot.lineCount, 2);
  });

  it('increments the version on every event and every stage change', () => {
    const tracker = new ProgressTracker('starting');
    const versions = [tracker.version];
    tracker.add(output('a'));
    versions.push(tracker.version);
    tracker.add({ kind: 'session', sessionId: 's-1' });
    versions.push(tracker.version);
    tracker.stage('posting result');
    versions.push(tracker.version);
    for (let i = 1; i < versions.length; i++) assert.ok(versions[i]! > versions[i - 1]!, `versions ${versions.join(',')}`);
    assert.equal(tracker.snapshot().stage, 'posting result');
  });

  it('returns a snapshot that later events do not change', () => {
    const tracker = new ProgressTracker('running');
    tracker.add(output('first'));
    const before = tracker.snapshot();
    tracker.add(output('second'));
    assert.deepEqual(before.lastLines, ['first']);
  });
});
