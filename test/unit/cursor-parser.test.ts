import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AgentEvent } from '../../activities/agent/events';
import { parseCursorLine } from '../../activities/agent/parsers';
import { ResultCollector } from '../../activities/agent/result-collector';

// test/fixtures/cursor/*.jsonl are written by hand from Cursor's documented stream-json format
// (cursor.com/docs/cli/reference/output-format), not recorded from a binary: no cursor-agent is available.

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cursor');

type Json = Record<string, unknown>;

function lines(name: string): string[] {
  return fs
    .readFileSync(path.join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

function records(name: string): Json[] {
  return lines(name).map((line) => JSON.parse(line) as Json);
}

/** The `tool_call` line of one call and subtype, unwrapped to `{ args, result }`. */
function toolCallLine(name: string, callId: string, subtype: 'started' | 'completed'): { key: string; args: unknown; result?: Json } {
  const found = records(name).find((json) => json['type'] === 'tool_call' && json['call_id'] === callId && json['subtype'] === subtype);
  assert.ok(found, `no ${subtype} line for ${callId}`);
  const [key, call] = Object.entries(found['tool_call'] as Record<string, { args: unknown; result?: Json }>)[0]!;
  return { key, ...call };
}

function replay(name: string): AgentEvent[] {
  return lines(name).flatMap((line) => parseCursorLine(line));
}

function collect(events: AgentEvent[]): ResultCollector {
  const collector = new ResultCollector();
  for (const event of events) collector.add(event);
  return collector;
}

function ofKind<K extends AgentEvent['kind']>(events: AgentEvent[], kind: K): Extract<AgentEvent, { kind: K }>[] {
  return events.filter((event): event is Extract<AgentEvent, { kind: K }> => event.kind === kind);
}

const one = (events: AgentEvent[]): AgentEvent => {
  assert.equal(events.length, 1, JSON.stringify(events));
  return events[0]!;
};

describe('parseCursorLine on the documented success transcript', () => {
  const FILE = 'success.jsonl';
  const all = records(FILE);
  const init = all.find((json) => json['type'] === 'system')!;
  const final = all.find((json) => json['type'] === 'result')!;
  const events = replay(FILE);

  it('turns system/init into a session event with the session id and model', () => {
    assert.deepEqual(one(parseCursorLine(lines(FILE)[0]!)), { kind: 'session', sessionId: init['session_id'], model: 'Claude 4 Sonnet' });
    assert.equal(ofKind(events, 'session').length, 1);
  });

  it('drops the echoed user prompt', () => {
    const userLine = lines(FILE).find((line) => (JSON.parse(line) as Json)['type'] === 'user')!;
    assert.deepEqual(parseCursorLine(userLine), []);
    assert.equal(
      events.some((event) => JSON.stringify(event).includes('Summarize README.md into SUMMARY.md')),
      false,
    );
  });

  it('turns each assistant message into one text event, in order', () => {
    const texts = all
      .filter((json) => json['type'] === 'assistant')
      .map((json) => ((json['message'] as { content: { text: string }[] }).content[0]!.text));
    assert.equal(texts.length, 3);
    assert.deepEqual(
      ofKind(events, 'text').map((event) => event.text),
      texts,
    );
  });

  it('turns readToolCall started into a `read` tool call with its args and call id', () => {
    assert.deepEqual(ofKind(events, 'tool_call')[0], { kind: 'tool_call', id: 'toolu_read_1', name: 'read', input: { path: 'README.md' } });
  });

  it('turns readToolCall completed into a successful tool result holding the file content', () => {
    const content = (toolCallLine(FILE, 'toolu_read_1', 'completed').result!['success'] as { content: string }).content;
    const result = ofKind(events, 'tool_result').find((event) => event.id === 'toolu_read_1');
    assert.ok(result);
    assert.equal(result.isError, false);
    assert.ok(result.output.includes(content), result.output);
  });

  it('turns writeToolCall started into a `write` tool call with path and file text', () => {
    const { args } = toolCallLine(FILE, 'toolu_write_2', 'started');
    const call = ofKind(events, 'tool_call').find((event) => event.id === 'toolu_write_2');
    assert.deepEqual(call, { kind: 'tool_call', id: 'toolu_write_2', name: 'write', input: args });
    assert.equal((call.input as { path?: unknown }).path, 'SUMMARY.md');
  });

  it('turns writeToolCall completed into a successful tool result naming the written file', () => {
    const result = ofKind(events, 'tool_result').find((event) => event.id === 'toolu_write_2');
    assert.ok(result);
    assert.equal(result.isError, false);
    assert.match(result.output, /\/repo\/SUMMARY\.md/);
    assert.match(result.output, /linesCreated/);
  });

  it('pairs every tool call with exactly one tool result, in call order', () => {
    assert.deepEqual(
      ofKind(events, 'tool_call').map((event) => event.id),
      ofKind(events, 'tool_result').map((event) => event.id),
    );
    assert.equal(ofKind(events, 'tool_call').length, 2);
  });

  it('turns the terminal result into a result event with text, session and subtype, and no usage', () => {
    assert.deepEqual(one(ofKind(events, 'result')), {
      kind: 'result',
      isError: false,
      text: final['result'],
      sessionId: final['session_id'],
      subtype: 'success',
      usage: {},
    });
  });

  it('produces nothing unknown and no plain output for a documented transcript', () => {
    assert.deepEqual(
      events.filter((event) => event.kind === 'unknown' || event.kind === 'output' || event.kind === 'error'),
      [],
    );
  });

  it("collects a successful 'cursor' outcome with the result text and session id", () => {
    const outcome = collect(events).finish('cursor', 0);
    assert.equal(outcome.success, true);
    assert.equal(outcome.failureType, undefined);
    assert.equal(outcome.text, final['result']);
    assert.equal(outcome.sessionId, final['session_id']);
    assert.deepEqual(outcome.usage, {});
    assert.equal(outcome.sessionUsage, undefined);
  });
});

describe('parseCursorLine on the documented tool-error transcript', () => {
  const FILE = 'tool-error.jsonl';
  const final = records(FILE).find((json) => json['type'] === 'result')!;
  const events = replay(FILE);
  const errorMessage = (toolCallLine(FILE, 'toolu_read_9', 'completed').result!['error'] as { errorMessage: string }).errorMessage;

  it('turns a failed tool call into a tool result marked as an error, with the error message', () => {
    const result = one(ofKind(events, 'tool_result'));
    assert.equal(result.kind, 'tool_result');
    if (result.kind !== 'tool_result') return;
    assert.equal(result.isError, true);
    assert.equal(result.id, 'toolu_read_9');
    assert.ok(result.output.includes(errorMessage), result.output);
  });

  it('still names the failed call `read` with its args', () => {
    assert.deepEqual(one(ofKind(events, 'tool_call')), { kind: 'tool_call', id: 'toolu_read_9', name: 'read', input: { path: 'missing.md' } });
  });

  it("collects a successful 'cursor' outcome: a failed tool is the agent's to handle, not a failed run", () => {
    const outcome = collect(events).finish('cursor', 0);
    assert.equal(outcome.success, true);
    assert.equal(outcome.text, final['result']);
    assert.equal(outcome.sessionId, final['session_id']);
  });
});

describe('parseCursorLine edge cases', () => {
  const SESSION = 'c6b62c6f-7ead-4fd6-9922-e952131177ff';

  it('marks a completed call whose result is neither success nor error as an error', () => {
    const line = JSON.stringify({
      type: 'tool_call',
      subtype: 'completed',
      call_id: 'c1',
      tool_call: { shellToolCall: { args: { command: 'rm -rf /' }, result: { rejected: { reason: 'denied' } } } },
      session_id: SESSION,
    });
    const event = one(parseCursorLine(line));
    assert.equal(event.kind, 'tool_result');
    if (event.kind !== 'tool_result') return;
    assert.equal(event.isError, true);
    assert.match(event.output, /denied/);
  });

  it('turns a result line with is_error true into an error result', () => {
    const line = JSON.stringify({ type: 'result', subtype: 'error', is_error: true, result: 'quota exceeded', session_id: SESSION });
    const event = one(parseCursorLine(line));
    assert.deepEqual(event, { kind: 'result', isError: true, text: 'quota exceeded', sessionId: SESSION, subtype: 'error', usage: {} });
    const outcome = collect([event]).finish('cursor', 1);
    assert.equal(outcome.success, false);
    assert.equal(outcome.failureType, 'AgentFailed');
    assert.match(outcome.text, /quota exceeded/);
  });

  it('keeps a non-JSON line as plain stdout output', () => {
    assert.deepEqual(parseCursorLine('Authenticating...'), [{ kind: 'output', line: 'Authenticating...', stream: 'stdout' }]);
  });

  it('keeps an unexpected JSON line as unknown rather than throwing', () => {
    const raw = { type: 'thinking', subtype: 'delta', text: 'hmm' };
    assert.deepEqual(parseCursorLine(JSON.stringify(raw)), [{ kind: 'unknown', raw }]);
  });

  it('fails the run with the stderr message when the stream ends early without a result (documented failure mode)', () => {
    const events = lines('success.jsonl')
      .slice(0, 4)
      .flatMap((line) => parseCursorLine(line));
    events.push({ kind: 'output', line: 'Error: you have run out of requests', stream: 'stderr' });
    const outcome = collect(events).finish('cursor', 1);
    assert.equal(outcome.success, false);
    assert.match(outcome.text, /exited with code 1/);
    assert.match(outcome.text, /run out of requests/);
  });
});
