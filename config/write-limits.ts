import ms from 'ms';
import { z } from 'zod';

/**
 * Write windows as `<count>/<duration>`, comma-separated: `72/1m,450/1h` is at most 72 writes in any
 * minute and 450 in any hour. Providers' limits differ by plan and by installation (GitHub Enterprise
 * sets its own); benchmarks that compress time shrink them with the runs.
 */
export const writeLimits = z.string().transform((value, ctx) => {
  const windows = value.split(',').map((part) => part.trim()).filter((part) => part !== '').map((part) => {
    const match = /^(\d+)\s*\/\s*(\S+)$/.exec(part);
    const perMs = match === null ? undefined : ms(match[2] as ms.StringValue);
    return match === null || perMs === undefined || !(perMs > 0) ? undefined : { limit: Number(match[1]), perMs };
  });
  if (windows.length === 0 || windows.some((window) => window === undefined || window.limit < 1)) {
    ctx.addIssue({ code: 'custom', message: 'expected <count>/<duration> windows, comma-separated, e.g. 72/1m,450/1h' });
    return z.NEVER;
  }
  return windows as { limit: number; perMs: number }[];
});
