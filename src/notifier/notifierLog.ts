/** Structured log lines; the fields name receivers by parameter name, never by URL or header value. */
export interface NotifierLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}
