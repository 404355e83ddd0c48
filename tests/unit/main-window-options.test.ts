import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from '../../src/main/window-options';

describe('main window options', () => {
  const options = mainWindowOptions('/opt/continuum/preload/index.cjs');
  const web = options.webPreferences ?? {};

  it('keeps the renderer isolated and sandboxed, without Node', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and webviews off', () => {
    expect(web.webviewTag).toBe(false);
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
  });

  it('loads the given preload and nothing else that runs with privileges', () => {
    expect(web.preload).toBe('/opt/continuum/preload/index.cjs');
    expect(web).not.toHaveProperty('additionalArguments');
    expect(web).not.toHaveProperty('enableBlinkFeatures');
  });

  it('returns a fresh object each time, so one window cannot weaken another', () => {
    const first = mainWindowOptions('/a');
    const second = mainWindowOptions('/b');
    expect(first.webPreferences).not.toBe(second.webPreferences);
    if (first.webPreferences) first.webPreferences.sandbox = false;
    expect(mainWindowOptions('/c').webPreferences?.sandbox).toBe(true);
  });
});
