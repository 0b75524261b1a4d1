/**
 * A self-signed server certificate valid only in January 2020, for tests of
 * the expired-certificate warning. `openssl req -x509` cannot back-date (its
 * `-days` must be positive), `openssl ca -selfsign` takes explicit dates.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const CA_CONFIG = `[ ca ]
default_ca = dflt
[ dflt ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = pol
[ pol ]
commonName = supplied
`;

/** Writes `expired.crt` and `expired.key` into a new directory under `dir`; notAfter is 2020-02-01T00:00:00Z. */
export async function makeExpiredCert(dir: string): Promise<{ cert: string; key: string }> {
  const cwd = await mkdtemp(path.join(dir, 'expired-'));
  await writeFile(path.join(cwd, 'ca.cnf'), CA_CONFIG);
  await writeFile(path.join(cwd, 'index.txt'), '');
  await writeFile(path.join(cwd, 'serial'), '01\n');
  const opts = { cwd, timeout: 30_000 };
  await run(
    'openssl',
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'expired.key',
      '-out',
      'expired.csr',
      '-subj',
      '/CN=127.0.0.1',
    ],
    opts,
  );
  await run(
    'openssl',
    [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'expired.key',
      '-in',
      'expired.csr',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200201000000Z',
      '-out',
      'expired.crt',
    ],
    opts,
  );
  return { cert: path.join(cwd, 'expired.crt'), key: path.join(cwd, 'expired.key') };
}
