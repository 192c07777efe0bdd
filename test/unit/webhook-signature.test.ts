import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signGithubPayload, verifyGithubSignature } from '../../integrations/github/webhook-signature';

// GitHub's published example: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
const GITHUB_SECRET = "It's a Secret to Everybody";
const GITHUB_BODY = 'Hello, World!';
const GITHUB_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

function hmacHeader(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe('webhook-signature', () => {
  describe('signGithubPayload', () => {
    it('produces the signature GitHub publishes for its example secret and body', () => {
      assert.equal(signGithubPayload(GITHUB_SECRET, GITHUB_BODY), GITHUB_SIGNATURE);
    });

    it('signs a Buffer and the same string identically', () => {
      assert.equal(signGithubPayload(GITHUB_SECRET, Buffer.from(GITHUB_BODY)), signGithubPayload(GITHUB_SECRET, GITHUB_BODY));
    });
  });

  describe('verifyGithubSignature', () => {
    const body = Buffer.from('{"action":"created","comment":{"body":"@agent hi"}}');

    it("accepts GitHub's published example signature", () => {
      assert.equal(verifyGithubSignature([GITHUB_SECRET], Buffer.from(GITHUB_BODY), GITHUB_SIGNATURE), true);
    });

    it('accepts a signature made with the only configured secret', () => {
      assert.equal(verifyGithubSignature(['s3cret'], body, hmacHeader('s3cret', body)), true);
    });

    it('accepts a signature made with the second secret of a rotation list', () => {
      assert.equal(verifyGithubSignature(['old-secret', 'new-secret'], body, hmacHeader('new-secret', body)), true);
    });

    it('rejects a signature made with a secret that is not configured', () => {
      assert.equal(verifyGithubSignature(['old-secret', 'new-secret'], body, hmacHeader('other-secret', body)), false);
    });

    it('rejects a delivery without a signature header', () => {
      assert.equal(verifyGithubSignature(['s3cret'], body, undefined), false);
    });

    it('rejects a signature without the sha256= prefix', () => {
      assert.equal(verifyGithubSignature(['s3cret'], body, hmacHeader('s3cret', body).slice('sha256='.length)), false);
    });

    it('rejects a sha1= signature even when its hex is right', () => {
      const hex = hmacHeader('s3cret', body).slice('sha256='.length);
      assert.equal(verifyGithubSignature(['s3cret'], body, `sha1=${hex}`), false);
    });

    it('rejects a signature whose hex is not hex', () => {
      assert.equal(verifyGithubSignature(['s3cret'], body, `sha256=${'zz'.repeat(32)}`), false);
    });

    it('rejects a signature shorter than 32 bytes without throwing', () => {
      const truncated = hmacHeader('s3cret', body).slice(0, -2);
      assert.equal(verifyGithubSignature(['s3cret'], body, truncated), false);
    });

    it('rejects an empty signature value after the prefix', () => {
      assert.equal(verifyGithubSignature(['s3cret'], body, 'sha256='), false);
    });

    it('rejects a body changed by one byte after signing', () => {
      const signature = hmacHeader('s3cret', body);
      const tampered = Buffer.from(body);
      tampered[tampered.length - 2] = (tampered[tampered.length - 2]! + 1) % 256;
      assert.equal(verifyGithubSignature(['s3cret'], tampered, signature), false);
    });

    it('refuses every delivery when no secret is configured', () => {
      assert.equal(verifyGithubSignature([], body, hmacHeader('', body)), false);
      assert.equal(verifyGithubSignature([], body, hmacHeader('s3cret', body)), false);
    });
  });
});
