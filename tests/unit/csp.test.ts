import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  CONTENT_SECURITY_POLICY_HEADER_ONLY,
  contentSecurityPolicyHeader,
} from '../../src/shared/security/csp';

const root = join(import.meta.dirname, '../..');

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

function metaPolicy(html: string): string | undefined {
  const tag = /<meta\s+[^>]*http-equiv=["']Content-Security-Policy["'][^>]*>/i.exec(html)?.[0];
  return tag ? /content="([^"]*)"/i.exec(tag)?.[1] : undefined;
}

describe('Content-Security-Policy', () => {
  it('index.html repeats the policy in its meta tag, exactly', () => {
    const html = readFileSync(join(root, 'src/renderer/index.html'), 'utf8');
    expect(metaPolicy(html)).toBe(CONTENT_SECURITY_POLICY);
  });

  it('never allows eval or inline scripts', () => {
    const policy = directives(contentSecurityPolicyHeader());
    expect(contentSecurityPolicyHeader()).not.toContain("'unsafe-eval'");
    expect(contentSecurityPolicyHeader()).not.toContain("'wasm-unsafe-eval'");
    const scripts = policy.get('script-src');
    expect(scripts).toEqual(["'self'"]);
    expect(scripts).not.toContain("'unsafe-inline'");
  });

  it('denies by default and blocks plugins, base changes, form posts and framing', () => {
    const policy = directives(contentSecurityPolicyHeader());
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('lets the page talk only to its own origin', () => {
    const policy = directives(CONTENT_SECURITY_POLICY);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    for (const [name, values] of policy) {
      expect({ name, values: values.filter((v) => /^(https?:|wss?:|\*)/.test(v)) }).toEqual({ name, values: [] });
    }
  });

  it('keeps header-only directives out of the meta policy', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain('frame-ancestors');
    expect(contentSecurityPolicyHeader()).toBe(`${CONTENT_SECURITY_POLICY}; ${CONTENT_SECURITY_POLICY_HEADER_ONLY}`);
  });
});
