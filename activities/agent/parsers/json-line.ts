import type { z } from 'zod';
import type { AgentEvent, LineParser } from '../events';

/** The line as a JSON object, or undefined when it is not one (plain output, a number, an array). */
export function parseJsonObject(line: string): Record<string, unknown> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
}

/**
 * A parser for a CLI that prints one JSON object per line: a line that is not an object is plain
 * output, an object the schema does not know is kept as `unknown`, and the rest goes to `toEvents`.
 */
export function jsonLineParser<T>(schema: z.ZodType<T>, toEvents: (message: T, json: Record<string, unknown>) => AgentEvent[]): LineParser {
  return (line) => {
    const json = parseJsonObject(line);
    if (json === undefined) return [{ kind: 'output', line, stream: 'stdout' }];
    const parsed = schema.safeParse(json);
    return parsed.success ? toEvents(parsed.data, json) : [{ kind: 'unknown', raw: json }];
  };
}
