import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The architecture's rooms are enforced by lint (eslint.config.js). Each case lints a file
 * that does not exist on disk, placed in a layer, with one import, and checks that CI's lint
 * step would fail on the bad ones and pass the good ones.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports' && message.severity === 2)
    .map((message) => message.message);
}

describe('architecture boundaries in lint', () => {
  const forbidden: Array<[string, string]> = [
    ['src/renderer/settings/Bad.tsx', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['src/renderer/settings/Bad.tsx', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
    ['src/renderer/settings/Bad.tsx', "import { startCore } from '../../core/core';\nexport const x = startCore;\n"],
    ['src/core/settings/bad.ts', "import { app } from 'electron';\nexport const x = app;\n"],
    ['src/core/settings/bad.ts', "import { App } from '../../renderer/app/App';\nexport const x = App;\n"],
    ['src/shared/rpc/bad.ts', "import { createHash } from 'node:crypto';\nexport const x = createHash;\n"],
    ['src/shared/rpc/bad.ts', "import { useState } from 'react';\nexport const x = useState;\n"],
    ['src/main/bad.ts', "import { startCore } from '../core/core';\nexport const x = startCore;\n"],
    ['src/preload/bad.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
  ];

  it.each(forbidden)('%s may not import: %s', async (filePath, code) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors).toHaveLength(1);
  });

  const allowed: Array<[string, string]> = [
    [
      'src/renderer/settings/Good.tsx',
      "import { RpcError } from '../../shared/rpc/errors';\nexport const x = RpcError;\n",
    ],
    ['src/core/settings/good.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    [
      'src/main/good.ts',
      "import { contentSecurityPolicyHeader } from '../shared/security/csp';\nexport const x = contentSecurityPolicyHeader;\n",
    ],
    ['src/shared/rpc/good.ts', "import { z } from 'zod';\nexport const x = z;\n"],
  ];

  it.each(allowed)('%s may import: %s', async (filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});
