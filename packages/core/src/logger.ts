/**
 * Structured logging: one small logger with levels and bindings (service id on every line of a service),
 * written as JSON lines by default or as readable lines for terminals.
 */

/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** The logger servicedeck and its services write to. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger;
}

/** One log record, as handed to a {@link LogSink}. */
export interface LogRecord {
  readonly time: string;
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/** Where log records go. */
export type LogSink = (record: LogRecord) => void;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The least severe level written (default `info`, or `SERVICEDECK_LOG_LEVEL`). */
  readonly level?: LogLevel;
  /** `json` (default): one JSON object a line; `pretty`: `time level [service] message key=value`. */
  readonly format?: 'json' | 'pretty';
  /** Where lines are written (default: standard error). */
  readonly stream?: { write(chunk: string): unknown };
  /** Receives records instead of a stream (tests, adapters). */
  readonly sink?: LogSink;
  /** Fields on every line. */
  readonly bindings?: LogFields;
}

function serializeValue(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return value;
}

function serializeFields(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = serializeValue(value);
  return out;
}

function formatPretty(record: LogRecord): string {
  const { service, ...rest } = serializeFields(record.fields);
  const prefix = service === undefined ? '' : `[${String(service)}] `;
  const pairs = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${record.time} ${record.level.toUpperCase().padEnd(5)} ${prefix}${record.message}${pairs ? ` ${pairs}` : ''}\n`;
}

function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in LEVEL_ORDER;
}

/** Creates a structured logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const envLevel = process.env.SERVICEDECK_LOG_LEVEL;
  const level: LogLevel = options.level ?? (isLogLevel(envLevel) ? envLevel : 'info');
  const threshold = LEVEL_ORDER[level];
  const format = options.format ?? 'json';
  const stream = options.stream ?? process.stderr;
  const sink: LogSink =
    options.sink ??
    ((record) => {
      stream.write(
        format === 'pretty'
          ? formatPretty(record)
          : `${JSON.stringify({ time: record.time, level: record.level, msg: record.message, ...serializeFields(record.fields) })}\n`,
      );
    });
  const build = (bindings: LogFields): Logger => {
    const write = (recordLevel: LogLevel, message: string, fields?: LogFields): void => {
      if (LEVEL_ORDER[recordLevel] < threshold) return;
      sink({
        time: new Date().toISOString(),
        level: recordLevel,
        message,
        fields: { ...bindings, ...fields },
      });
    };
    return {
      debug: (message, fields) => write('debug', message, fields),
      info: (message, fields) => write('info', message, fields),
      warn: (message, fields) => write('warn', message, fields),
      error: (message, fields) => write('error', message, fields),
      child: (more) => build({ ...bindings, ...more }),
    };
  };
  return build(options.bindings ?? {});
}

/** A logger that writes nothing. */
export const silentLogger: Logger = createLogger({ sink: () => undefined });
