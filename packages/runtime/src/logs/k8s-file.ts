// SPDX-License-Identifier: Apache-2.0
import { parseRfc3339 } from '@verified-container/shared';

/** Which stream of the container wrote a line. */
export type LogStream = 'stdout' | 'stderr';

/** One log line as every vordr interface presents it (05 §5). */
export interface LogEntry {
  readonly stream: LogStream;
  /** The time conmon stamped on the line's first segment, as written (RFC 3339 with nanoseconds). */
  readonly time: string;
  readonly line: string;
}

/** A log entry with its time as milliseconds since the epoch, for filtering. */
export interface TimedLogEntry extends LogEntry {
  readonly timeMs: number;
}

/** One record of conmon's k8s-file format: `<RFC3339Nano> <stdout|stderr> <F|P> <text>`. */
interface K8sFileRecord {
  readonly time: string;
  readonly timeMs: number;
  readonly stream: LogStream;
  readonly partial: boolean;
  readonly text: string;
}

const RECORD = /^(\S+) (stdout|stderr) ([FP])(?: (.*))?$/s;

/** A record of the k8s-file format, or null for a line that is not one (skipped by the parser). */
function parseRecord(line: string): K8sFileRecord | null {
  const m = RECORD.exec(line);
  if (m === null) return null;
  const time = m[1] ?? '';
  const timeMs = parseRfc3339(time);
  if (timeMs === null) return null;
  return {
    time,
    timeMs,
    stream: m[2] === 'stderr' ? 'stderr' : 'stdout',
    partial: m[3] === 'P',
    text: m[4] ?? '',
  };
}

/**
 * Incremental parser of conmon's k8s-file log: feed it the file's bytes in any chunking, get whole
 * log lines back. `P` (partial) segments are joined per stream until the `F` record that ends the
 * line; the joined line carries the time of its first segment. A record line that is not complete
 * (no final LF yet) waits for the next chunk; malformed records are skipped.
 */
export class K8sFileParser {
  #rest: Buffer = Buffer.alloc(0);
  readonly #pending = new Map<LogStream, { time: string; timeMs: number; parts: string[] }>();

  /** Parses the next bytes of the file and returns the lines they complete. */
  push(chunk: Uint8Array): TimedLogEntry[] {
    const data = this.#rest.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#rest, chunk]);
    const entries: TimedLogEntry[] = [];
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
      const record = parseRecord(data.subarray(start, nl).toString('utf8'));
      start = nl + 1;
      if (record === null) continue;
      const entry = this.#accept(record);
      if (entry !== null) entries.push(entry);
    }
    this.#rest = Buffer.from(data.subarray(start));
    return entries;
  }

  /**
   * Ends the input: a last record without its LF is taken as it is, and partial lines still open
   * (the container exited mid-line, or the log was cut) are returned as they are, each as one line.
   */
  end(): TimedLogEntry[] {
    const entries: TimedLogEntry[] = [];
    const last = this.#rest.length === 0 ? null : parseRecord(this.#rest.toString('utf8'));
    if (last !== null) {
      const entry = this.#accept(last);
      if (entry !== null) entries.push(entry);
    }
    for (const [stream, pending] of this.#pending) {
      entries.push({
        stream,
        time: pending.time,
        timeMs: pending.timeMs,
        line: pending.parts.join(''),
      });
    }
    this.#pending.clear();
    this.#rest = Buffer.alloc(0);
    return entries.sort((a, b) => a.timeMs - b.timeMs);
  }

  /** Forgets everything buffered (the file was truncated and starts again). */
  reset(): void {
    this.#pending.clear();
    this.#rest = Buffer.alloc(0);
  }

  #accept(record: K8sFileRecord): TimedLogEntry | null {
    const pending = this.#pending.get(record.stream);
    if (record.partial) {
      if (pending === undefined) {
        this.#pending.set(record.stream, {
          time: record.time,
          timeMs: record.timeMs,
          parts: [record.text],
        });
      } else {
        pending.parts.push(record.text);
      }
      return null;
    }
    if (pending === undefined) {
      return { stream: record.stream, time: record.time, timeMs: record.timeMs, line: record.text };
    }
    this.#pending.delete(record.stream);
    return {
      stream: record.stream,
      time: pending.time,
      timeMs: pending.timeMs,
      line: pending.parts.join('') + record.text,
    };
  }
}

/** All lines of a whole k8s-file log (open partial lines included). */
export function parseK8sFileLog(content: Uint8Array | string): TimedLogEntry[] {
  const parser = new K8sFileParser();
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return [...parser.push(bytes), ...parser.end()];
}

/** The JSON-lines form of an entry (05 §5: `{"stream","time","line"}`). */
export function toLogEntry(entry: TimedLogEntry): LogEntry {
  return { stream: entry.stream, time: entry.time, line: entry.line };
}
