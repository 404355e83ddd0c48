import { describe, expect, it } from 'vitest';
import { safeErrorDetails } from '../../src/core/rpc/dispatcher';

const MARKER = 'Jane-Doe-PHI-MARKER';

describe('safeErrorDetails', () => {
  it('keeps the type, code and stack frames, not the message', () => {
    const error = Object.assign(new Error(`constraint failed for ${MARKER}`), { code: 'SQLITE_CONSTRAINT' });
    const details = safeErrorDetails(error);
    expect(details.type).toBe('Error');
    expect(details.code).toBe('SQLITE_CONSTRAINT');
    expect(details.frames.length).toBeGreaterThan(0);
    expect(details.frames.every((frame) => frame.startsWith('at '))).toBe(true);
    expect(details.frames.some((frame) => frame.includes('safe-error-details.test.ts'))).toBe(true);
    expect(JSON.stringify(details)).not.toContain(MARKER);
  });

  it('drops every line of a multi-line message, even lines that look like frames', () => {
    const error = new RangeError(`lookup failed\n    at 42 Elm Street (${MARKER})\nat home ${MARKER}`);
    const details = safeErrorDetails(error);
    expect(details.type).toBe('RangeError');
    expect(details.frames.length).toBeGreaterThan(0);
    expect(JSON.stringify(details)).not.toContain(MARKER);
    expect(JSON.stringify(details)).not.toContain('Elm Street');
  });

  it('logs no frames rather than risk a message changed after the error was made', () => {
    const error = new Error('original');
    error.message = `changed to mention ${MARKER}\n    at ${MARKER}`;
    error.stack = `Error: something else\n    at ${MARKER} (file.ts:1:1)`;
    expect(JSON.stringify(safeErrorDetails(error))).not.toContain(MARKER);
  });

  it('describes non-errors by their type only', () => {
    expect(safeErrorDetails(`text about ${MARKER}`)).toEqual({ type: 'string', frames: [] });
    expect(safeErrorDetails({ patient: MARKER })).toEqual({ type: 'object', frames: [] });
  });
});
