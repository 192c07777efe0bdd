import assert from 'node:assert/strict';
import { formatLogRecord, ProgressDisplay } from '../../scripts/agent-cli/display';

function stream(isTTY: boolean, columns = 40) {
  const written: string[] = [];
  return { written, out: { isTTY, columns, write: (text: string) => written.push(text) } };
}

describe('agent CLI display', () => {
  it('on a terminal, redraws one line in place, cut to the width', () => {
    const { written, out } = stream(true, 40);
    const display = new ProgressDisplay(out);
    display.update({ stage: 'running', elapsedMs: 1_000, lastLine: 'reading src/cache.ts' });
    display.update({ stage: 'running', elapsedMs: 2_000, lastLine: 'a very long line that does not fit in forty columns at all' });
    display.note('The plan waits for approval');
    assert.equal(written[0], '\r\x1b[2K⏳ running · 1s · reading src/cache.ts');
    assert.ok(written[1]!.startsWith('\r\x1b[2K⏳ running · 2s · a very long'));
    assert.equal(written[1]!.length - '\r\x1b[2K'.length, 39, 'one column short of the width, ending in an ellipsis');
    assert.ok(written[1]!.endsWith('…'));
    assert.deepEqual(written.slice(2), ['\r\x1b[2K', 'The plan waits for approval\n'], 'the line is cleared before a note');
  });

  it('elsewhere, writes a plain line only when the stage or the last line changes', () => {
    const { written, out } = stream(false);
    const display = new ProgressDisplay(out);
    display.update({ stage: 'queued', elapsedMs: 0 });
    display.update({ stage: 'queued', elapsedMs: 1_000 });
    display.update({ stage: 'running', elapsedMs: 2_000, lastLine: 'working 1/4' });
    display.update({ stage: 'running', elapsedMs: 3_000, lastLine: 'working 1/4' });
    display.update({ stage: 'running', elapsedMs: 65_000, lastLine: 'working\n2/4' });
    display.clear();
    assert.deepEqual(written, ['[0s] queued\n', '[2s] running · working 1/4\n', '[1m 5s] running · working 2/4\n']);
  });

  it('prints log records for people', () => {
    assert.equal(formatLogRecord('{"ts":"t","task_id":"x","event_type":"cli_output","stream":"stdout","line":"hello"}'), 'hello');
    assert.equal(formatLogRecord('{"event_type":"progress","stage":"workspace","message":"empty workspace at /w"}'), '[workspace] empty workspace at /w');
    assert.equal(formatLogRecord('{"event_type":"completion","success":true,"result":"42\\nmore"}'), '[done] 42');
    assert.equal(formatLogRecord('{"ts":"t","task_id":"x","event_type":"tool_call","name":"Read"}'), '[tool_call] {"name":"Read"}');
    assert.equal(formatLogRecord('not json'), 'not json');
  });
});
