// The config's routing settings (docs/adr/0013-routing-through-istio.md): `routing: none |
// istio`, and per cluster an optional `eastWestGateway: "ADDRESS:PORT"`.
import { isIP } from 'node:net';

export const ROUTING_MODES = ['none', 'istio'] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];

const HOSTNAME_RE = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i;

export type GatewayAddress = { ok: true; address: string; port: number } | { ok: false; reason: string };

/** `ADDRESS:PORT`: an IPv4 address or a DNS name, or `[IPv6]`, then a port 1–65535. */
export function parseGatewayAddress(text: string): GatewayAddress {
  const hint = `"${text}" is not ADDRESS:PORT (e.g. "203.0.113.10:15443", "gw.example.com:15443", "[2001:db8::1]:15443")`;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!m) return { ok: false, reason: hint };
  const address = m[1] ?? '';
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return { ok: false, reason: `${hint}: the port must be 1 to 65535` };
  const bracketed = text.startsWith('[');
  if (bracketed ? isIP(address) !== 6 : isIP(address) !== 4 && !HOSTNAME_RE.test(address)) {
    return { ok: false, reason: `${hint}: "${address}" is neither an IP address nor a DNS name` };
  }
  return { ok: true, address, port };
}
