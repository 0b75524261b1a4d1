import { CLIENT_AUTH_TYPES, type ClientAuthType } from '../model/client-auth.js';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';
import { ConfigError } from '../model/errors.js';
import type { PathSegment } from './locate.js';
import { validateYaml } from './yaml-validate.js';

/**
 * `--web.config.file`: the Prometheus exporter-toolkit web configuration
 * (the file node_exporter reads): TLS, basic auth users with bcrypt hashes,
 * response headers. Validated strictly, like the main configuration.
 */

export type WebClientAuthType = ClientAuthType;
type TlsVersionName = 'TLS12' | 'TLS13';
const TLS_VERSIONS: Record<TlsVersionName, 'TLSv1.2' | 'TLSv1.3'> = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/** bcrypt as Go's x/crypto/bcrypt and bcryptjs read it: `$2a$`/`$2b$`/`$2y$`, cost 04–31, 53 characters of salt and hash. */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex
const HEADER_VALUE = /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/;
/** Headers the server itself controls; setting them would break answers or auth. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'www-authenticate',
  'vary',
  'allow',
  'date',
  'trailer',
]);

const tlsServerConfig = z.strictObject({
  cert_file: z.string().min(1),
  key_file: z.string().min(1),
  client_auth_type: z.enum(CLIENT_AUTH_TYPES).optional(),
  client_ca_file: z.string().min(1).optional(),
  min_version: z.enum(['TLS12', 'TLS13']).optional(),
  max_version: z.enum(['TLS12', 'TLS13']).optional(),
  cipher_suites: z.array(z.string()).optional(),
  curve_preferences: z.array(z.string()).optional(),
  prefer_server_cipher_suites: z.boolean().optional(),
});

const httpServerConfig = z.strictObject({
  http2: z.boolean().optional(),
  headers: z
    .record(
      z
        .string()
        .refine((k) => HEADER_NAME.test(k), { message: 'invalid HTTP header name' })
        .refine((k) => !RESERVED_HEADERS.has(k.toLowerCase()), { message: 'this header is set by the exporter and cannot be configured' }),
      z.string().refine((v) => HEADER_VALUE.test(v), { message: 'header value must not contain control characters or line breaks' }),
    )
    .optional(),
});

export const webConfigSchema = z.strictObject({
  tls_server_config: tlsServerConfig.optional().nullable(),
  http_server_config: httpServerConfig.optional().nullable(),
  basic_auth_users: z
    .record(
      z
        .string()
        .min(1, { message: 'user name must not be empty' })
        .refine((u) => !u.includes(':'), { message: 'user name must not contain ":"' }),
      z.string().refine((h) => BCRYPT.test(h), {
        message: 'not a bcrypt hash (expected $2a$, $2b$ or $2y$, a cost of 04-31 and 53 characters, 60 in all)',
      }),
    )
    .optional()
    .nullable(),
});

export interface WebTlsConfig {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
  readonly clientAuth: WebClientAuthType;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3' | undefined;
  /** Validity of the server certificate (the first in `cert_file`), to warn about an expired one. */
  readonly certNotBefore: Date | undefined;
  readonly certNotAfter: Date | undefined;
  /** Absolute paths, for logs. */
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string | undefined;
}

export interface WebConfig {
  /** Absolute path of the web config file. */
  readonly file: string;
  /** Hash of the file and of the certificate files it names: a change in any of them is a change. */
  readonly fingerprint: string;
  readonly tls: WebTlsConfig | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** User → bcrypt hash. Secret: never log or show. */
  readonly users: ReadonlyMap<string, string>;
  /**
   * `basic_auth_users: {}` written out: authentication deliberately off. Only
   * this turns authentication off on reload; a file without the key (perhaps
   * cut short before it) does not.
   */
  readonly authExplicitlyOff: boolean;
  readonly http2: boolean;
  /** Settings read but without effect here (e.g. `cipher_suites`: Node/OpenSSL choose). */
  readonly ignored: readonly string[];
}

function knownKeys(path: readonly PathSegment[]): string[] {
  const first = path[0];
  if (path.length === 0) return Object.keys(webConfigSchema.shape);
  if (first === 'tls_server_config') return Object.keys(tlsServerConfig.shape);
  if (first === 'http_server_config') return Object.keys(httpServerConfig.shape);
  return [];
}

/**
 * Parses and validates a web configuration text; certificate files are read
 * (relative to the file's directory, as exporter-toolkit does) and checked to
 * load. Throws `ConfigError` with every problem at file:line:column.
 */
