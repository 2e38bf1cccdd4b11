// A simulated cluster's TLS with --rbac: a self-signed CA ("CN=kubernetes", as kubeadm names it)
// for the cluster's key, and the API server's certificate for 127.0.0.1 that it signs, X.509
// DER-encoded here because node:crypto parses certificates but does not make them. kubectl
// sends credentials only over TLS (client-go clientcmd reads a kubeconfig's user only for an
// https server), so enforcing authentication needs it; the CA is what kubeconfigs trust and what
// ServiceAccount token Secrets carry as ca.crt (docs/adr/0011-simulated-clusters.md).
import type { KeyObject } from 'node:crypto';
import { createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const utcTime = (ms: number): Buffer => tlv(0x17, Buffer.from(`${new Date(ms).toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

const name = (cn: string): Buffer => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));
const TRUE = tlv(0x01, Buffer.from([0xff]));
const extension = (id: string, critical: boolean, value: Buffer): Buffer => seq(oid(id), ...(critical ? [TRUE] : []), tlv(0x04, value));

interface CertificateSpec {
  readonly subject: string;
  readonly issuer: string;
  /** The certified key (its public half is written). */
  readonly key: KeyObject;
  /** The issuer's private key, which signs. */
  readonly signer: KeyObject;
  readonly ca: boolean;
  /** Subject alternative names: IPv4 addresses and DNS names. */
  readonly ips?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly nowMs: number;
}

function certificatePem(c: CertificateSpec): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const extensions = [
    extension('2.5.29.19', true, c.ca ? seq(TRUE) : seq()),
    // keyUsage: digitalSignature, keyEncipherment (+ keyCertSign for the CA)
    extension('2.5.29.15', true, tlv(0x03, c.ca ? Buffer.from([0x02, 0xa4]) : Buffer.from([0x05, 0xa0]))),
  ];
  if (!c.ca) {
    const sans = [
      ...(c.ips ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
      ...(c.dnsNames ?? []).map((d) => tlv(0x82, Buffer.from(d))),
    ];
    extensions.push(extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), extension('2.5.29.17', false, seq(...sans)));
  }
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    ECDSA_SHA256,
    name(c.issuer),
    seq(utcTime(c.nowMs - 60_000), utcTime(c.nowMs + 10 * 365 * 86_400_000)),
    name(c.subject),
    createPublicKey(c.key).export({ format: 'der', type: 'spki' }),
    tlv(0xa3, seq(...extensions)),
  );
  const der = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), sign('sha256', tbs, c.signer)])));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export interface ClusterTls {
  /** The cluster CA ("CN=kubernetes", as kubeadm names it): kubeconfigs' certificate-authority-data, token Secrets' ca.crt. */
  readonly caPem: string;
  /** The API server's certificate (127.0.0.1 and localhost), signed by the CA, and its key. */
  readonly certPem: string;
  readonly keyPem: string;
}

/** A CA for `caKey` and a serving certificate for 127.0.0.1 it signs, valid ten years from `nowMs`. */
export function clusterTls(caKey: KeyObject, nowMs: number): ClusterTls {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    caPem: certificatePem({ subject: 'kubernetes', issuer: 'kubernetes', key: caKey, signer: caKey, ca: true, nowMs }),
    certPem: certificatePem({ subject: 'kube-apiserver', issuer: 'kubernetes', key: privateKey, signer: caKey, ca: false, ips: ['127.0.0.1'], dnsNames: ['localhost', 'kubernetes', 'kubernetes.default.svc'], nowMs }),
    keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}
