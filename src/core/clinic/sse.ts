/**
 * A parser for the text/event-stream format (the parts the clinic server uses: `event:`,
 * `data:`, comments, blank-line dispatch), fed with decoded text chunks as they arrive.
 * Chunks may split lines and even CRLF pairs anywhere.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export type SseMessage = { kind: 'event'; event: string; data: string } | { kind: 'comment'; text: string };

/** A line longer than this is not something the clinic server sends: the stream is cut off. */
const MAX_BUFFER = 1024 * 1024;

export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private lastWasCr = false;

  feed(text: string): SseMessage[] {
    const out: SseMessage[] = [];
    let start = 0;
    let input = text;
    // A CR at the end of the previous chunk already ended its line; skip the LF of that CRLF.
    if (this.lastWasCr && input.startsWith('\n')) input = input.slice(1);
    this.lastWasCr = false;
    for (let i = 0; i < input.length; i += 1) {
      const ch = input[i];
      if (ch !== '\n' && ch !== '\r') continue;
      this.line(this.buffer + input.slice(start, i), out);
      this.buffer = '';
      if (ch === '\r') {
        if (i + 1 < input.length) {
          if (input[i + 1] === '\n') i += 1;
        } else {
          this.lastWasCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer += input.slice(start);
    if (this.buffer.length > MAX_BUFFER) throw new RangeError('event stream line too long');
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.data.length > 0 || this.event !== '') {
        out.push({ kind: 'event', event: this.event || 'message', data: this.data.join('\n') });
      }
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) {
      out.push({ kind: 'comment', text: line.slice(1).trimStart() });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    // id and retry are not used by the clinic server; unknown fields are ignored by the spec.
  }
}
