/**
 * Sentry envelopes as the SDKs send them to `POST /api/<project id>/envelope/`
 * (https://develop.sentry.dev/sdk/data-model/envelopes/): a JSON envelope header line, then per item a JSON item
 * header line and its payload. A payload whose item header has `length` is exactly that many bytes (binary
 * attachments); without it, the payload runs to the next newline. `@sentry/node` 11 (core's `serializeEnvelope`)
 * writes `{"type":"event"}` items without `length`, sends no content-type, and gzips bodies over 32 KiB
 * (`content-encoding: gzip`, see @sentry/node transports/http.js).
 */

export interface EnvelopeItem {
  header: { type: string; length?: number; [key: string]: unknown };
  payload: Buffer;
  /** The payload parsed as JSON, when it is JSON. */
  json?: unknown;
}

export interface Envelope {
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

/** A stack frame as an SDK sends it (the store format, outermost frame first). */
export interface IngestedFrame {
  filename?: string;
  module?: string;
  function?: string;
  lineno?: number;
  colno?: number;
  abs_path?: string;
  context_line?: string;
  in_app?: boolean;
}

export interface IngestedException {
  type: string;
  value: string;
  stacktrace?: { frames: IngestedFrame[] };
  mechanism?: { type: string; handled?: boolean };
}

/** An error event as received, with the project it was sent to. */
export interface IngestedEvent {
  projectId: string;
  event_id: string;
  level?: string;
  message?: unknown;
  exception?: { values: IngestedException[] };
  tags?: Record<string, string>;
  request?: { url?: string; method?: string; headers?: Record<string, string>; query_string?: unknown; data?: unknown };
  release?: string;
  environment?: string;
  [key: string]: unknown;
}

function readLine(raw: Buffer, start: number): [Buffer, number] {
  const end = raw.indexOf(0x0a, start);
  return end < 0 ? [raw.subarray(start), raw.length] : [raw.subarray(start, end), end + 1];
}

export function parseEnvelope(raw: Buffer): Envelope {
  const [headerLine, afterHeader] = readLine(raw, 0);
  const envelope: Envelope = { header: JSON.parse(headerLine.toString('utf8')) as Record<string, unknown>, items: [] };
  let position = afterHeader;
  while (position < raw.length) {
    const [itemLine, afterItemHeader] = readLine(raw, position);
    if (itemLine.length === 0) {
      position = afterItemHeader;
      continue;
    }
    const header = JSON.parse(itemLine.toString('utf8')) as EnvelopeItem['header'];
    let payload: Buffer;
    if (typeof header.length === 'number') {
      payload = raw.subarray(afterItemHeader, afterItemHeader + header.length);
      position = afterItemHeader + header.length;
      if (raw[position] === 0x0a) position++;
    } else {
      [payload, position] = readLine(raw, afterItemHeader);
    }
    const item: EnvelopeItem = { header, payload };
    try {
      item.json = JSON.parse(payload.toString('utf8')) as unknown;
    } catch {
      // a binary attachment
    }
    envelope.items.push(item);
  }
  return envelope;
}
