// SPDX-License-Identifier: Apache-2.0

/** Keeps the last `limit` bytes written to it (a child's output, for error messages). */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = false;

  constructor(readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer;
      const excess = this.size - this.limit;
      this.dropped = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  /** UTF-8 text; when bytes were dropped, starts at the first complete line kept. */
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    if (!this.dropped) return s;
    const nl = s.indexOf('\n');
    return nl === -1 ? s : s.slice(nl + 1);
  }
}

/** The last `n` lines of a text (a trailing newline does not count as an empty line). */
export function lastLines(text: string, n: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.slice(-n).join('\n');
}
