import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/**
 * A line longer than this (characters) is not kept whole: its first MAX_LINE_CHARS are delivered, with
 * the full length, and the rest is counted and dropped. Long enough for an answer of several MB in one
 * JSON line; short enough that an endless line cannot exhaust memory (~32 MB as UTF-16).
 */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** Set for a line that was longer than MAX_LINE_CHARS: how long it was (characters). */
export interface LineCut {
  totalChars: number;
}

/**
 * Calls `onLine` for every line of a stream, as chunks arrive. A plain split over each chunk: several
 * times faster than `readline` for an agent that prints hundreds of thousands of lines.
 */
export function forEachLine(stream: Readable, onLine: (line: string, cut?: LineCut) => void, maxLineChars = MAX_LINE_CHARS): void {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  /** Characters of the current line dropped beyond the limit; its head was kept in `rest`. */
  let dropped = 0;
  const deliver = (line: string): void => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (dropped === 0) onLine(text);
    else onLine(text.slice(0, maxLineChars), { totalChars: maxLineChars + dropped });
    dropped = 0;
  };
  const emit = (text: string): void => {
    if (dropped > 0) {
      // Inside an over-long line: only its end (the next newline) matters.
      const newline = text.indexOf('\n');
      if (newline < 0) {
        dropped += text.length;
        return;
      }
      dropped += newline;
      deliver(rest);
      text = text.slice(newline + 1);
      rest = '';
    }
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) deliver(part);
    if (rest.length > maxLineChars) {
      dropped = rest.length - maxLineChars;
      rest = rest.slice(0, maxLineChars);
    }
  };
  stream.on('data', (chunk: Buffer) => emit(dropped > 0 ? decoder.write(chunk) : rest + decoder.write(chunk)));
  stream.on('end', () => {
    const last = dropped > 0 ? rest : rest + decoder.end();
    if (dropped > 0) decoder.end();
    rest = '';
    if (last !== '' || dropped > 0) deliver(last);
  });
}
