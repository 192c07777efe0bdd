import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the OpenAI Responses API on 127.0.0.1, speaking the streaming wire format the Codex CLI
 * (`wire_api = "responses"`) parses, so the real `codex exec --json` can run a whole conversation offline.
 *
 * Point a Codex custom provider at it: `model_providers.<name>.base_url = <url>` (`url` already ends in
 * `/v1`); Codex then POSTs `{url}/responses` with `stream: true` and reads SSE frames
 * `event: <type>\ndata: <json>\n\n`. Codex acts on `response.created`, `response.output_item.added` /
 * `.done` items, `response.output_text.delta` and `response.completed` (with `usage`); the other frames are
 * sent for fidelity. Anything else answers 404 with OpenAI's error envelope, including the WebSocket upgrade
 * (`GET /v1/responses`) that the built-in `openai` provider tries first (Codex then falls back to HTTP).
 */

export type OpenAiStandInScenario = 'tool-then-answer' | 'server-error';

export interface OpenAiStandInOptions {
  /** `'tool-then-answer'` (default): run `command` with the shell tool, then answer with its output. */
  scenario?: OpenAiStandInScenario;
  /** Shell command the model asks Codex to run in the workspace. Default `cat README.md`. */
  command?: string;
  /** Assistant text sent alongside the tool call (Codex reports it as an `agent_message`); `''` sends none. */
  preamble?: string;
  /**
   * Final answer built from the tool output Codex sent back (`function_call_output.output`, which for
   * `exec_command` is wrapped: `Chunk ID: ...\nWall time: ...\nProcess exited with code 0\n...Output:\n<stdout>`).
   * Default: `The command printed:\n<stdout>` with the wrapper removed.
   */
  finalText?: (toolOutput: string) => string;
  /** Usage reported in each `response.completed`. */
  usage?: Partial<ResponsesUsageNumbers>;
  /** Status for the `'server-error'` scenario. Default 500. */
  errorStatus?: number;
}

