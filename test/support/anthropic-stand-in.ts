import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Anthropic Messages API on 127.0.0.1, good enough for the real `claude` CLI
 * (Claude Code) to hold a full headless conversation against it: point `ANTHROPIC_BASE_URL` at `url`.
 *
 * Scenarios:
 * - `tool-then-answer` (default): a main-conversation turn whose last user message carries no
 *   `tool_result` answers with a `tool_use` of the shell tool the request advertises (`Bash`), running
 *   `command`; a turn whose last user message carries a `tool_result` answers with final text that
 *   quotes the result (`The README says: <content>`), so a test can prove the tool really ran.
 * - `always-tool`: every main-conversation turn asks for another tool use (for `--max-turns`).
 * - `server-error`: every `POST /v1/messages` answers HTTP `errorStatus` (500) with Anthropic's error
 *   JSON (`{"type":"error","error":{"type":"api_error","message":...}}`).
 *
 * "Main conversation" means a request whose `tools` include the shell tool; anything else sent to
 * `/v1/messages` (side requests for a title, a topic, a summary...) gets a short text answer.
 * `/v1/messages/count_tokens` answers an estimate; unknown paths answer 404 in Anthropic's error shape.
 * Every request is recorded, with the API key headers left out.
 *
 * Verified with claude 2.1.197: env `ANTHROPIC_BASE_URL=<url>`, `ANTHROPIC_API_KEY=<anything>`,
 * `CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1` (without it the CLI also calls api.anthropic.com directly
 * and sends a title side request here) and a temporary `HOME` (or `CLAUDE_CONFIG_DIR`); flags
 * `-p <prompt> --output-format stream-json --verbose --allowedTools Bash`. `--permission-mode
 * bypassPermissions` is refused as root unless `IS_SANDBOX=1`. An API error retries 10 times (~3 min)
 * unless `CLAUDE_CODE_MAX_RETRIES=0` or the error answer carries `x-should-retry: false`.
 * The CLI also sends `HEAD /` (connection warm-up) first: it is recorded as kind `other` and answered 404.
 */

export type AnthropicScenario = 'tool-then-answer' | 'always-tool' | 'server-error';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface AnthropicStandInOptions {
  scenario?: AnthropicScenario;
  /** The shell command the tool use runs (default `cat README.md`). */
  command?: string;
  /**
   * Tool uses to make instead of the one shell command, one per turn in this order, e.g. an MCP tool as
   * Claude Code names it (`mcp__<server>__<tool>`) with its input; then the final answer. A tool the
   * request does not offer ends the conversation with a text that says so (`stand-in: no tool <name>
   * offered`), so a test sees the tool was missing rather than hanging.
   */
  toolUses?: { name: string; input: Record<string, unknown> }[];
  /** The final answer, given the text of the tool result(s) it received (default `The README says: <content>`). */
  finalText?: (toolResult: string) => string;
  /** The text of side requests' answers (default `Stand-in reply.`). */
  sideText?: string;
  /** The model name put in answers (default: the request's `model`). */
  model?: string;
  /** Usage reported for each main-conversation answer (default 1200 in / 60 out). */
  usage?: AnthropicUsage;
  /** Usage reported for each side-request answer (default 150 in / 8 out). */
  sideUsage?: AnthropicUsage;
  /** `server-error`: the HTTP status (default 500). */
  errorStatus?: number;
  /** `server-error`: how many requests fail before answering normally as `tool-then-answer` (default: all). */
  errorCount?: number;
  /** `server-error`: headers added to the error answer (e.g. `{'x-should-retry': 'false'}`). */
  errorHeaders?: Record<string, string>;
  /** Port to listen on (default: any free port). */
  port?: number;
}

export type RequestKind = 'main' | 'side' | 'count_tokens' | 'other';

