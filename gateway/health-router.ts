import Router from '@koa/router';

/** `/health`: the process is up. `/health/ready`: Temporal answers too (503 otherwise). */
export function createHealthRouter(isTemporalReachable: () => Promise<boolean>): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const ready = await isTemporalReachable().catch(() => false);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'temporal unreachable' };
  });
  return router;
}