export function parseWebConfig(text: string, file: string): WebConfig {
  const { data, problems, file: abs } = validateYaml(text, file, webConfigSchema, knownKeys);
  if (isEmptyYaml(text)) {
    // An empty file is most often one being written (or truncated): never read it as "no TLS, no auth".
    problems.add([], 'the web config file is empty (a half-written file?); write `{}` for a web configuration that sets nothing');
  }
  if (data.basic_auth_users === null) {
    problems.add(
      ['basic_auth_users'],
      'no users listed (a file cut short?); list users, or write `basic_auth_users: {}` to turn authentication off',
    );
  }
  if (data.tls_server_config === null) {
    problems.add(['tls_server_config'], 'empty (a file cut short?); set cert_file and key_file, or remove the key to serve plain HTTP');
  }
  const fp = createHash('sha256').update(text);
  const dir = dirname(abs);
  const ignored: string[] = [];
  let tls: WebTlsConfig | undefined;
  const t = data.tls_server_config;
  if (t) {
    const read = (key: 'cert_file' | 'key_file' | 'client_ca_file', name: string): { path: string; bytes: Buffer | undefined } => {
      const path = resolve(dir, name);
      try {
        const bytes = readFileSync(path);
        fp.update(`\u0000${key}\u0000`).update(bytes);
        return { path, bytes };
      } catch (e) {
        problems.add(['tls_server_config', key], `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        return { path, bytes: undefined };
      }
    };
    const cert = read('cert_file', t.cert_file);
    const key = read('key_file', t.key_file);
    const ca = t.client_ca_file === undefined ? undefined : read('client_ca_file', t.client_ca_file);
    const clientAuth = t.client_auth_type ?? 'NoClientCert';
    if (ca && clientAuth === 'NoClientCert') {
      problems.add(
        ['tls_server_config', 'client_ca_file'],
        'client_ca_file is set but client_auth_type is NoClientCert (set client_auth_type, e.g. RequireAndVerifyClientCert)',
      );
    }
    if (!ca && (clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert')) {
      problems.add(['tls_server_config', 'client_auth_type'], `${clientAuth} needs client_ca_file`);
    }
    const minVersion = TLS_VERSIONS[t.min_version ?? 'TLS12'];
    const maxVersion = t.max_version ? TLS_VERSIONS[t.max_version] : undefined;
    if (maxVersion && maxVersion < minVersion) problems.add(['tls_server_config', 'max_version'], 'max_version is below min_version');
    if (cert.bytes && key.bytes) {
      try {
        createSecureContext({ cert: cert.bytes, key: key.bytes, ...(ca?.bytes ? { ca: ca.bytes } : {}) });
      } catch (e) {
        problems.add(['tls_server_config', 'cert_file'], `cannot use certificate and key: ${(e as Error).message}`);
      }
    }
    for (const k of ['cipher_suites', 'curve_preferences', 'prefer_server_cipher_suites'] as const) {
      if (t[k] !== undefined) ignored.push(`tls_server_config.${k}`);
    }
    if (cert.bytes && key.bytes && (!ca || ca.bytes)) {
      const validity = certValidity(cert.bytes);
      tls = {
        cert: cert.bytes,
        key: key.bytes,
        ca: ca?.bytes,
        clientAuth,
        minVersion,
        maxVersion,
        certNotBefore: validity?.notBefore,
        certNotAfter: validity?.notAfter,
        certFile: cert.path,
        keyFile: key.path,
        clientCaFile: ca?.path,
      };
    }
  }
  if (!problems.empty) throw new ConfigError(problems.list);
  const h = data.http_server_config;
  if (h?.http2 !== undefined) ignored.push('http_server_config.http2');
  return {
    file: abs,
    fingerprint: fp.digest('hex'),
    tls,
    headers: { ...(h?.headers ?? {}) },
    users: new Map(Object.entries(data.basic_auth_users ?? {})),
    authExplicitlyOff:
      data.basic_auth_users !== undefined && data.basic_auth_users !== null && Object.keys(data.basic_auth_users).length === 0,
    http2: h?.http2 ?? false,
    ignored,
  };
}

/** No YAML content at all: only blanks and comments. */
function isEmptyYaml(text: string): boolean {
  return text.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line));
}

/** The validity window of the first certificate of a PEM bundle; undefined when it cannot be read (createSecureContext reports that). */
function certValidity(pem: Buffer): { notBefore: Date; notAfter: Date } | undefined {
  try {
    const x = new X509Certificate(pem);
    return { notBefore: new Date(x.validFrom), notAfter: new Date(x.validTo) };
  } catch {
    return undefined;
  }
}

/** Reads and parses a web configuration file. */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([{ file: resolve(file), line: 0, column: 0, path: '', message: `cannot read web config file (${code})` }], {
      cause: e,
    });
  }
  return parseWebConfig(text, file);
}
