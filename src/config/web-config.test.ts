import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../model/errors.js';
import { makeExpiredCert } from '../../test/support/expired-cert.js';
import { makeTestPki, type TestPki } from '../../test/support/tls.js';
import { loadWebConfig, parseWebConfig } from './web-config.js';

const HASH = bcrypt.hashSync('s3cret', 4);

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

describe('parseWebConfig', () => {
  let dir: string;
  let pki: TestPki;
  let file: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lve-webcfg-'));
    pki = await makeTestPki(dir);
    file = path.join(dir, 'web.yml');
  });

  test('an empty file (blanks and comments only) is refused, `{}` is plain HTTP, no auth, no headers', () => {
    for (const empty of ['', '\n\n', '# web config\n  \n'])
      assert.match(
        problemsOf(() => parseWebConfig(empty, file)),
        /web\.yml:1:1: the web config file is empty/,
      );
    const c = parseWebConfig('{}\n', file);
    assert.equal(c.tls, undefined);
    assert.equal(c.users.size, 0);
    assert.equal(c.authExplicitlyOff, false);
    assert.deepEqual(c.headers, {});
  });

  test('a file cut short after `basic_auth_users:` or `tls_server_config:` is refused; `basic_auth_users: {}` turns auth off explicitly', () => {
    assert.match(
      problemsOf(() => parseWebConfig('http_server_config:\n  headers:\n    X-A: b\nbasic_auth_users:\n', file)),
      /web\.yml:4:\d+: basic_auth_users: no users listed \(a file cut short\?\)/,
    );
    assert.match(
      problemsOf(() => parseWebConfig('tls_server_config:\n', file)),
      /web\.yml:1:\d+: tls_server_config: empty \(a file cut short\?\)/,
    );
    assert.equal(parseWebConfig('basic_auth_users: {}\n', file).authExplicitlyOff, true);
    assert.equal(parseWebConfig(`basic_auth_users:\n  alice: ${HASH}\n`, file).authExplicitlyOff, false);
    assert.equal(parseWebConfig('http_server_config: {}\n', file).authExplicitlyOff, false);
  });

  test('the server certificate validity is read: a valid one, and an expired one (accepted, to be warned about)', async () => {
    const valid = parseWebConfig(`tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.serverKey}\n`, file);
    assert.ok(valid.tls?.certNotAfter && valid.tls.certNotAfter.getTime() > Date.now());
    assert.ok(valid.tls?.certNotBefore && valid.tls.certNotBefore.getTime() <= Date.now());
    const old = await makeExpiredCert(dir);
    const expired = parseWebConfig(`tls_server_config:\n  cert_file: ${old.cert}\n  key_file: ${old.key}\n`, file);
    assert.equal(expired.tls?.certNotAfter?.toISOString(), '2020-02-01T00:00:00.000Z');
  });

  test('a full node_exporter-style file', () => {
    const c = parseWebConfig(
      [
        'tls_server_config:',
        `  cert_file: ${pki.serverCert}`,
        '  key_file: server.key', // relative to the file's directory
        '  client_auth_type: RequireAndVerifyClientCert',
        `  client_ca_file: ${pki.caCert}`,
        '  min_version: TLS13',
        '  cipher_suites: [TLS_AES_128_GCM_SHA256]',
        'http_server_config:',
        '  http2: true',
        '  headers:',
        '    X-Frame-Options: deny',
        '    Strict-Transport-Security: max-age=31536000',
        'basic_auth_users:',
        `  alice: ${HASH}`,
        '',
      ].join('\n'),
      file,
    );
    assert.ok(c.tls);
    assert.equal(c.tls.clientAuth, 'RequireAndVerifyClientCert');
    assert.equal(c.tls.minVersion, 'TLSv1.3');
    assert.equal(c.tls.keyFile, pki.serverKey);
    assert.ok(c.tls.ca && c.tls.ca.length > 0);
    assert.equal(c.users.get('alice'), HASH);
    assert.deepEqual(c.headers, { 'X-Frame-Options': 'deny', 'Strict-Transport-Security': 'max-age=31536000' });
    assert.deepEqual([...c.ignored].sort(), ['http_server_config.http2', 'tls_server_config.cipher_suites']);
  });

  test('defaults: TLS 1.2 minimum, no client certificates', () => {
    const c = parseWebConfig(`tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.serverKey}\n`, file);
    assert.equal(c.tls?.minVersion, 'TLSv1.2');
    assert.equal(c.tls?.clientAuth, 'NoClientCert');
  });

  test('the fingerprint changes with the certificate files, not only the text', async () => {
    const certCopy = path.join(dir, 'copy.crt');
    await writeFile(certCopy, await import('node:fs/promises').then((fs) => fs.readFile(pki.serverCert)));
    const text = `tls_server_config:\n  cert_file: copy.crt\n  key_file: ${pki.serverKey}\n`;
    const a = parseWebConfig(text, file).fingerprint;
    assert.equal(parseWebConfig(text, file).fingerprint, a);
    await writeFile(certCopy, `${await import('node:fs/promises').then((fs) => fs.readFile(pki.serverCert, 'utf8'))}\n`);
    assert.notEqual(parseWebConfig(text, file).fingerprint, a);
  });

  test('unknown keys, with file:line:column and a suggestion', () => {
    const msg = problemsOf(() =>
      parseWebConfig(`tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.serverKey}\n  min_versoin: TLS13\n`, file),
    );
    assert.match(
      msg,
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:3: tls_server_config.min_versoin: unknown field \\(did you mean "min_version"\\?\\)$`,
      ),
    );
    assert.match(
      problemsOf(() => parseWebConfig('basic_auth_user:\n  a: b\n', file)),
      /web\.yml:1:1: basic_auth_user: unknown field \(did you mean "basic_auth_users"\?\)/,
    );
  });

  test('wrong types and enum values', () => {
    assert.match(
      problemsOf(() =>
        parseWebConfig(`tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.serverKey}\n  min_version: TLS11\n`, file),
      ),
      /web\.yml:4:16: tls_server_config\.min_version: /,
    );
    assert.match(
      problemsOf(() =>
        parseWebConfig(
          `tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.serverKey}\n  client_auth_type: Always\n`,
          file,
        ),
      ),
      /web\.yml:4:21: tls_server_config\.client_auth_type: /,
    );
    assert.match(
      problemsOf(() => parseWebConfig('http_server_config:\n  headers: [a]\n', file)),
      /web\.yml:2:12: http_server_config\.headers: /,
    );
  });

  test('a missing key_file', () => {
    assert.match(
      problemsOf(() => parseWebConfig(`tls_server_config:\n  cert_file: ${pki.serverCert}\n`, file)),
      /web\.yml:2:3: tls_server_config\.key_file: missing required field/,
    );
  });

  test('unreadable certificate files are reported at their key', () => {
    const msg = problemsOf(() => parseWebConfig(`tls_server_config:\n  cert_file: nope.crt\n  key_file: ${pki.serverKey}\n`, file));
    assert.match(msg, /web\.yml:2:14: tls_server_config\.cert_file: cannot read .*nope\.crt \(ENOENT\)/);
  });

  test('a key that does not match the certificate', () => {
    const msg = problemsOf(() =>
      parseWebConfig(`tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.clientKey}\n`, file),
    );
    assert.match(msg, /tls_server_config\.cert_file: cannot use certificate and key/);
  });

  test('client CA and client_auth_type must agree', () => {
    const base = `tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.serverKey}\n`;
    assert.match(
      problemsOf(() => parseWebConfig(`${base}  client_ca_file: ${pki.caCert}\n`, file)),
      /web\.yml:4:19: tls_server_config\.client_ca_file: client_ca_file is set but client_auth_type is NoClientCert/,
    );
    assert.match(
      problemsOf(() => parseWebConfig(`${base}  client_auth_type: RequireAndVerifyClientCert\n`, file)),
      /tls_server_config\.client_auth_type: RequireAndVerifyClientCert needs client_ca_file/,
    );
    assert.ok(parseWebConfig(`${base}  client_auth_type: RequireAnyClientCert\n`, file).tls);
  });

  test('invalid bcrypt hashes, never echoing the value', () => {
    const bad = '$2b$10$notahashnotahashnotahash';
    const msg = problemsOf(() =>
      parseWebConfig(`basic_auth_users:\n  alice: ${HASH}\n  bob: "${bad}"\n  carol: plaintext-password\n`, file),
    );
    assert.match(msg, /web\.yml:3:8: basic_auth_users\.bob: not a bcrypt hash/);
    assert.match(msg, /web\.yml:4:10: basic_auth_users\.carol: not a bcrypt hash/);
    assert.ok(!msg.includes(bad) && !msg.includes('plaintext-password'), msg);
  });

  test('header names and values are checked; server-controlled headers are refused', () => {
    assert.match(
      problemsOf(() => parseWebConfig('http_server_config:\n  headers:\n    Content-Type: text/html\n', file)),
      /web\.yml:3:5: .*cannot be configured/,
    );
    assert.match(
      problemsOf(() => parseWebConfig('http_server_config:\n  headers:\n    "Bad Name": x\n', file)),
      /invalid HTTP header name/,
    );
  });

  test('YAML syntax errors and duplicate keys', () => {
    assert.match(
      problemsOf(() => parseWebConfig('basic_auth_users: [\n', file)),
      /web\.yml:\d+:\d+: YAML syntax error/,
    );
    assert.match(
      problemsOf(() => parseWebConfig(`basic_auth_users:\n  a: ${HASH}\n  a: ${HASH}\n`, file)),
      /YAML syntax error/,
    );
  });

  test('loadWebConfig: an unreadable file', async () => {
    await assert.rejects(
      loadWebConfig(path.join(dir, 'missing.yml')),
      (e: unknown) => e instanceof ConfigError && /missing\.yml: cannot read web config file \(ENOENT\)/.test(e.message),
    );
  });
});
