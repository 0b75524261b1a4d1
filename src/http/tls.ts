import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { ClientAuthType } from '../model/client-auth.js';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** What the HTTPS server needs: PEM bytes already read and checked by the loader. */
export interface TlsSettings {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Client CA bundle (`client_ca_file`). */
  readonly ca: Buffer | undefined;
  readonly clientAuth: ClientAuthType;
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion | undefined;
}

/** Secure-context options for node:tls from the settings. */
export function secureContextOptions(t: TlsSettings): {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  minVersion: TlsVersion;
  maxVersion?: TlsVersion;
} {
  return {
    cert: t.cert,
    key: t.key,
    ...(t.ca ? { ca: t.ca } : {}),
    minVersion: t.minVersion,
    ...(t.maxVersion ? { maxVersion: t.maxVersion } : {}),
  };
}

/**
 * How node:tls asks for client certificates. Only RequireAndVerifyClientCert
 * can be left to OpenSSL (handshake failure); the others need a certificate
 * request without automatic rejection, checked in `clientCertAcceptable`.
 */
export function clientCertOptions(type: ClientAuthType): { requestCert: boolean; rejectUnauthorized: boolean } {
  if (type === 'NoClientCert') return { requestCert: false, rejectUnauthorized: false };
  return { requestCert: true, rejectUnauthorized: type === 'RequireAndVerifyClientCert' };
}

/** After the handshake: whether the client's certificate (or its absence) is acceptable. */
export function clientCertAcceptable(socket: TLSSocket, type: ClientAuthType): boolean {
  const peer = socket.getPeerCertificate();
  const present = peer !== null && typeof peer === 'object' && Object.keys(peer).length > 0;
  switch (type) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return true;
    case 'RequireAnyClientCert':
      return present;
    case 'VerifyClientCertIfGiven':
      return !present || socket.authorized;
    case 'RequireAndVerifyClientCert':
      return present && socket.authorized;
  }
}

/** The per-connection options node:tls reads from the server object (not covered by setSecureContext). */
interface ClientCertFields {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/** Swaps certificates, CA, versions and the client-certificate policy for new connections. */
export function applyTls(server: HttpsServer, t: TlsSettings): void {
  server.setSecureContext(secureContextOptions(t));
  Object.assign(server as unknown as ClientCertFields, clientCertOptions(t.clientAuth));
}
