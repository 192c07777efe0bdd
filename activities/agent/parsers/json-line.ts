import { Allow, parse as parsePartialJson } from 'partial-json';
import type { z } from 'zod';
import type { AgentEvent, LineParser } from '../events';

/**
 * The line as a JSON object, or undefined when it is not one (plain output, a number, an array). A line
 * that was cut (`partial`) is read as far as it goes, with partial-json: the open string, array and
 * object are closed where the cut fell, so a huge answer's beginning is still the answer.
 */
export function parseJsonObject(line: string, partial = false): Record<string, unknown> | undefined {
  let json: unknown;
  try {
    json = partial ? parsePartialJson(line, Allow.ALL) : JSON.parse(line);
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
  return (line, cut) => {
    const json = parseJsonObject(line, cut !== undefined);
    if (json === undefined) return [{ kind: 'output', line: cut === undefined ? line : `${line.slice(0, 1_000)}… [line of ${cut.totalChars} characters cut]`, stream: 'stdout' }];
    const parsed = schema.safeParse(json);
    if (!parsed.success) return [{ kind: 'unknown', raw: cut === undefined ? json : { cut: true, type: json['type'] } }];
    const events = toEvents(parsed.data, json);
    // A result read from a cut line says so: its answer is only the beginning.
    return cut === undefined ? events : events.map((event) => (event.kind === 'result' ? { ...event, cut } : event));
  };
}