export interface ResponsesUsageNumbers {
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

export interface RecordedOpenAiRequest {
  method: string;
  path: string;
  /** Parsed JSON body (`undefined` when empty, the raw text when it is not JSON). */
  body: unknown;
  /** Request headers; an `authorization` header keeps only its scheme (`Bearer [redacted]`). */
  headers: Record<string, string>;
  /** `Date.now()` when the request arrived (to measure retry delays). */
  receivedAt: number;
}

export interface OpenAiStandIn {
  /** Base URL for the provider's `base_url`, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  requests: RecordedOpenAiRequest[];
  stop(): Promise<void>;
}

/** How the model should call the shell tool Codex advertised in the request's `tools`. */
type ShellCall =
  | { kind: 'function'; name: string; argumentsFor: (command: string) => Record<string, unknown> }
  | { kind: 'local_shell' };

const DEFAULT_USAGE: ResponsesUsageNumbers = { input_tokens: 1200, cached_tokens: 0, output_tokens: 40, reasoning_tokens: 0 };

export async function startOpenAiStandIn(options: OpenAiStandInOptions = {}): Promise<OpenAiStandIn> {
  const scenario = options.scenario ?? 'tool-then-answer';
  const command = options.command ?? 'cat README.md';
  const preamble = options.preamble ?? `I'll run \`${command}\` first.`;
  const finalText = options.finalText ?? ((output: string) => `The command printed:\n${commandOutput(output).trim()}`);
  const usage = { ...DEFAULT_USAGE, ...options.usage };
  const requests: RecordedOpenAiRequest[] = [];
  let counter = 0;
  const nextId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}${(counter++).toString(16)}`;

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(`stand-in failure: ${String(error)}`, 'server_error'));
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    const method = req.method ?? 'GET';
    const body = parseBody(text);
    requests.push({ method, path, body, headers: recordHeaders(req.headers), receivedAt });

    if (method === 'POST' && path.endsWith('/responses')) {
      if (scenario === 'server-error') {
        sendJson(res, options.errorStatus ?? 500, errorBody('The server had an error while processing your request. Sorry about that!', 'server_error'));
        return;
      }
      respondToTurn(res, body);
      return;
    }
    if (method === 'GET' && path.endsWith('/models')) {
      sendJson(res, 200, { object: 'list', data: [{ id: 'stand-in-model', object: 'model', created: 1_700_000_000, owned_by: 'stand-in' }] });
      return;
    }
    sendJson(res, 404, errorBody(`Unknown request URL: ${method} ${path}`, 'invalid_request_error', 'unknown_url'));
  }

  function respondToTurn(res: http.ServerResponse, body: unknown): void {
    const request = isRecord(body) ? body : {};
    const model = typeof request.model === 'string' ? request.model : 'stand-in-model';
    const input = Array.isArray(request.input) ? (request.input as unknown[]) : [];
    const toolOutput = toolOutputSinceLastUserMessage(input);
    const stream = new SseWriter(res, model, nextId('resp'));

    if (toolOutput !== undefined) {
      stream.message(nextId('msg'), finalText(toolOutput));
      stream.complete(usage);
      return;
    }
    const shell = findShellTool(request.tools);
    if (shell === undefined) {
      stream.message(nextId('msg'), 'No shell tool was offered, so I cannot run the command.');
      stream.complete(usage);
      return;
    }
    if (preamble !== '') stream.message(nextId('msg'), preamble);
    stream.shellCall(nextId('fc'), nextId('call'), shell, command);
    stream.complete(usage);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes one streamed Responses API answer as SSE frames. */
class SseWriter {
  private sequence = 0;
  private readonly output: Record<string, unknown>[] = [];
  private readonly createdAt = Math.floor(Date.now() / 1000);

  constructor(
    private readonly res: http.ServerResponse,
    private readonly model: string,
    private readonly responseId: string,
  ) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': `req_${responseId}` });
    this.send('response.created', { response: this.response('in_progress') });
    this.send('response.in_progress', { response: this.response('in_progress') });
  }

  message(id: string, text: string): void {
    const outputIndex = this.output.length;
    this.send('response.output_item.added', { output_index: outputIndex, item: { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    this.send('response.content_part.added', { item_id: id, output_index: outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const delta of chunk(text, 24)) this.send('response.output_text.delta', { item_id: id, output_index: outputIndex, content_index: 0, delta });
    this.send('response.output_text.done', { item_id: id, output_index: outputIndex, content_index: 0, text });
    const part = { type: 'output_text', text, annotations: [] };
    this.send('response.content_part.done', { item_id: id, output_index: outputIndex, content_index: 0, part });
    const item = { id, type: 'message', status: 'completed', role: 'assistant', content: [part] };
    this.output.push(item);
    this.send('response.output_item.done', { output_index: outputIndex, item });
  }

  shellCall(id: string, callId: string, shell: ShellCall, command: string): void {
    const outputIndex = this.output.length;
    if (shell.kind === 'local_shell') {
      const action = { type: 'exec', command: ['bash', '-lc', command], timeout_ms: 10_000, working_directory: null, env: null, user: null };
      const item = { id, type: 'local_shell_call', call_id: callId, status: 'completed', action };
      this.send('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress' } });
      this.output.push(item);
      this.send('response.output_item.done', { output_index: outputIndex, item });
      return;
    }
    const args = JSON.stringify(shell.argumentsFor(command));
    this.send('response.output_item.added', { output_index: outputIndex, item: { id, type: 'function_call', status: 'in_progress', name: shell.name, call_id: callId, arguments: '' } });
    this.send('response.function_call_arguments.delta', { item_id: id, output_index: outputIndex, delta: args });
    this.send('response.function_call_arguments.done', { item_id: id, output_index: outputIndex, arguments: args });
    const item = { id, type: 'function_call', status: 'completed', name: shell.name, call_id: callId, arguments: args };
    this.output.push(item);
    this.send('response.output_item.done', { output_index: outputIndex, item });
  }

  complete(numbers: ResponsesUsageNumbers): void {
    const usage = {
      input_tokens: numbers.input_tokens,
      input_tokens_details: { cached_tokens: numbers.cached_tokens },
      output_tokens: numbers.output_tokens,
      output_tokens_details: { reasoning_tokens: numbers.reasoning_tokens },
      total_tokens: numbers.input_tokens + numbers.output_tokens,
    };
    this.send('response.completed', { response: { ...this.response('completed'), output: this.output, usage } });
    this.res.end();
  }

  private response(status: string): Record<string, unknown> {
    return { id: this.responseId, object: 'response', created_at: this.createdAt, status, model: this.model, output: [], usage: null };
  }

  private send(type: string, fields: Record<string, unknown>): void {
    const data = JSON.stringify({ type, sequence_number: this.sequence++, ...fields });
    this.res.write(`event: ${type}\ndata: ${data}\n\n`);
  }
}

/**
 * The output of a tool call made in the current turn: items after the last user message (Codex sends the
 * whole history each time, and a resumed thread appends a new user message after the earlier turns).
 */
function toolOutputSinceLastUserMessage(input: unknown[]): string | undefined {
  let lastUser = -1;
  input.forEach((item, index) => {
    if (isRecord(item) && item.type === 'message' && item.role === 'user') lastUser = index;
  });
  let found: string | undefined;
  for (const item of input.slice(lastUser + 1)) {
    if (!isRecord(item)) continue;
    if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output' || item.type === 'local_shell_call_output') {
      found = outputText(item.output);
    }
  }
  return found;
}

/** The command's own output from a unified-exec tool result (the text after the `Output:` line). */
export function commandOutput(toolOutput: string): string {
  const marker = /^Output:\n/m.exec(toolOutput);
  return marker === null ? toolOutput : toolOutput.slice(marker.index + marker[0].length);
}

/** `function_call_output.output` is a string, or a list of content items (`input_text` ...). */
function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) {
    return output.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
  }
  if (isRecord(output) && typeof output.content === 'string') return output.content;
  return JSON.stringify(output ?? '');
}

/**
 * Picks the shell tool out of the request's `tools`: Codex advertises one of `exec_command` (`cmd`: string),
 * `shell_command` (`command`: string), `shell` (`command`: string[]) or a `local_shell` tool, depending on
 * the model's metadata and features.
 */
function findShellTool(tools: unknown): ShellCall | undefined {
  if (!Array.isArray(tools)) return undefined;
  const functions = tools.filter(isRecord).filter((tool) => tool.type === 'function' && typeof tool.name === 'string');
  const preferred = ['exec_command', 'shell_command', 'shell', 'container.exec'];
  const ordered = [...functions].sort((a, b) => rank(a.name) - rank(b.name));
  function rank(name: unknown): number {
    const at = preferred.indexOf(String(name));
    return at === -1 ? preferred.length : at;
  }
  for (const tool of ordered) {
    const properties = isRecord(tool.parameters) && isRecord(tool.parameters.properties) ? tool.parameters.properties : {};
    const name = String(tool.name);
    const cmd = properties.cmd;
    if (isRecord(cmd) && cmd.type === 'string') return { kind: 'function', name, argumentsFor: (command) => ({ cmd: command }) };
    const commandSchema = properties.command;
    if (isRecord(commandSchema) && commandSchema.type === 'array') {
      return { kind: 'function', name, argumentsFor: (command) => ({ command: ['bash', '-lc', command] }) };
    }
    if (isRecord(commandSchema) && commandSchema.type === 'string') return { kind: 'function', name, argumentsFor: (command) => ({ command }) };
  }
  if (tools.some((tool) => isRecord(tool) && tool.type === 'local_shell')) return { kind: 'local_shell' };
  return undefined;
}

function recordHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    recorded[name] = name === 'authorization' ? `${text.split(' ')[0] ?? ''} [redacted]`.trim() : text;
  }
  return recorded;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** OpenAI's error envelope. */
function errorBody(message: string, type: string, code: string | null = null): unknown {
  return { error: { message, type, param: null, code } };
}

function sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}

function chunk(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let at = 0; at < text.length; at += size) parts.push(text.slice(at, at + size));
  return parts.length > 0 ? parts : [''];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
