import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TaskLog, taskLogPath } from '../../activities/agent/task-log';

type LogRecord = Record<string, unknown> & { ts: string; task_id: string; event_type: string };

function readRecords(file: string): { lines: string[]; records: LogRecord[] } {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'the log must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  return { lines, records: lines.map((line) => JSON.parse(line) as LogRecord) };
}

describe('TaskLog', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-task-log-'));
  });

  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('creates the folder and writes one JSON object per line with ts, task_id and event_type', async () => {
    const file = path.join(tmp, 'logs', 'tasks', 'gh-1', 'stream.jsonl');
    const log = new TaskLog(file, 'gh-1');
    const before = Date.now();
    log.progress('starting', 'attempt 1');
    log.event({ kind: 'session', sessionId: 's-1', model: 'm' });
    log.event({ kind: 'tool_call', id: 't1', name: 'Bash', input: { command: 'ls' } });
    log.event({ kind: 'output', line: 'hello', stream: 'stdout' });
    log.completion(true, 'done');
    await log.close();
    const after = Date.now();

    const { records } = readRecords(file);
    assert.deepEqual(
      records.map((record) => record.event_type),
      ['progress', 'session', 'tool_call', 'cli_output', 'completion'],
    );
    for (const record of records) {
      assert.equal(record.task_id, 'gh-1');
      assert.match(record.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const ms = Date.parse(record.ts);
      assert.ok(ms >= before - 1 && ms <= after + 1, `ts ${record.ts} outside the test's time`);
    }
    assert.equal(records[1]!['session_id'], 's-1');
    assert.deepEqual(records[2]!['input'], { command: 'ls' });
    assert.equal(records[3]!['line'], 'hello');
    assert.equal(records[3]!['stream'], 'stdout');
    assert.equal(records[4]!['success'], true);
    assert.equal(records[4]!['result'], 'done');
  });

  it('keeps multi-line text, quotes, control characters and non-ASCII on one line each, intact', async () => {
    const file = path.join(tmp, 'stream.jsonl');
    const taskId = 'id "with" quotes\\';
    const tricky = 'say "hi"\ttab \\ back\u0000nul ünïcödé 🚀';
    const log = new TaskLog(file, taskId);
    log.event({ kind: 'text', text: 'line one\nline two\r\nline three' });
    log.event({ kind: 'output', line: tricky, stream: 'stderr' });
    log.event({ kind: 'tool_result', id: 't', output: 'a\nb', isError: true });
    await log.close();

    const { lines, records } = readRecords(file);
    assert.equal(lines.length, 3);
    assert.equal(records[0]!['text'], 'line one\nline two\r\nline three');
    assert.equal(records[1]!['line'], tricky);
    assert.equal(records[1]!['stream'], 'stderr');
    assert.equal(records[2]!['is_error'], true);
    for (const record of records) assert.equal(record.task_id, taskId);
  });

  it('appends to an existing log instead of truncating it', async () => {
    const file = path.join(tmp, 'stream.jsonl');
    const first = new TaskLog(file, 'gh-1');
    first.progress('attempt', '1');
    await first.close();
    const second = new TaskLog(file, 'gh-1');
    second.progress('attempt', '2');
    await second.close();
    assert.deepEqual(
      readRecords(file).records.map((record) => record['message']),
      ['1', '2'],
    );
  });

  it('writes an MCP call and its result as an mcp_call / mcp_result pair, even past the cap', async () => {
    const file = path.join(tmp, 'stream.jsonl');
    const log = new TaskLog(file, 'gh-1', 1_024);
    log.event({ kind: 'output', line: 'x'.repeat(2_000), stream: 'stdout' });
    log.event({ kind: 'output', line: 'over the cap', stream: 'stdout' });
    log.mcpCall({ id: 'c1', server: 'agent-bot', tool: 'post-thread-message', input: { text: 'hi' } });
    log.mcpResult({ id: 'c1', server: 'agent-bot', tool: 'post-thread-message', isError: false, output: 'Posted.', durationMs: 12 });
    await log.close();
    const mcp = readRecords(file).records.filter((record) => record.event_type.startsWith('mcp_'));
    assert.deepEqual(mcp.map(({ ts: _ts, ...rest }) => rest), [
      { task_id: 'gh-1', event_type: 'mcp_call', id: 'c1', server: 'agent-bot', tool: 'post-thread-message', input: { text: 'hi' } },
      { task_id: 'gh-1', event_type: 'mcp_result', id: 'c1', server: 'agent-bot', tool: 'post-thread-message', is_error: false, output: 'Posted.', duration_ms: 12 },
    ]);
  });

  describe('maxBytes', () => {
    const MAX = 1_000;
    const line = (i: number): string => `output line ${String(i).padStart(4, '0')} ${'x'.repeat(60)}`;

    async function cappedLog(): Promise<{ lines: string[]; records: LogRecord[] }> {
      const file = path.join(tmp, 'stream.jsonl');
      const log = new TaskLog(file, 'gh-cap', MAX);
      for (let i = 0; i < 200; i++) log.event({ kind: 'output', line: line(i), stream: 'stdout' });
      log.event({ kind: 'text', text: 'after the cap' });
      log.event({ kind: 'tool_call', name: 'Bash', input: {} });
      log.progress('exited', 'exit code 0');
      log.completion(true, 'the final answer');
      await log.close();
      return readRecords(file);
    }

    it('stops writing output records once the log reaches maxBytes', async () => {
      const { lines, records } = await cappedLog();
      const capIndex = records.findIndex((record) => record.event_type === 'progress' && record['stage'] === 'log_capped');
      assert.ok(capIndex > 0, 'no log_capped note');
      const outputs = records.filter((record) => record.event_type === 'cli_output');
      assert.ok(outputs.length > 0 && outputs.length < 200, `${outputs.length} output records kept`);
      // Everything before the note had reached the limit, and was under it before its last record.
      const bytesBefore = lines.slice(0, capIndex).map((text) => Buffer.byteLength(text) + 1);
      const total = bytesBefore.reduce((sum, n) => sum + n, 0);
      assert.ok(total >= MAX, `capped at ${total} bytes, before reaching ${MAX}`);
      assert.ok(total - bytesBefore.at(-1)! < MAX, `kept ${total} bytes, more than one record past ${MAX}`);
      // The kept lines are the first ones, in order.
      assert.deepEqual(
        outputs.map((record) => record['line']),
        outputs.map((_, i) => line(i)),
      );
    });

    it('writes exactly one log_capped note, naming the limit, and drops every later event', async () => {
      const { records } = await cappedLog();
      const notes = records.filter((record) => record['stage'] === 'log_capped');
      assert.equal(notes.length, 1);
      assert.match(String(notes[0]!['message']), new RegExp(`${MAX} bytes`));
      const capIndex = records.indexOf(notes[0]!);
      const after = records.slice(capIndex + 1).map((record) => record.event_type);
      assert.deepEqual(after, ['progress', 'completion']);
    });

    it('still writes progress and the completion after the cap', async () => {
      const { records } = await cappedLog();
      const last = records.at(-1)!;
      assert.equal(last.event_type, 'completion');
      assert.equal(last['success'], true);
      assert.equal(last['result'], 'the final answer');
      assert.ok(records.some((record) => record['stage'] === 'exited'));
    });

    it('writes no note when the output stays under the limit', async () => {
      const file = path.join(tmp, 'stream.jsonl');
      const log = new TaskLog(file, 'gh-small', 100_000);
      for (let i = 0; i < 10; i++) log.event({ kind: 'output', line: line(i), stream: 'stdout' });
      log.completion(true, 'ok');
      await log.close();
      const { records } = readRecords(file);
      assert.equal(records.filter((record) => record['stage'] === 'log_capped').length, 0);
      assert.equal(records.filter((record) => record.event_type === 'cli_output').length, 10);
    });
  });
});

