import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { after, describe, test } from 'node:test';
import { loadConfig, parseConfig } from '../../../src/registry/load.js';
import type { ExporterConfig, HttpClientConfig, SourceConfig, TransformationConfig } from '../../../src/registry/load.js';
import { ConfigError } from '../../../src/model/errors.js';

/** Project root, from the compiled test in `dist/test/unit/config/`. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SEED = path.join(ROOT, 'examples', 'seed');
const DEMO = path.join(ROOT, 'examples', 'demo', 'config.yml');
const NO_ENV: NodeJS.ProcessEnv = {};

const MINIMAL = `metric_transformations:
  - name: "kubelet_minor_version"
    source_metric: "kube_node_info"
    value_from_label: "minor"
`;

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lve-config-test-'));
  tempDirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

function source(config: ExporterConfig, name: string): SourceConfig {
  const s = config.sources.get(name);
  assert.ok(s, `source "${name}" exists; have: ${[...config.sources.keys()].join(', ')}`);
  return s;
}

function http(config: ExporterConfig, name = 'default'): HttpClientConfig {
  const s = source(config, name);
  assert.equal(s.type, 'prometheus', `source "${name}" is a prometheus source`);
  return s.http;
}

function transformation(config: ExporterConfig, name: string): TransformationConfig {
  const t = config.transformations.find((x) => x.name === name);
  assert.ok(t, `transformation "${name}" exists`);
  return t;
}

function parse(text: string, env: NodeJS.ProcessEnv = NO_ENV, file = '/etc/lve/config.yml'): ExporterConfig {
  return parseConfig(text, file, env);
}

function withUrl(url: string): string {
  return `victoriametrics_url: ${JSON.stringify(url)}\n${MINIMAL}`;
}

describe('the seed examples load', () => {
  test('every examples/seed/*.yml and examples/demo/config.yml loads', async () => {
    const files = (await readdir(SEED)).filter((f) => f.endsWith('.yml')).map((f) => path.join(SEED, f));
    assert.ok(files.length >= 3, `seed files: ${files.join(', ')}`);
    for (const file of [...files, DEMO]) {
      const config = await loadConfig(file, NO_ENV);
      assert.equal(config.file, file);
      assert.match(config.hash, /^[0-9a-f]{64}$/);
      assert.ok(config.transformations.length >= 1, file);
    }
  });

  test('kubelet-minor-version.yml: the prototype example with URL, interval, port and default_value', async () => {
    const config = await loadConfig(path.join(SEED, 'kubelet-minor-version.yml'), NO_ENV);
    assert.equal(config.listenPort, 8000);
    assert.equal(config.listenHost, '');
    assert.deepEqual([...config.sources.keys()], ['default']);
    const h = http(config);
    assert.equal(h.url, 'http://vmselect:8481/select/0/prometheus');
    assert.equal(h.timeoutSeconds, 60);
    assert.equal(h.basicAuth, undefined);
    assert.equal(h.bearerToken, undefined);
    assert.equal(h.headers.size, 0);
    assert.deepEqual(h.tls, { insecureSkipVerify: false });
    assert.deepEqual(config.transformations, [
      {
        name: 'kubelet_minor_version',
        help: 'Minor version of kubelet extracted from kube_node_info',
        source: 'default',
        sources: ['default'],
        sourceLabel: null,
        json: null,
        sourceMetric: 'kube_node_info',
        queryFilter: '',
        metricType: 'gauge',
        valueFromLabel: 'minor',
        preserveLabels: ['cluster', 'node', 'instance'],
        defaultValue: 0,
        clearStaleMetrics: true,
        skipEmptyLabels: false,
        intervalSeconds: 300,
        timeoutSeconds: 60,
        maxStalenessSeconds: 900,
        value: null,
        shaping: null,
        onCollision: 'max',
        maxSeries: null,
        states: null,
        buckets: null,
        nameTemplate: null,
        maxNames: 100,
        query: null,
        pushdown: true,
      },
    ]);
  });

  test('beyond-kubelet.yml: defaults where the file says nothing', async () => {
    const config = await loadConfig(path.join(SEED, 'beyond-kubelet.yml'), NO_ENV);
    assert.equal(config.listenPort, 9101);
    assert.equal(http(config).url, 'http://localhost:8428');
    const osInfo = transformation(config, 'node_os_image_info');
    assert.equal(osInfo.metricType, 'info');
    assert.equal(osInfo.help, 'Value of label "os_image" of kube_node_info.');
    assert.deepEqual(osInfo.preserveLabels, ['cluster', 'node', 'kernel_version']);
    assert.equal(osInfo.defaultValue, null);
    assert.equal(osInfo.clearStaleMetrics, true);
    assert.equal(osInfo.skipEmptyLabels, false);
    assert.equal(osInfo.intervalSeconds, 60);
    assert.equal(osInfo.timeoutSeconds, 60);
    const runtime = transformation(config, 'container_runtime_version');
    assert.equal(runtime.metricType, 'gauge');
    assert.equal(runtime.skipEmptyLabels, true);
    assert.equal(runtime.help, 'Value of label "container_runtime_version" of kube_node_info.');
  });

  test('query-filter.yml: query_filter is kept verbatim for query-API sources', async () => {
    const config = await loadConfig(path.join(SEED, 'query-filter.yml'), NO_ENV);
    assert.equal(transformation(config, 'kubelet_version_workers').queryFilter, 'instance=~".*:10250"');
    assert.equal(transformation(config, 'kubelet_version_masters').queryFilter, 'instance=~".*:443"');
    assert.equal(transformation(config, 'kubelet_version_masters').source, 'default');
  });

  test('examples/demo/config.yml: a file source named default, resolved next to the config', async () => {
    const config = await loadConfig(DEMO, NO_ENV);
    assert.equal(config.listenPort, 9101);
    assert.deepEqual([...config.sources.keys()], ['default']);
    assert.deepEqual(source(config, 'default'), {
      name: 'default',
      type: 'file',
      path: path.join(ROOT, 'examples', 'demo', 'kube_node_info.prom'),
      format: 'prometheus',
    });
    assert.deepEqual(
      config.transformations.map((t) => t.name),
      [
        'kubelet_minor_version',
        'kubelet_version_info',
        'apiserver_minor_version',
        'node_kernel_version',
        'container_runtime_version_number',
        'node_os_image_info',
      ],
    );
    // Read from what kube-state-metrics exposes (kube_node_info has no `minor`),
    // with no default_value: an unknown version is left out, not served as 0.
    const kubelet = transformation(config, 'kubelet_minor_version');
    assert.equal(kubelet.valueFromLabel, 'kubelet_version');
    assert.equal(kubelet.defaultValue, null);
    for (const t of config.transformations) assert.equal(t.defaultValue, null, `${t.name}: no default_value`);
    for (const t of config.transformations) {
      assert.equal(t.intervalSeconds, 15);
      assert.equal(t.timeoutSeconds, 45, 'file sources: 60 s, capped at max_staleness (3 × 15 s)');
    }
  });
});

describe('defaults', () => {
  test('a config with only the required fields gets every default', () => {
    const config = parse(MINIMAL);
    assert.equal(config.listenPort, 9101);
    assert.equal(config.listenHost, '');
    assert.equal(config.file, '/etc/lve/config.yml');
    const h = http(config);
    assert.equal(h.url, 'http://localhost:8428');
    assert.equal(h.timeoutSeconds, 60);
    assert.equal(h.maxResponseBytes, 512 * 1024 * 1024);
    assert.deepEqual(config.transformations, [
      {
        name: 'kubelet_minor_version',
        help: 'Value of label "minor" of kube_node_info.',
        source: 'default',
        sources: ['default'],
        sourceLabel: null,
        json: null,
        sourceMetric: 'kube_node_info',
        queryFilter: '',
        metricType: 'gauge',
        valueFromLabel: 'minor',
        preserveLabels: null,
        defaultValue: null,
        clearStaleMetrics: true,
        skipEmptyLabels: false,
        intervalSeconds: 60,
        timeoutSeconds: 60,
        maxStalenessSeconds: 180,
        value: null,
        shaping: null,
        onCollision: 'max',
        maxSeries: null,
        states: null,
        buckets: null,
        nameTemplate: null,
        maxNames: 100,
        query: null,
        pushdown: false,
      },
    ]);
  });

  test('default_value 0 and an empty preserve_labels list are kept, not defaulted', () => {
    const config = parse(`${MINIMAL}    default_value: 0\n    preserve_labels: []\n`);
    const [t] = config.transformations;
    assert.equal(t?.defaultValue, 0);
    assert.deepEqual(t?.preserveLabels, []);
  });

  test('clear_stale_metrics: false and skip_empty_labels: true are honoured', () => {
    const [t] = parse(`${MINIMAL}    clear_stale_metrics: false\n    skip_empty_labels: true\n`).transformations;
    assert.equal(t?.clearStaleMetrics, false);
    assert.equal(t?.skipEmptyLabels, true);
  });
});

describe('intervals', () => {
  for (const [value, seconds] of [
    ['300', 300],
    ['"5m"', 300],
    ['"300s"', 300],
    ['"1h30m"', 5400],
    ['0.5', 0.5],
  ] as const) {
    test(`scrape_interval: ${value} gives ${seconds}s`, () => {
      const [t] = parse(`scrape_interval: ${value}\n${MINIMAL}`).transformations;
      assert.equal(t?.intervalSeconds, seconds);
    });
  }

  test('a transformation interval overrides scrape_interval; timeout defaults to the source timeout, capped at max_staleness', () => {
    const config = parse(`scrape_interval: 300\nquery_timeout: 20s\n${MINIMAL}    interval: 10s\n`);
    const [t] = config.transformations;
    assert.equal(t?.intervalSeconds, 10);
    assert.equal(t?.timeoutSeconds, 20, 'longer than the interval: a long run skips ticks rather than fail');
    assert.equal(http(config).timeoutSeconds, 20);
    // At 1 s, max_staleness (3 intervals) caps it: a run that long could not keep the data fresh anyway.
    assert.equal(parse(`scrape_interval: 1\n${MINIMAL}`).transformations[0]?.timeoutSeconds, 3);
    assert.equal(parse(`scrape_interval: 1\nmax_staleness: 1h\n${MINIMAL}`).transformations[0]?.timeoutSeconds, 60);
    assert.equal(parse(`${MINIMAL}    interval: 2s\n    max_staleness: 10s\n`).transformations[0]?.timeoutSeconds, 10);
    assert.equal(parse(`scrape_interval: 600\n${MINIMAL}`).transformations[0]?.timeoutSeconds, 60);
  });

  test('an explicit transformation timeout wins', () => {
    const [t] = parse(`${MINIMAL}    timeout: 45\n`).transformations;
    assert.equal(t?.timeoutSeconds, 45);
  });
});

describe('environment expansion in victoriametrics_url', () => {
  test('${VAR} is replaced from the env argument of parseConfig', () => {
    const config = parse(withUrl('http://${VM_HOST}:8481/select/${VM_TENANT}/prometheus'), { VM_HOST: 'vmselect', VM_TENANT: '42' });
    assert.equal(http(config).url, 'http://vmselect:8481/select/42/prometheus');
  });

  test('${VAR:-fallback} uses the fallback when unset and the variable when set', () => {
    const text = withUrl('${VM_URL:-http://fallback:8428}');
    assert.equal(http(parse(text, {})).url, 'http://fallback:8428');
    assert.equal(http(parse(text, { VM_URL: 'http://from-env:8428' })).url, 'http://from-env:8428');
  });

  test('$$ is a literal dollar', () => {
    const config = parse(withUrl('http://vm:8428/$$prefix/${HOST_PATH}'), { HOST_PATH: 'select' });
    assert.equal(http(config).url, 'http://vm:8428/$prefix/select');
  });

  test('$${VAR} is the literal text ${VAR}, not expanded', () => {
    // Checked on a header value: the URL parser would percent-encode the braces.
    const text = `sources:\n  - name: default\n    type: prometheus\n    url: "http://vm:8428"\n    headers:\n      X-Literal: "$\${NOT_EXPANDED}"\n${MINIMAL}`;
    const config = parse(text, { NOT_EXPANDED: 'oops' });
    assert.equal(http(config).headers.get('X-Literal')?.reveal(), '${NOT_EXPANDED}');
  });

  test('loadConfig passes its env argument through', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'config.yml');
    await writeFile(file, withUrl('${LVE_LOAD_TEST_URL}'));
    const config = await loadConfig(file, { LVE_LOAD_TEST_URL: 'https://vm.example.com:443/prometheus/' });
    assert.equal(http(config).url, 'https://vm.example.com/prometheus');
  });

  test('the process environment is not consulted when an env object is given', () => {
    const name = 'LVE_CONFIG_TEST_PROCESS_ONLY';
    process.env[name] = 'http://process-env:8428';
    try {
      assert.throws(() => parse(withUrl(`\${${name}}`), {}), ConfigError);
    } finally {
      delete process.env[name];
    }
  });
});

describe('URLs', () => {
  test('a trailing slash is removed, the path prefix kept', () => {
    assert.equal(http(parse(withUrl('http://vmselect:8481/select/0/prometheus/'))).url, 'http://vmselect:8481/select/0/prometheus');
    assert.equal(http(parse(withUrl('http://localhost:8428/'))).url, 'http://localhost:8428');
  });

  test('credentials in the URL move to basic auth and leave the URL', () => {
    const config = parse(withUrl('http://vmuser:s3cr3t-PASSWORD-xyz@vmselect:8481/select/0/prometheus'));
    const h = http(config);
    assert.equal(h.url, 'http://vmselect:8481/select/0/prometheus');
    assert.ok(!h.url.includes('s3cr3t'), h.url);
    assert.ok(!h.url.includes('vmuser'), h.url);
    assert.equal(h.basicAuth?.username, 'vmuser');
    assert.equal(h.basicAuth?.password?.reveal(), 's3cr3t-PASSWORD-xyz');
  });

  test('percent-encoded URL credentials are decoded', () => {
    const h = http(parse(withUrl('https://us%40er:p%40ss%3Aword@vm:8428')));
    assert.equal(h.url, 'https://vm:8428');
    assert.equal(h.basicAuth?.username, 'us@er');
    assert.equal(h.basicAuth?.password?.reveal(), 'p@ss:word');
  });

  test('URL credentials from ${ENV} are moved too', () => {
    const h = http(parse(withUrl('http://vmuser:${VM_PASSWORD}@vmselect:8481'), { VM_PASSWORD: 's3cr3t-PASSWORD-xyz' }));
    assert.equal(h.url, 'http://vmselect:8481');
    assert.equal(h.basicAuth?.password?.reveal(), 's3cr3t-PASSWORD-xyz');
  });

  test('an error about a URL never prints the password in it', () => {
    assert.throws(
      () => parse(withUrl('ftp://vmuser:s3cr3t-PASSWORD-xyz@vmselect:8481')),
      (e: unknown) => e instanceof ConfigError && !e.message.includes('s3cr3t') && /unsupported URL scheme "ftp"/.test(e.message),
    );
  });
});

describe('secrets never appear in serialised config', () => {
  const SECRETS = {
    urlPassword: 's3cr3t-PASSWORD-xyz',
    basicPassword: 's3cr3t-BASIC-abc',
    envPassword: 's3cr3t-ENVPASS-def',
    bearer: 's3cr3t-BEARER-ghi',
    header: 's3cr3t-HEADER-jkl',
    envHeader: 's3cr3t-ENVHEADER-mno',
  };
  const text = `victoriametrics_url: "http://vmuser:${SECRETS.urlPassword}@vmselect:8481/select/0/prometheus"
sources:
  - name: basic
    type: prometheus
    url: "https://vm-basic:8428"
    basic_auth:
      username: exporter
      password: "${SECRETS.basicPassword}"
    headers:
      X-Scope-OrgID: "${SECRETS.header}"
      X-Api-Key: "\${API_KEY}"
  - name: envbasic
    type: prometheus
    url: "https://vm-env:8428"
    basic_auth:
      username: exporter
      password: "\${VM_PASSWORD}"
  - name: bearer
    type: prometheus
    url: "https://vm-bearer:8428"
    bearer_token: "${SECRETS.bearer}"
${MINIMAL}`;
  const env = { VM_PASSWORD: SECRETS.envPassword, API_KEY: SECRETS.envHeader };

  /** JSON with Maps turned into objects, so the check is not vacuous. */
  function deepJson(value: unknown): string {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v));
  }

  test('the secrets were read (so the checks below are meaningful)', () => {
    const config = parse(text, env);
    assert.equal(http(config).basicAuth?.password?.reveal(), SECRETS.urlPassword);
    assert.equal(http(config, 'basic').basicAuth?.password?.reveal(), SECRETS.basicPassword);
    assert.equal(http(config, 'basic').headers.get('X-Scope-OrgID')?.reveal(), SECRETS.header);
    assert.equal(http(config, 'basic').headers.get('X-Api-Key')?.reveal(), SECRETS.envHeader);
    assert.equal(http(config, 'envbasic').basicAuth?.password?.reveal(), SECRETS.envPassword);
    assert.equal(http(config, 'bearer').bearerToken?.reveal(), SECRETS.bearer);
  });

  test('JSON.stringify and util.inspect show no secret', () => {
    const config = parse(text, env);
    const renderings = {
      json: JSON.stringify(config),
      deepJson: deepJson(config),
      sourcesJson: deepJson([...config.sources.values()]),
      inspect: inspect(config, { depth: Infinity }),
      inspectSources: inspect(config.sources, { depth: Infinity, showHidden: true }),
      template: `${String(http(config, 'bearer').bearerToken)}`,
    };
    for (const [how, rendered] of Object.entries(renderings)) {
      for (const [what, secret] of Object.entries(SECRETS)) {
        assert.ok(!rendered.includes(secret), `${how} contains the ${what}:\n${rendered}`);
      }
    }
    assert.ok(renderings.inspect.includes('X-Scope-OrgID'), 'header names are still shown');
    assert.ok(renderings.inspect.includes('<secret>'), 'secrets are shown redacted');
  });
});

