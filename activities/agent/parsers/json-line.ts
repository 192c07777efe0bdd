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
