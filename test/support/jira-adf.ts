/**
 * Atlassian Document Format helpers for the Jira stand-in and tests:
 * https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
export interface AdfNode {
  type: string;
  text?: string;
  content?: AdfNode[];
  attrs?: Record<string, unknown>;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
}

export interface AdfDocument extends AdfNode {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

/** A document of one paragraph per line of `text`. */
export function adfDocument(text: string): AdfDocument {
  return {
    type: 'doc',
    version: 1,
    content: text.split('\n').map((line) => ({ type: 'paragraph', content: line === '' ? [] : [{ type: 'text', text: line }] })),
  };
}

/** Whether a value has the shape Jira v3 accepts as a rich-text body: `{type: 'doc', version: 1, content: [...]}`. */
export function isAdfDocument(value: unknown): value is AdfDocument {
  const doc = value as Partial<AdfDocument> | null;
  return typeof doc === 'object' && doc !== null && doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content);
}

/** The text of a document: text nodes joined, block nodes separated by newlines. */
export function adfText(node: AdfNode): string {
  if (node.type === 'text') return node.text ?? '';
  if (node.type === 'hardBreak') return '\n';
  const inner = (node.content ?? []).map(adfText);
  return node.type === 'doc' || node.type === 'bulletList' || node.type === 'orderedList' ? inner.join('\n') : inner.join('');
}
