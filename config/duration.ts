import ms from 'ms';
import { z } from 'zod';

/** A duration such as `30m`, `7d` or `1500` (milliseconds), parsed to milliseconds. */
export const durationMs = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = typeof value === 'number' ? value : ms(value.trim() as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a positive duration like 30s, 30m or 7d, got "${value}"` });
    return z.NEVER;
  }
  return parsed;
});
