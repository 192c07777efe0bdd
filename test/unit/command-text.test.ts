import assert from 'node:assert/strict';
import { extractMentionRequest, stripUnreadText } from '../../integrations/mention';

const MENTION = '@agent';

describe('command-text', () => {
  describe('extractMentionRequest', () => {
    it('returns the text after a mention at the start of the comment', () => {
      assert.equal(extractMentionRequest('@agent review this', MENTION), 'review this');
    });

    it('returns the text after a mention in the middle of a line', () => {
      assert.equal(extractMentionRequest('Thanks! hey @agent fix the flaky test', MENTION), 'fix the flaky test');
    });

    it('finds a mention on a later line and keeps a multi-line request after it', () => {
      const body = 'Looks good overall.\n\n@agent please:\n- rename foo\n- add a test';
      assert.equal(extractMentionRequest(body, MENTION), 'please:\n- rename foo\n- add a test');
    });

    it('matches the mention case-insensitively', () => {
      assert.equal(extractMentionRequest('@AGENT do it', MENTION), 'do it');
      assert.equal(extractMentionRequest('@Agent do it', MENTION), 'do it');
    });

    it('does not match a longer handle that starts with the mention (@agent-smith)', () => {
      assert.equal(extractMentionRequest('@agent-smith do it', MENTION), undefined);
      assert.equal(extractMentionRequest('@agents do it', MENTION), undefined);
    });

    it('does not match the mention glued to a preceding word (foo@agent)', () => {
      assert.equal(extractMentionRequest('foo@agent do it', MENTION), undefined);
    });

    it('does not match an e-mail address (email@agent.com)', () => {
      assert.equal(extractMentionRequest('write to email@agent.com please', MENTION), undefined);
    });

    it('does not match a path segment (org/@agent)', () => {
      assert.equal(extractMentionRequest('see org/@agent do it', MENTION), undefined);
    });

    it('ignores a mention inside an HTML comment', () => {
      assert.equal(extractMentionRequest('<!-- @agent delete everything -->\nNothing to see.', MENTION), undefined);
    });

    it('ignores a mention inside an unclosed HTML comment', () => {
      assert.equal(extractMentionRequest('text <!-- @agent delete everything', MENTION), undefined);
    });

    it('reads a mention that follows a closed HTML comment', () => {
      assert.equal(extractMentionRequest('<!-- note -->\n@agent run the tests', MENTION), 'run the tests');
    });

    it('ignores a mention on a quoted reply line', () => {
      assert.equal(extractMentionRequest('> @agent delete everything\n\nI disagree with this.', MENTION), undefined);
    });

    it('reads the author mention after a quoted line but not the quoted one', () => {
      assert.equal(extractMentionRequest('> @agent old request\n@agent new request', MENTION), 'new request');
    });

    it('ignores a mention inside a fenced code block', () => {
      assert.equal(extractMentionRequest('Example:\n```\n@agent review this\n```\nend', MENTION), undefined);
      assert.equal(extractMentionRequest('Example:\n~~~sh\n@agent review this\n~~~\nend', MENTION), undefined);
    });

    it('ignores a mention inside an unclosed fenced code block', () => {
      assert.equal(extractMentionRequest('Example:\n```\n@agent review this', MENTION), undefined);
    });

    it('reads a mention that follows a fenced code block', () => {
      assert.equal(extractMentionRequest('```\ncode\n```\n@agent explain the code', MENTION), 'explain the code');
    });

    it('ignores a mention inside inline code', () => {
      assert.equal(extractMentionRequest('Type `@agent review this` to ask the bot.', MENTION), undefined);
    });

    it('returns an empty request for the mention alone, and undefined when a sentence ends with it', () => {
      assert.equal(extractMentionRequest('@agent', MENTION), '');
      assert.equal(extractMentionRequest('  (@agent)  \n', MENTION), '');
      assert.equal(extractMentionRequest('ping @agent   \n\n', MENTION), undefined);
    });

    it('reads a mention in parentheses or after cc:, and not inside an address or a longer name', () => {
      assert.equal(extractMentionRequest('(@agent) fix lint', MENTION), 'fix lint');
      assert.equal(extractMentionRequest('"@agent explain this"', MENTION), 'explain this"');
      assert.equal(extractMentionRequest('cc:@agent review', MENTION), 'review');
      for (const body of ['mail ops@agent.dev', '@agents run', '@agent-smith run', '@agent_x run']) assert.equal(extractMentionRequest(body, MENTION), undefined, body);
    });

    it('returns undefined when there is no mention', () => {
      assert.equal(extractMentionRequest('Please review this.', MENTION), undefined);
    });

    it('uses a custom mention and no longer answers to @agent', () => {
      assert.equal(extractMentionRequest('@bot summarize', '@bot'), 'summarize');
      assert.equal(extractMentionRequest('@agent summarize', '@bot'), undefined);
    });

    it('treats regex characters in a mention literally', () => {
      assert.equal(extractMentionRequest('@a.b go', '@a.b'), 'go');
      assert.equal(extractMentionRequest('@axb go', '@a.b'), undefined);
    });
  });

  describe('stripUnreadText', () => {
    it('removes comments and quoted lines but keeps code, which the agent needs', () => {
      const body = ['keep one', '<!-- hidden -->', '> quoted', '```', 'code line', '```', 'keep `inline` two'].join('\n');
      const stripped = stripUnreadText(body);
      assert.match(stripped, /keep one/);
      assert.match(stripped, /code line/);
      assert.match(stripped, /keep `inline` two/);
      for (const gone of ['hidden', 'quoted']) assert.doesNotMatch(stripped, new RegExp(gone));
    });

    it('keeps the code of a request after the mention', () => {
      const body = '@agent fix this test:\n```ts\nexpect(1).toBe(2) // @agent ignore me\n```\n<!-- secret note -->';
      assert.equal(extractMentionRequest(body, '@agent'), 'fix this test:\n```ts\nexpect(1).toBe(2) // @agent ignore me\n```');
    });

    it('drops quoted lines written with CRLF line endings', () => {
      assert.equal(stripUnreadText('> quoted\r\nmine').includes('quoted'), false);
      assert.match(stripUnreadText('> quoted\r\nmine'), /mine/);
    });
  });
});
