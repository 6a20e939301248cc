/**
 * A JSON column's value as an object: drivers return JSON columns parsed, but a value written as text
 * (by hand, or by an older writer) comes back as a string.
 */
export function jsonColumn<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
