import { describe, expect, it } from 'vitest';
import { parseTrustedProxies } from '../../src/server/config.js';
import { runServerMain } from './helpers/run-script.js';

describe('--trust-proxy', () => {
  it('takes IP addresses and CIDR ranges, IPv4 and IPv6, separated by commas', () => {
    expect(parseTrustedProxies('10.0.0.5')).toBe('10.0.0.5');
    expect(parseTrustedProxies(' 10.0.0.5, 10.1.0.0/16 ,fd00::/8,::1 ')).toBe('10.0.0.5,10.1.0.0/16,fd00::/8,::1');
  });

  it('names the entry it cannot read', () => {
    expect(() => parseTrustedProxies('proxy.clinic.example')).toThrow(
      '--trust-proxy: "proxy.clinic.example" is not an IP address or CIDR range',
    );
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow('"10.0.0.0/33" is not');
    expect(() => parseTrustedProxies('10.0.0.0/8/1')).toThrow('"10.0.0.0/8/1" is not');
    expect(() => parseTrustedProxies('fd00::/129')).toThrow('"fd00::/129" is not');
    expect(() => parseTrustedProxies(' , ')).toThrow('--trust-proxy needs at least one address or CIDR range');
  });

  it('stops the server before it opens anything when the value is not one', async () => {
    const { code, stdout, stderr } = await runServerMain([
      '--trust-proxy',
      'everyone',
      '--data',
      '/nonexistent/never',
      '--port',
      '0',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^--trust-proxy: "everyone" is not an IP address or CIDR range\nUsage: npm run server/);
    expect(stdout).not.toMatch(/listening/);
  });
});
