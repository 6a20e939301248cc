/**
 * What a generated plugin package is made from, and what it is made of.
 */
import type { ServiceType } from '@servicedeck/core';
import type { PluginNames } from './names.js';

/** Everything a plugin package is generated from. */
export interface PluginSpec extends PluginNames {
  /** The service's type in its metadata. */
  readonly type: ServiceType;
  /** One line saying what the service is for: package.json, metadata and README. */
  readonly description: string;
}

/** One file of a generated package. */
export interface ScaffoldFile {
  /** The path inside the package, with `/` separators: `src/weather.service.ts`. */
  readonly path: string;
  readonly content: string;
}

/** A string as a single-quoted TypeScript or JavaScript literal. */
export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The line width generated code is laid out for (the one Biome and Prettier projects commonly use). */
const LINE_WIDTH = 110;

/**
 * An import or export of named bindings, on one line when it fits in {@link LINE_WIDTH} characters,
 * otherwise one name per line, as a formatter lays it out.
 */
export function namedBindings(keyword: 'import' | 'export', names: readonly string[], from: string): string {
  const line = `${keyword} { ${names.join(', ')} } from '${from}';`;
  if (line.length <= LINE_WIDTH) return line;
  return `${keyword} {\n${names.map((name) => `  ${name},\n`).join('')}} from '${from}';`;
}

/**
 * A call whose last argument is an object literal, laid out as a formatter does: the object hugged on
 * the first line when that line fits, otherwise every argument on a line of its own.
 *
 * @param indent - the indentation of the statement.
 * @param head - the text before the arguments, `throw new Error(`.
 * @param args - the arguments before the object.
 * @param properties - the object's properties, one per line.
 */
export function callWithObject(
  indent: string,
  head: string,
  args: readonly string[],
  properties: readonly string[],
): string {
  const first = `${indent}${head}${args.join(', ')}, {`;
  if (first.length <= LINE_WIDTH) {
    return `${first}\n${properties.map((p) => `${indent}  ${p},\n`).join('')}${indent}});`;
  }
  const inner = `${indent}  `;
  return `${indent}${head}\n${args.map((a) => `${inner}${a},\n`).join('')}${inner}{\n${properties
    .map((p) => `${inner}  ${p},\n`)
    .join('')}${inner}},\n${indent});`;
}
