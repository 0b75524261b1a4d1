/**
 * JSON sources (HTTP and file) are bounded by configuration, strict about
 * their input, and never trade the last good data for an answer that gave
 * nothing usable (issue #12 items 3, 10, 13a). Small limits prove the bounds;
 * the heap figures for a 400 MB answer and a gzip bomb are in the report.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULTS } from '../../../src/config/defaults.js';
import { parseConfig } from '../../../src/registry/load.js';
import type { ExporterConfig } from '../../../src/registry/load.js';
import { ConfigError, SourceError } from '../../../src/model/errors.js';
import { runTransformation } from '../../../src/scheduler/run.js';
import { SnapshotStore } from '../../../src/snapshot/store.js';
import { createSource } from '../../../src/sources/registry.js';

interface Answer {
  body: Buffer | string;
  gzip?: boolean;
}

/** A JSON API on 127.0.0.1 whose answer the test sets. */
async function api(answer: Answer): Promise<{ url: string; server: Server; set: (a: Answer) => void }> {
  let current = answer;
  const server = createServer((_req, res) => {
    const body = typeof current.body === 'string' ? Buffer.from(current.body) : current.body;
    res.writeHead(200, { 'content-type': 'application/json', ...(current.gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(current.gzip ? gzipSync(body) : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pods`, server, set: (a) => (current = a) };
}

const GOOD = JSON.stringify({
  items: [
    { name: 'a', energy: '1' },
    { name: 'b', energy: '2' },
  ],
});

function cfg(source: string, json = `{records: "$.items[*]", labels: {name: name, energy: energy}}`): ExporterConfig {
  return parseConfig(
    `sources:\n  - ${source}\nmetric_transformations:\n  - {name: energy, source: s, source_metric: energy_api, value_from_label: energy, preserve_labels: [name], json: ${json}}\n`,
    '/tmp/c.yml',
    {},
  );
}

/** One run into `store`; returns the failure (or null on success). */
async function run(c: ExporterConfig, store: SnapshotStore): Promise<SourceError | null> {
  const t = c.transformations[0] as ExporterConfig['transformations'][number];
  const source = createSource(c.sources.get('s') ?? assert.fail('no source s'), { request: () => undefined });
  try {
    const o = await runTransformation(t, [source], store, new AbortController().signal);
    return o.ok ? null : o.error;
  } finally {
    await source.close();
  }
}

function served(store: SnapshotStore): string[] {
  return [...(store.get('energy')?.series.values() ?? [])].map((s) => `${s.labelText} ${s.value}`).sort();
}

/** A good run, then `bad`: the run fails with `reason` and a message matching `message`; the good series stay. */
async function failsKeepingData(
  c: ExporterConfig,
  set: (bad: boolean) => void | Promise<void>,
  reason: string,
  message: RegExp,
): Promise<SourceError> {
  const store = new SnapshotStore();
  await set(false);
  assert.equal((await run(c, store))?.message, undefined);
  const good = served(store);
  assert.equal(good.length, 2);
  await set(true);
  const err = await run(c, store);
  assert.ok(err, 'the bad answer must fail the run');
  assert.equal(err.reason, reason, err.message);
  assert.match(err.message, message);
  assert.deepEqual(served(store), good, 'the last good data stays');
  return err;
}

describe('json source: memory bounded by max_response_bytes (decoded)', () => {
  test("the default bound of a json source is the heap-safe JSON one, not the streamed sources' 512 MiB", () => {
    const c = cfg('{name: s, type: json, url: "http://127.0.0.1:1/x"}');
    const s = c.sources.get('s');
    assert.ok(s && s.type === 'json');
    assert.equal(s.http.maxResponseBytes, DEFAULTS.maxJsonResponseBytes);
    assert.ok(DEFAULTS.maxJsonResponseBytes <= 64 * 1024 * 1024);
    assert.equal(s.maxLabelValueBytes, DEFAULTS.maxLabelValueBytes);
  });

  test('by default, a gzip bomb (40 MiB from 40 KB) is cut at 32 MiB of decoded bytes with too_large naming max_response_bytes', async () => {
    const bomb = Buffer.from(`{"items":[{"name":"a","energy":"1","pad":"${'a'.repeat(40 * 1024 * 1024)}"}]}`);
    const { url, server, set } = await api({ body: GOOD });
    try {
      const c = cfg(`{name: s, type: json, url: "${url}"}`);
      await failsKeepingData(
        c,
        (bad) => set(bad ? { body: bomb, gzip: true } : { body: GOOD }),
        'too_large',
        /max_response_bytes \(33554432 bytes/,
      );
    } finally {
      server.close();
    }
  });
});

describe('json source: answers that give nothing usable fail the run (item 10)', () => {
  test('records matched but none has the value field (another shape): bad_response naming the field; the last good data stays', async () => {
    const wrong = JSON.stringify({
      items: [
        { pod: 'a', joules: 1 },
        { pod: 'b', joules: 2 },
      ],
    });
    const { url, server, set } = await api({ body: GOOD });
    try {
      const err = await failsKeepingData(
        cfg(`{name: s, type: json, url: "${url}"}`),
        (bad) => set({ body: bad ? wrong : GOOD }),
        'bad_response',
        /2 record\(s\) matched "\$\.items\[\*\]" but none has a value for "energy"/,
      );
      assert.match(err.message, /keys "pod, joules"/);
    } finally {
      server.close();
    }
  });

  test('invalid UTF-8 fails with parse naming the byte offset (not silently U+FFFD)', async () => {
    const at = GOOD.indexOf('"b"') + 1;
    const broken = Buffer.concat([Buffer.from(GOOD.slice(0, at)), Buffer.from([0xff, 0xfe]), Buffer.from(GOOD.slice(at))]);
    const { url, server, set } = await api({ body: GOOD });
    try {
      await failsKeepingData(
        cfg(`{name: s, type: json, url: "${url}"}`),
        (bad) => set({ body: bad ? broken : GOOD }),
        'parse',
        /invalid UTF-8 .*byte \d+/,
      );
    } finally {
      server.close();
    }
  });

  test('a label value over max_label_value_bytes fails with too_large naming the label', async () => {
    const long = JSON.stringify({
      items: [
        { name: 'x'.repeat(5000), energy: '1' },
        { name: 'b', energy: '2' },
      ],
    });
    const { url, server, set } = await api({ body: GOOD });
    try {
      const c = cfg(`{name: s, type: json, url: "${url}", max_label_value_bytes: 4096}`);
      await failsKeepingData(
        c,
        (bad) => set({ body: bad ? long : GOOD }),
        'too_large',
        /label "name" .*max_label_value_bytes \(4096 bytes\)/,
      );
    } finally {
      server.close();
    }
  });

  test('a value_from_label that no json label gives is a config error', () => {
    assert.throws(
      () => cfg('{name: s, type: json, url: "http://127.0.0.1:1/x"}', '{records: "$.items[*]", labels: {name: name}}'),
      (e: unknown) => e instanceof ConfigError && /value_from_label "energy" is not one of the json labels/.test(e.message),
    );
  });
});

describe('file source, format json', () => {
  test('a file over max_bytes fails with too_large naming max_bytes; invalid UTF-8 fails with parse', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lve-json-bounds-'));
    const file = path.join(dir, 'pods.json');
    const c = cfg(`{name: s, type: file, path: ${JSON.stringify(file)}, max_bytes: 65536}`);
    const big = JSON.stringify({ items: Array.from({ length: 5000 }, (_, i) => ({ name: `p${i}`, energy: String(i) })) });
    let bad: string | Buffer = big;
    const set = (isBad: boolean) => writeFile(file, isBad ? bad : GOOD);
    await failsKeepingData(c, set, 'too_large', /max_bytes \(65536 bytes/);
    bad = Buffer.concat([Buffer.from(GOOD.slice(0, 12)), Buffer.from([0xc3]), Buffer.from(GOOD.slice(12))]);
    await failsKeepingData(c, set, 'parse', /invalid UTF-8/);
  });
});

describe('label names are data', () => {
  test('JSON fields and labels named __proto__, constructor, toString reach the series as labels', async () => {
    const body = JSON.stringify({ items: [JSON.parse('{"__proto__": "7", "constructor": "c1", "meta": {"__proto__": {"x": "px"}}}')] });
    const { url, server } = await api({ body });
    try {
      const c = parseConfig(
        `sources:\n  - {name: s, type: json, url: "${url}"}\nmetric_transformations:\n  - name: m\n    source: s\n    source_metric: api\n    value_from_label: constructor\n    preserve_labels: [toString, hasOwnProperty, valueOf]\n    json:\n      records: "$.items[*]"\n      labels: {constructor: __proto__, toString: constructor, hasOwnProperty: meta.__proto__.x, valueOf: "$['constructor']"}\n`,
        '/tmp/c.yml',
        {},
      );
      const got: Array<Record<string, string>> = [];
      const source = createSource(c.sources.get('s') ?? assert.fail(), { request: () => undefined });
      await source.collect(
        { metric: 'api', filter: '', labels: null, json: c.transformations[0]?.json ?? null },
        (l) => got.push({ ...l }),
        new AbortController().signal,
      );
      await source.close();
      assert.deepEqual(got, [{ constructor: '7', toString: 'c1', hasOwnProperty: 'px', valueOf: 'c1' }]);
      const store = new SnapshotStore();
      const t = c.transformations[0] ?? assert.fail();
      const src = createSource(c.sources.get('s') ?? assert.fail(), { request: () => undefined });
      const o = await runTransformation(t, [src], store, new AbortController().signal);
      await src.close();
      assert.ok(o.ok, o.ok ? '' : o.error.message);
      assert.deepEqual(
        [...(store.get('m')?.series.values() ?? [])],
        [{ labelText: 'hasOwnProperty="px",toString="c1",valueOf="c1"', value: 7 }],
      );
    } finally {
      server.close();
    }
  });
});
