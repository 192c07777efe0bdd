import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createThreadToolServer } from './thread-tool-server';
import type { ThreadToolBinding } from './thread-tools/binding';

/** What the stdio front of one run needs to reach its tools: written to a 0600 file, never to argv or env. */
export interface ThreadGrant {
  /** `http://127.0.0.1:<port>/mcp`. */
  url: string;
  /** The run's capability token: 32 random bytes, base64url. Good for this binding only, until revoked. */
  token: string;
}

export interface ThreadEndpointOptions {
  /** Longest `revoke` waits for calls in flight to finish (ms); default 5,000. */
  revokeGraceMs?: number;
  /** Transport or handler failures the caller did not see (logged by the worker). */
  onError?: (message: string, meta: Record<string, unknown>) => void;
}

interface Granted {
  binding: ThreadToolBinding;
  inFlight: Set<Promise<void>>;
}

/**
 * The worker's side of the agents' thread tools: one small HTTP server per worker process, on 127.0.0.1
 * and a random port, started on the first grant. Each agent run gets a grant: a capability token bound to
 * its task's thread, minted when the run starts and revoked when it ends. A call arrives from the run's
 * stdio front (thread-server.ts) as MCP Streamable HTTP (spec 2025-06-18, SDK 1.32) in stateless, JSON
 * response mode: each POST gets a fresh MCP server bound to the grant's thread, so the tools run here,
 * with this worker's provider clients, and no credential ever leaves the worker.
 *
 * Answers: 401 for a missing, unknown or revoked token (checked before the body is read); 405 for
 * anything but POST (no server-initiated stream in stateless mode); 404 off `/mcp`.
 */
export class ThreadToolEndpoint {
  private readonly grants = new Map<string, Granted>();
  private server: http.Server | undefined;
  private listening: Promise<string> | undefined;

  constructor(private readonly options: ThreadEndpointOptions = {}) {}

  /** Mints a token for `binding`; `revoke` refuses later calls and waits for those in flight. */
  async grant(binding: ThreadToolBinding): Promise<ThreadGrant & { revoke(): Promise<void> }> {
    const url = await this.start();
    const token = randomBytes(32).toString('base64url');
    const key = digest(token);
    const granted: Granted = { binding, inFlight: new Set() };
    this.grants.set(key, granted);
    return {
      url,
      token,
      revoke: async () => {
        this.grants.delete(key);
        if (granted.inFlight.size === 0) return;
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.revokeGraceMs ?? 5_000)));
        await Promise.race([Promise.allSettled([...granted.inFlight]), grace]);
        clearTimeout(timer);
      },
    };
  }

  /** Grants still valid: for tests and metrics. */
  get activeGrants(): number {
    return this.grants.size;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.listening = undefined;
    this.grants.clear();
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private start(): Promise<string> {
    this.listening ??= new Promise<string>((resolve, reject) => {
      const server = http.createServer((req, res) => void this.handle(req, res));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        this.server = server;
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
      });
    });
    return this.listening;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/mcp') return refuse(res, 404, 'not found');
    const given = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const granted = given === undefined ? undefined : this.grants.get(digest(given));
    if (granted === undefined) return refuse(res, 401, 'unknown or revoked grant: the run this tool belonged to has ended');
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return refuse(res, 405, 'only POST: this endpoint is stateless');
    }
    const done = this.serve(granted.binding, req, res);
    granted.inFlight.add(done);
    await done;
    granted.inFlight.delete(done);
  }

  private async serve(binding: ThreadToolBinding, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const server = createThreadToolServer(binding);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      this.options.onError?.('thread tool request failed', { taskId: binding.taskId, error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) refuse(res, 500, 'the thread tool request failed in the worker');
    } finally {
      await server.close().catch(() => {});
    }
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function refuse(res: http.ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
