import { z } from 'zod';

/** A TCP port, from a string. */
export const port = z.coerce.number().int().min(1).max(65535);

/** `a, b,c` → `['a', 'b', 'c']`; empty items dropped (an empty secret would accept forged payloads). */
export const list = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0));

/** A string where empty means unset. */
export const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** `true`/`false` as the environment writes them (also `1`/`0`, `yes`/`no`). */
export const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => ['true', '1', 'yes'].includes(value));
