import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { forEachLine, type LineCut } from '../../activities/agent/line-splitter';
import { parseClaudeLine } from '../../activities/agent/parsers';
import { ResultCollector } from '../../activities/agent/result-collector';

/** Feeds `chunks` through forEachLine and collects what it delivers. */
async function lines(chunks: string[], max: number): Promise<{ line: string; cut?: LineCut }[]> {
  const stream = new PassThrough();
  const seen: { line: string; cut?: LineCut }[] = [];
  forEachLine(stream, (line, cut) => seen.push(cut === undefined ? { line } : { line, cut }), max);
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await ended;
  return seen;
}

describe('answers of any size', () => {
  it('delivers a line longer than the limit once: its head, and how long it was', async () => {
    const seen = await lines(['a\n', 'x'.repeat(30), 'y'.repeat(30), 'z'.repeat(10), '\nb\n'], 40);
    assert.deepEqual(seen, [{ line: 'a' }, { line: 'x'.repeat(30) + 'y'.repeat(10), cut: { totalChars: 70 } }, { line: 'b' }]);
  });

  it('delivers a cut last line that has no newline at the end', async () => {
    const seen = await lines(['q'.repeat(100)], 40);
    assert.deepEqual(seen, [{ line: 'q'.repeat(40), cut: { totalChars: 100 } }]);
  });

  it("reads the beginning of a cut claude result line as the agent's answer, marked as cut", () => {
    const answer = 'The cache misses because '.repeat(100);
    const line = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: answer, session_id: 's-1', total_cost_usd: 0.5 });
    const head = line.slice(0, 1_000);
    const [event] = parseClaudeLine(head, { totalChars: line.length });
    assert.equal(event?.kind, 'result');
    if (event?.kind !== 'result') return;
    assert.ok(answer.startsWith(event.text ?? 'nope'), 'the text is the beginning of the real answer');
    assert.ok((event.text ?? '').length > 800);
    assert.deepEqual(event.cut, { totalChars: line.length });
  });

  it('posts the cut answer as the answer, truncated, with a note saying how much was kept', () => {
    const collector = new ResultCollector();
    collector.add({ kind: 'text', text: 'an earlier message that is not the answer' });
    collector.add({ kind: 'result', isError: false, text: 'The beginning of the answer', usage: {}, cut: { totalChars: 9_000_000 } });
    const outcome = collector.finish('claude', 0);
    assert.equal(outcome.text, 'The beginning of the answer');
    assert.equal(outcome.truncated, true);
    assert.match(outcome.note ?? '', /9,000,000 characters/);
  });

  it('says so when a claude run ends with no result, instead of passing its last message off as the answer', () => {
    const collector = new ResultCollector();
    collector.add({ kind: 'text', text: 'halfway there' });
    const outcome = collector.finish('claude', 0);
    assert.equal(outcome.text, 'halfway there');
    assert.match(outcome.note ?? '', /without a final result/);
  });
});
