import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrustedProxies } from '../../src/server/config.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

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
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/server/main.ts',
        '--trust-proxy',
        'everyone',
        '--data',
        '/nonexistent/never',
        '--port',
        '0',
      ],
      { cwd: repoRoot, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^--trust-proxy: "everyone" is not an IP address or CIDR range\nUsage: npm run server/);
    expect(stdout).not.toMatch(/listening/);
  });
});
