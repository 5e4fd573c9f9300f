// Local TLS: one self-signed certificate (its own CA) for the HTTPS components of the dev stack
// (Cosmos server, ADF stand-in). Clients trust exactly this file through their connection's `caFile`,
// never by turning TLS checks off.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface LocalCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

const VALID_FOR_MS = 365 * 24 * 3600 * 1000;
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

/**
 * Returns the certificate kept in `dir`, making a new one when it is missing, about to expire, or does not
 * name every one of `hostNames` (beyond localhost and 127.0.0.1: e.g. a compose service's host name).
 */
export async function ensureLocalCertificate(dir: string, hostNames: string[] = []): Promise<LocalCertificate> {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, 'local-ca.pem');
  const keyFile = join(dir, 'local-ca.key');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const x509 = new X509Certificate(cert);
    const namesAll = hostNames.every((name) => x509.checkHost(name) !== undefined);
    if (namesAll && Date.parse(x509.validTo) - Date.now() > RENEW_BEFORE_MS) {
      return { certFile, keyFile, cert, key: readFileSync(keyFile, 'utf8') };
    }
  }
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'azbackup local dev stack' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + VALID_FOR_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          ...hostNames.map((value) => ({ type: 2 as const, value })),
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  return { certFile, keyFile, cert: pems.cert, key: pems.private };
}
