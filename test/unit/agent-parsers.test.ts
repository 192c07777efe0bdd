import assert from 'node:assert/strict';
import type { AgentEvent } from '../../activities/agent/events';
import { parseClaudeLine, parsePlainLine } from '../../activities/agent/parsers';

// Lines as Claude Code prints them with `-p --output-format stream-json --verbose`.
const SESSION = '8f6c2a4e-1b7d-4c39-9e0a-5d2f3b6a7c81';
const line = (value: unknown): string => JSON.stringify(value);

const INIT = line({
  type: 'system',
  subtype: 'init',
  cwd: '/work/repo',
  session_id: SESSION,
  tools: ['Bash', 'Read'],
  mcp_servers: [],
  model: 'claude-sonnet-4-5',
  permissionMode: 'default',
  apiKeySource: 'ANTHROPIC_API_KEY',
});
const ASSISTANT = line({
  type: 'assistant',
  message: {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [
      { type: 'text', text: 'Let me look at the files.' },
      { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
    ],
    stop_reason: null,
    usage: { input_tokens: 10, output_tokens: 5 },
  },
  parent_tool_use_id: null,
  session_id: SESSION,
});
const TOOL_RESULT = line({
  type: 'user',
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'README.md\n', is_error: false }] },
  parent_tool_use_id: null,
  session_id: SESSION,
});
const RESULT = line({
  type: 'result',
  subtype: 'success',
  is_error: false,
  duration_ms: 1234,
  duration_api_ms: 1000,
  num_turns: 2,
  result: 'Done.',
  session_id: SESSION,
  total_cost_usd: 0.0123,
  usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 0 },
});
const ERROR_RESULT = line({
  type: 'result',
  subtype: 'error_max_turns',
  is_error: true,
  duration_ms: 5000,
  num_turns: 10,
  session_id: SESSION,
  total_cost_usd: 0.5,
  usage: { input_tokens: 900, output_tokens: 300 },
});

function only(events: AgentEvent[]): AgentEvent {
  assert.equal(events.length, 1, JSON.stringify(events));
  return events[0]!;
}

describe('parseClaudeLine', () => {
  it('turns the init line into a session event with id, model and tools', () => {
    assert.deepEqual(only(parseClaudeLine(INIT)), { kind: 'session', sessionId: SESSION, model: 'claude-sonnet-4-5', tools: ['Bash', 'Read'] });
  });

  it('turns an assistant message into one text event and one tool call, in order', () => {
    assert.deepEqual(parseClaudeLine(ASSISTANT), [
      { kind: 'text', text: 'Let me look at the files.' },
      { kind: 'tool_call', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
    ]);
  });

  it('turns a user tool_result block into a tool_result event', () => {
    assert.deepEqual(only(parseClaudeLine(TOOL_RESULT)), { kind: 'tool_result', id: 'toolu_1', output: 'README.md\n', isError: false });
  });

  it('marks a tool_result with is_error as an error and joins text parts of array content', () => {
    const erroring = line({
      type: 'user',
      message: { content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'no such ' }, { type: 'text', text: 'file' }], is_error: true }] },
    });
    assert.deepEqual(only(parseClaudeLine(erroring)), { kind: 'tool_result', id: 'toolu_2', output: 'no such file', isError: true });
  });

  it('produces no events for a user message whose content is a plain string', () => {
    assert.deepEqual(parseClaudeLine(line({ type: 'user', message: { content: 'the prompt' } })), []);
  });

  it('skips content blocks of kinds it does not know, such as thinking', () => {
    const thinking = line({ type: 'assistant', message: { content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'text', text: 'Answer' }] } });
    assert.deepEqual(parseClaudeLine(thinking), [{ kind: 'text', text: 'Answer' }]);
  });

  it('turns a success result into a result event with text, session and usage', () => {
    assert.deepEqual(only(parseClaudeLine(RESULT)), {
      kind: 'result',
      isError: false,
      text: 'Done.',
      sessionId: SESSION,
      subtype: 'success',
      usage: { costUsd: 0.0123, turns: 2, inputTokens: 100, outputTokens: 20 },
    });
  });

  it('turns an error result without result text into an error result event without text', () => {
    const event = only(parseClaudeLine(ERROR_RESULT));
    assert.equal(event.kind, 'result');
    if (event.kind !== 'result') return;
    assert.equal(event.isError, true);
    assert.equal(event.subtype, 'error_max_turns');
    assert.equal('text' in event, false);
    assert.deepEqual(event.usage, { costUsd: 0.5, turns: 10, inputTokens: 900, outputTokens: 300 });
  });

  it('treats a result without is_error as an error unless its subtype is success', () => {
    const failed = only(parseClaudeLine(line({ type: 'result', subtype: 'error_during_execution' })));
    const succeeded = only(parseClaudeLine(line({ type: 'result', subtype: 'success', result: 'ok' })));
    assert.equal(failed.kind === 'result' && failed.isError, true);
    assert.equal(succeeded.kind === 'result' && succeeded.isError, false);
  });

  it('trusts is_error over the subtype: a success-subtype result with is_error true is an error', () => {
    const apiError = line({ type: 'result', subtype: 'success', is_error: true, result: 'API Error: 529 overloaded', session_id: SESSION });
    const event = only(parseClaudeLine(apiError));
    assert.equal(event.kind === 'result' && event.isError, true);
    assert.equal(event.kind === 'result' && event.text, 'API Error: 529 overloaded');
  });

  it('reports a stream_event line as unknown, keeping the parsed JSON', () => {
    const raw = { type: 'stream_event', event: { type: 'content_block_delta', delta: { text: 'Hel' } }, session_id: SESSION };
    assert.deepEqual(only(parseClaudeLine(line(raw))), { kind: 'unknown', raw });
  });

  it('reports a system line other than init as unknown', () => {
    const raw = { type: 'system', subtype: 'status', status: 'compacting', session_id: SESSION };
    assert.deepEqual(only(parseClaudeLine(line(raw))), { kind: 'unknown', raw });
  });

  it('reports an assistant line whose message has no content array as unknown', () => {
    assert.equal(only(parseClaudeLine(line({ type: 'assistant', message: {} }))).kind, 'unknown');
  });

  it('passes a line that is not JSON through as stdout output', () => {
    const text = 'Error: ANTHROPIC_API_KEY is not set';
    assert.deepEqual(only(parseClaudeLine(text)), { kind: 'output', line: text, stream: 'stdout' });
  });

  it('passes a truncated JSON line through as output instead of throwing', () => {
    const cut = RESULT.slice(0, 40);
    assert.deepEqual(only(parseClaudeLine(cut)), { kind: 'output', line: cut, stream: 'stdout' });
  });
});

describe('parsePlainLine', () => {
  it('turns any line, even one that looks like JSON, into stdout output', () => {
    assert.deepEqual(parsePlainLine('hello world'), [{ kind: 'output', line: 'hello world', stream: 'stdout' }]);
    assert.deepEqual(parsePlainLine(RESULT), [{ kind: 'output', line: RESULT, stream: 'stdout' }]);
  });
});
