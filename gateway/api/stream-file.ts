import fs from 'node:fs';
import type { Context } from 'koa';
import { PassThrough } from 'node:stream';

const POLL_MS = 250;

/**
 * Serves a task's `stream.jsonl` as Server-Sent Events: what is there, then every new line as it is
 * written (a `tail -f`), until `isDone()` says the task ended and the file has been read to its end.
 */
export function streamJsonLines(ctx: Context, file: string, isDone: () => Promise<boolean>): void {
  const out = new PassThrough();
  ctx.status = 200;
  ctx.type = 'text/event-stream';
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = out;
  ctx.req.socket.setTimeout(0);

  let offset = 0;
  let partial = '';
  let stopped = false;
  let sent = 0;
  const stop = (): void => {
    stopped = true;
  };
  ctx.req.once('close', stop);

  const readNew = (): void => {
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return; // not written yet: the agent has not started
    }
    if (size <= offset) return;
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      fs.readSync(fd, buffer, 0, buffer.length, offset);
      offset = size;
      const lines = (partial + buffer.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        out.write(`id: ${++sent}\ndata: ${line}\n\n`);
      }
    } finally {
      fs.closeSync(fd);
    }
  };

  const loop = async (): Promise<void> => {
    out.write(': following the task log\n\n');
    while (!stopped) {
      readNew();
      if (await isDone()) {
        readNew();
        out.write(`event: end\ndata: {"lines":${sent}}\n\n`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    out.end();
  };
  void loop().catch(() => out.end());
}
