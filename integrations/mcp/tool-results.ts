import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool's answer as text (MCP `CallToolResult`, spec 2025-06-18, SDK 1.32). */
export function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

/** A tool's answer as pretty JSON text: every MCP client shows text, and models read JSON well. */
export function jsonResult(value: unknown): CallToolResult {
  return textResult(JSON.stringify(value, null, 2));
}

/**
 * A tool error as the protocol wants it: a result with `isError: true` that the model reads and can act
 * on, not a JSON-RPC error (which is for protocol failures).
 */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** The message of anything thrown, for an `isError` result (a classified provider failure says what failed). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `text`, or its first `max` characters with a note saying how much was left out. */
export function capText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… [${text.length - max} more characters left out]`;
}