describe('file sources', () => {
  test('a relative path is resolved against the config file directory, not the cwd', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'sub', 'config.yml');
    await mkdir(path.dirname(file));
    await writeFile(
      file,
      `sources:\n  - name: f\n    type: file\n    path: data/metrics.prom\n  - name: up\n    type: file\n    path: ../up.prom\n${MINIMAL}    source: f\n`,
    );
    const config = await loadConfig(file, NO_ENV);
    assert.deepEqual(source(config, 'f'), {
      name: 'f',
      type: 'file',
      path: path.join(dir, 'sub', 'data', 'metrics.prom'),
      format: 'prometheus',
    });
    assert.deepEqual(source(config, 'up'), { name: 'up', type: 'file', path: path.join(dir, 'up.prom'), format: 'prometheus' });
    assert.equal(transformation(config, 'kubelet_minor_version').source, 'f');
  });

  test('an absolute path is kept', () => {
    const config = parse(`sources:\n  - name: default\n    type: file\n    path: /var/lib/metrics.prom\n${MINIMAL}`);
    assert.deepEqual(source(config, 'default'), { name: 'default', type: 'file', path: '/var/lib/metrics.prom', format: 'prometheus' });
  });

  test('a valid query_filter on a file source is accepted and trimmed', () => {
    const config = parse(
      `sources:\n  - name: default\n    type: file\n    path: m.prom\n${MINIMAL}    query_filter: ' node=~"a.*", cluster!="" '\n`,
    );
    assert.equal(config.transformations[0]?.queryFilter, 'node=~"a.*", cluster!=""');
  });
});

describe('hash', () => {
  test('is stable for the same content and changes when the content changes', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'config.yml');
    await writeFile(file, MINIMAL);
    const first = await loadConfig(file, NO_ENV);
    const again = await loadConfig(file, NO_ENV);
    assert.equal(again.hash, first.hash);
    await writeFile(file, `${MINIMAL}# a comment changes the bytes\n`);
    const changed = await loadConfig(file, NO_ENV);
    assert.notEqual(changed.hash, first.hash);
    await writeFile(file, MINIMAL);
    assert.equal((await loadConfig(file, NO_ENV)).hash, first.hash);
  });

  test('parseConfig and loadConfig agree', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'config.yml');
    await writeFile(file, MINIMAL);
    assert.equal((await loadConfig(file, NO_ENV)).hash, parse(MINIMAL, NO_ENV, file).hash);
  });
});

describe('unreadable config files', () => {
  test('a missing file is a ConfigError that names the file and ENOENT', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'does-not-exist.yml');
    await assert.rejects(loadConfig(file, NO_ENV), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /ENOENT/);
      assert.ok(e.message.includes(file), e.message);
      assert.equal(e.problems.length, 1);
      assert.equal(e.problems[0]?.file, file);
      return true;
    });
  });
});