export interface RecordedAnthropicRequest {
  method: string;
  /** The path without the query, e.g. `/v1/messages`. */
  path: string;
  /** The query string without `?`, e.g. `beta=true` (empty when none). */
  query: string;
  /** The parsed JSON body; `undefined` when empty, the raw text when not JSON. */
  body: unknown;
  /** Request headers, without `x-api-key` and `authorization`. */
  headers: Record<string, string | string[] | undefined>;
  kind: RequestKind;
  /** What the stand-in answered: HTTP status, and for messages the kind of answer. */
  status: number;
  answer?: 'tool_use' | 'text' | 'error';
  /** Whether the request asked for SSE streaming. */
  stream: boolean;
  at: Date;
}

export interface AnthropicStandIn {
  url: string;
  requests: RecordedAnthropicRequest[];
  /** The recorded `/v1/messages` requests of the main conversation, in order. */
  mainRequests(): RecordedAnthropicRequest[];
  stop(): Promise<void>;
}

interface ContentBlock {
  type: string;
  [key: string]: unknown;
}

interface Message {
  role: string;
  content: string | ContentBlock[];
}

interface MessagesBody {
  model?: string;
  messages?: Message[];
  tools?: { name?: string; input_schema?: { properties?: Record<string, unknown> } }[];
  stream?: boolean;
  max_tokens?: number;
  output_config?: { format?: { type?: string; schema?: unknown } };
}

type AnswerBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

const DEFAULT_USAGE: AnthropicUsage = { input_tokens: 1200, output_tokens: 60 };
const DEFAULT_SIDE_USAGE: AnthropicUsage = { input_tokens: 150, output_tokens: 8 };

