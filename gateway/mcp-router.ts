import Router from '@koa/router';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createOperatorServer, type OperatorDeps } from '../integrations/mcp/operator-server';
import { bearerAuth } from './api/bearer-auth';

export interface McpRouteOptions extends OperatorDeps {
  /** AGENT_BOT_API_TOKEN; unset refuses every call. */
  token: string | undefined;
}

/**
 * `/mcp`: the operator MCP server over Streamable HTTP (MCP spec 2025-06-18, SDK 1.32), stateless: each
 * POST gets a server and a transport of its own, and answers JSON (no session, so any gateway replica can
 * answer any call). GET (a server-initiated stream) and DELETE (ending a session) answer 405: there is
 * neither here. Behind the same bearer token as the HTTP API.
 */
export function createMcpRouter(options: McpRouteOptions): Router {
  const router = new Router();
  router.all('/mcp', bearerAuth(options.token), async (ctx) => {
    if (ctx.method !== 'POST') {
      ctx.set('Allow', 'POST');
      ctx.throw(405, 'only POST: this MCP endpoint is stateless');
    }
    const server = createOperatorServer(options);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await server.connect(transport);
      // The transport writes the answer itself, on the raw response.
      ctx.respond = false;
      await transport.handleRequest(ctx.req, ctx.res);
    } catch (error) {
      // Not answered yet: the error handler answers a 500. Answered: only the log can tell.
      if (!ctx.res.headersSent) {
        ctx.respond = true;
        throw error;
      }
      ctx.app.emit('error', error, ctx);
    } finally {
      await server.close();
    }
  });
  return router;
}
