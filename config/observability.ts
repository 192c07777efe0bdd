import { z } from 'zod';

/** Default port of a worker's `/metrics` (Prometheus' registry of exporter ports lists 9464 for this use). */
export const DEFAULT_METRICS_PORT = 9464;

/**
 * Logs and metrics (README "Metrics and logs"); spread into the one config schema. The gateway's
 * `/metrics` is on GATEWAY_PORT; these ports are the worker's.
 */
export const observabilityConfig = {
  /** pino level: `trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`. */
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .default('info')
    .pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])),
  /** `json` (one object per line) or `pretty`; unset: `json`, except `npm run dev` on a terminal. */
  LOG_FORMAT: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(z.enum(['json', 'pretty']).optional()),
  /** A worker's Prometheus port (its metrics and the Temporal SDK's); `0` or `off`: none. */
  METRICS_PORT: z
    .union([z.string(), z.number()])
    .default(String(DEFAULT_METRICS_PORT))
    .transform((value, ctx) => {
      const text = String(value).trim().toLowerCase();
      if (text === 'off' || text === '0') return undefined;
      const port = Number(text);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `expected a port (1-65535), or 0 or off for none, got "${String(value)}"` });
        return z.NEVER;
      }
      return port;
    }),
  /** Address a worker's metrics port listens on. */
  METRICS_HOST: z.string().trim().min(1).default('0.0.0.0'),
};