export async function startAnthropicStandIn(options: AnthropicStandInOptions = {}): Promise<AnthropicStandIn> {
  const scenario = options.scenario ?? 'tool-then-answer';
  const command = options.command ?? 'cat README.md';
  const finalText = options.finalText ?? ((result: string) => `The README says: ${result}`);
  const requests: RecordedAnthropicRequest[] = [];
  let errorsLeft = options.errorCount ?? Number.POSITIVE_INFINITY;
  let nextId = 1;
  const id = (prefix: string): string => `${prefix}_standin${String(nextId++).padStart(6, '0')}`;

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody('api_error', `stand-in failure: ${String(error)}`));
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    delete headers['x-api-key'];
    delete headers['authorization'];
    const record: RecordedAnthropicRequest = { method, path: url.pathname, query: url.search.replace(/^\?/, ''), body, headers, kind: 'other', status: 0, stream: false, at: new Date() };
    requests.push(record);

    if (method === 'POST' && url.pathname === '/v1/messages/count_tokens') {
      record.kind = 'count_tokens';
      record.status = 200;
      sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(text.length / 4)) });
      return;
    }
    if (method !== 'POST' || url.pathname !== '/v1/messages') {
      record.status = 404;
      sendJson(res, 404, errorBody('not_found_error', `stand-in: no route for ${method} ${url.pathname}`));
      return;
    }

    const request = (typeof body === 'object' && body !== null ? body : {}) as MessagesBody;
    const shellTool = findShellTool(request);
    record.kind = shellTool === undefined ? 'side' : 'main';
    record.stream = request.stream === true;

    if (scenario === 'server-error' && errorsLeft > 0) {
      errorsLeft--;
      record.status = options.errorStatus ?? 500;
      record.answer = 'error';
      sendJson(res, record.status, errorBody(record.status === 529 ? 'overloaded_error' : 'api_error', 'Internal server error (stand-in)'), options.errorHeaders);
      return;
    }

    const model = options.model ?? request.model ?? 'claude-stand-in';
    let blocks: AnswerBlock[];
    let usage: AnthropicUsage;
    if (shellTool === undefined) {
      // Side requests that ask for structured output (the session title: `{"title": ...}`) get JSON that fits the schema.
      const format = request.output_config?.format;
      const text = options.sideText ?? (format?.type === 'json_schema' ? JSON.stringify(sampleFor(format.schema)) : 'Stand-in reply.');
      blocks = [{ type: 'text', text }];
      usage = options.sideUsage ?? DEFAULT_SIDE_USAGE;
    } else {
      const toolResult = lastToolResult(request.messages ?? []);
      if (options.toolUses !== undefined) {
        const next = options.toolUses[toolResultCount(request.messages ?? [])];
        blocks =
          next === undefined
            ? [{ type: 'text', text: finalText(toolResult ?? '') }]
            : advertises(request, next.name)
              ? [
                  { type: 'text', text: `I will call \`${next.name}\`.` },
                  { type: 'tool_use', id: id('toolu'), name: next.name, input: next.input },
                ]
              : [{ type: 'text', text: `stand-in: no tool ${next.name} offered` }];
      } else {
        const useTool = scenario === 'always-tool' || toolResult === undefined;
        blocks = useTool
          ? [
              { type: 'text', text: `I will run \`${command}\`.` },
              { type: 'tool_use', id: id('toolu'), name: shellTool, input: { command, description: `Run ${command}` } },
            ]
          : [{ type: 'text', text: finalText(toolResult ?? '') }];
      }
      usage = options.usage ?? DEFAULT_USAGE;
    }
    record.status = 200;
    record.answer = blocks.some((block) => block.type === 'tool_use') ? 'tool_use' : 'text';
    const stopReason = record.answer === 'tool_use' ? 'tool_use' : 'end_turn';
    const message = { id: id('msg'), type: 'message', role: 'assistant', model };
    const fullUsage = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...usage };
    if (request.stream === true) {
      streamMessage(res, message, blocks, stopReason, fullUsage);
    } else {
      sendJson(res, 200, { ...message, content: blocks, stop_reason: stopReason, stop_sequence: null, usage: fullUsage }, { 'request-id': id('req') });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    mainRequests: () => requests.filter((request) => request.kind === 'main'),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function streamMessage(res: http.ServerResponse, message: Record<string, unknown>, blocks: AnswerBlock[], stopReason: string, usage: AnthropicUsage): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': id('req') });
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('message_start', {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
    });
    send('ping', { type: 'ping' });
    blocks.forEach((block, index) => {
      if (block.type === 'text') {
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const piece of split(block.text, 3)) send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
      } else {
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
        for (const piece of split(JSON.stringify(block.input), 3)) send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
      send('content_block_stop', { type: 'content_block_stop', index });
    });
    send('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
}

/** The name of the shell tool the request advertises: `Bash`, or any tool whose schema takes a `command`. */
function findShellTool(request: MessagesBody): string | undefined {
  const tools = Array.isArray(request.tools) ? request.tools : [];
  const named = tools.find((tool) => tool.name === 'Bash');
  if (named !== undefined) return 'Bash';
  return tools.find((tool) => typeof tool.name === 'string' && tool.input_schema?.properties?.['command'] !== undefined)?.name;
}

/** User messages that carry tool results: how many scripted tool uses were answered so far. */
function toolResultCount(messages: Message[]): number {
  return messages.filter((message) => message.role === 'user' && Array.isArray(message.content) && message.content.some((block) => block.type === 'tool_result')).length;
}

function advertises(request: MessagesBody, name: string): boolean {
  return Array.isArray(request.tools) && request.tools.some((tool) => tool.name === name);
}

/** The text of the tool results in the last user message, or undefined when it carries none. */
function lastToolResult(messages: Message[]): string | undefined {
  const last = messages.filter((message) => message.role === 'user').at(-1);
  if (last === undefined || typeof last.content === 'string') return undefined;
  const results = last.content.filter((block) => block.type === 'tool_result');
  if (results.length === 0) return undefined;
  return results.map((block) => contentText(block['content'])).join('\n');
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text' ? String((part as { text?: unknown }).text) : ''))
      .join('');
  }
  return '';
}

/** A small value that satisfies a JSON schema's basic shape (objects, strings, numbers, booleans, arrays, enums). */
function sampleFor(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return 'Stand-in';
  const s = schema as { type?: unknown; properties?: Record<string, unknown>; enum?: unknown[]; const?: unknown };
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  switch (s.type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([key, value]) => [key, sampleFor(value)]));
    case 'array':
      return [];
    case 'boolean':
      return false;
    case 'number':
    case 'integer':
      return 0;
    case 'null':
      return null;
    default:
      return 'Stand-in session';
  }
}

function split(text: string, parts: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.ceil(text.length / parts);
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function errorBody(type: string, message: string): unknown {
  return { type: 'error', error: { type, message } };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
