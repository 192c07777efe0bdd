import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../config/load';

const load = (env: Record<string, string>) => loadConfig({ AGENT_KIND: 'command', AGENT_COMMAND: 'true', ...env }, '/nonexistent-dir-for-config-tests');

describe('config: logs and metrics', () => {
  it('defaults to info JSON logs and a worker metrics port of 9464 on every address', () => {
    const config = load({});
    assert.deepEqual([config.LOG_LEVEL, config.LOG_FORMAT, config.METRICS_PORT, config.METRICS_HOST], ['info', undefined, 9464, '0.0.0.0']);
  });

  it('takes 0 or off as no metrics port, and levels and formats in any case', () => {
    assert.equal(load({ METRICS_PORT: '0' }).METRICS_PORT, undefined);
    assert.equal(load({ METRICS_PORT: 'OFF' }).METRICS_PORT, undefined);
    assert.equal(load({ METRICS_PORT: '9100' }).METRICS_PORT, 9100);
    const config = load({ LOG_LEVEL: 'DEBUG', LOG_FORMAT: 'Pretty' });
    assert.deepEqual([config.LOG_LEVEL, config.LOG_FORMAT], ['debug', 'pretty']);
  });

  it('names the key of a bad value', () => {
    assert.throws(() => load({ METRICS_PORT: '70000' }), (error: unknown) => error instanceof ConfigError && /METRICS_PORT: expected a port/.test(error.message));
    assert.throws(() => load({ LOG_LEVEL: 'verbose' }), (error: unknown) => error instanceof ConfigError && /LOG_LEVEL/.test(error.message));
    assert.throws(() => load({ LOG_FORMAT: 'xml' }), (error: unknown) => error instanceof ConfigError && /LOG_FORMAT/.test(error.message));
  });
});
