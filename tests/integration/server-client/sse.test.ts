import { describe, expect, it } from 'vitest';
import { SseParser, type SseMessage } from '../../../src/core/clinic/sse';

/** The workstation's text/event-stream parser, fed the way a network delivers bytes. */
const STREAM =
  ': connected\n\nevent: poke\ndata: {"type":"poke"}\n\n: ping\n\nevent: deviceRevoked\ndata: {"type":"deviceRevoked"}\n\n';
const EXPECTED: SseMessage[] = [
  { kind: 'comment', text: 'connected' },
  { kind: 'event', event: 'poke', data: '{"type":"poke"}' },
  { kind: 'comment', text: 'ping' },
  { kind: 'event', event: 'deviceRevoked', data: '{"type":"deviceRevoked"}' },
];

function feedAll(chunks: string[]): SseMessage[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

describe('server-sent events parser', () => {
  it('parses events and comments in one chunk', () => {
    expect(feedAll([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events however the stream is split, one character at a time included', () => {
    expect(feedAll([...STREAM])).toEqual(EXPECTED);
    for (let cut = 1; cut < STREAM.length; cut += 7) {
      expect(feedAll([STREAM.slice(0, cut), STREAM.slice(cut)])).toEqual(EXPECTED);
    }
  });

  it('accepts CRLF and CR line endings, also when a CRLF pair is split between chunks', () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    expect(feedAll([crlf])).toEqual(EXPECTED);
    expect(feedAll([...crlf])).toEqual(EXPECTED);
    expect(feedAll([STREAM.replaceAll('\n', '\r')])).toEqual(EXPECTED);
  });

  it('joins multi-line data, defaults the event name, ignores unknown fields and waits for the blank line', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 7\nretry: 100\ndata: a\ndata:b\n')).toEqual([]);
    expect(parser.feed('\n')).toEqual([{ kind: 'event', event: 'message', data: 'a\nb' }]);
  });

  it('refuses an endless line instead of growing without bound', () => {
    const parser = new SseParser();
    expect(() => parser.feed('data: ' + 'x'.repeat(1024 * 1024 + 10))).toThrow(RangeError);
  });
});