describe('taskLogPath', () => {
  const dataDir = '/data/agent-bot';
  const tasks = path.join(dataDir, 'logs', 'tasks');

  it('puts an ordinary task id in its own folder under logs/tasks', () => {
    assert.equal(taskLogPath(dataDir, 'gh-3f2a-91'), path.join(tasks, 'gh-3f2a-91', 'stream.jsonl'));
  });

  it('keeps a traversal attempt inside logs/tasks as a single folder', () => {
    assert.equal(taskLogPath(dataDir, '../../etc/passwd'), path.join(tasks, '.._.._etc_passwd', 'stream.jsonl'));
  });

  it('replaces `..`, `.` and an empty id with a placeholder folder', () => {
    for (const id of ['..', '.', '']) assert.equal(taskLogPath(dataDir, id), path.join(tasks, '_', 'stream.jsonl'), JSON.stringify(id));
  });

  it('never leaves logs/tasks, whatever the id', () => {
    for (const id of ['/etc/passwd', '..\\..\\windows', 'a/../../b', '~root', 'x\0y', ' ../']) {
      const relative = path.relative(tasks, taskLogPath(dataDir, id));
      const segments = relative.split(path.sep);
      assert.equal(segments.length, 2, `${JSON.stringify(id)} → ${relative}`);
      assert.equal(segments[1], 'stream.jsonl');
      assert.ok(segments[0] !== '..' && segments[0] !== '.' && !segments[0]!.includes('/'), `${JSON.stringify(id)} → ${relative}`);
    }
  });
});
