import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';

/**
 * Three builds: main (plus the core, which main starts as a utility process), preload
 * (CommonJS: sandboxed preloads cannot be ES modules) and the renderer (served from
 * continuum://app in the app, and by the browser harness in development and tests).
 */
export default defineConfig({
  main: {
    plugins: [copyMigrations()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          core: resolve(import.meta.dirname, 'src/core/entry.ts'),
          // A worker thread of the core (src/core/sync/pull-worker-host.ts).
          'pull-worker': resolve(import.meta.dirname, 'src/core/sync/pull-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    plugins: [react(), relaxCspForDevServer()],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      minify: true,
      rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') },
    },
  },
});

/**
 * The Vite dev server injects an inline script for React Fast Refresh and talks over its own
 * WebSocket; only while serving (`npm run dev`) does the page's meta CSP allow both.
 * Built pages keep the strict policy.
 */
function relaxCspForDevServer(): Plugin {
  return {
    name: 'continuum:relax-csp-for-dev-server',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws://localhost:*");
    },
  };
}

/** The core reads the encrypted cache's SQL migrations at run time: ship them beside core.js. */
function copyMigrations(): Plugin {
  return {
    name: 'continuum:copy-migrations',
    apply: 'build',
    closeBundle() {
      cpSync(
        resolve(import.meta.dirname, 'src/core/store/migrations'),
        resolve(import.meta.dirname, 'out/main/migrations'),
        {
          recursive: true,
        },
      );
    },
  };
}
