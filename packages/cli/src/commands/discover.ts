/**
 * `servicedeck discover`: what discovery would load, from where, and why anything is skipped — without
 * opening the database or running a service.
 */
import path from 'node:path';
import { type DiscoveryReport, ServiceRegistryManager } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { withProgress } from '../output/progress.js';
import { renderTable } from '../output/table.js';

/** Options of `discover`. */
export interface DiscoverOptions {
  readonly json?: boolean;
  /** Exit 1 when anything is skipped. */
  readonly strict?: boolean;
}

/** The documented `--json` shape of `discover`. */
export interface DiscoverJson {
  readonly root: string;
  readonly packages: { name: string; version: string | null; directory: string; services: string[] }[];
  readonly services: {
    id: string;
    name: string;
    type: string;
    version: string | null;
    dependencies: string[];
    source: string;
  }[];
  readonly skipped: {
    origin: string;
    serviceId: string | null;
    code: string;
    message: string;
    hint: string | null;
  }[];
}

function toJson(root: string, report: DiscoveryReport): DiscoverJson {
  return {
    root,
    packages: report.packages.map((p) => ({
      name: p.name,
      version: p.version,
      directory: p.directory,
      services: [...p.marker.services],
    })),
    services: report.services.map(({ metadata, source }) => ({
      id: metadata.id,
      name: metadata.name,
      type: metadata.type,
      version: metadata.version,
      dependencies: [...metadata.dependencies],
      source,
    })),
    skipped: report.problems.map((problem) => ({
      origin: problem.origin,
      serviceId: problem.serviceId ?? null,
      code: problem.error.code,
      message: problem.error.message,
      hint: problem.error.hint ?? null,
    })),
  };
}

/** A path relative to the root when it is under it. */
function shorten(root: string, text: string): string {
  return text.split(`${root}${path.sep}`).join('');
}

/** Runs discovery as `up` would and prints the plugin packages, the services and what was skipped. */
export async function discover(context: CommandContext, options: DiscoverOptions = {}): Promise<number> {
  const { settings, logger, style } = context;
  const manager = new ServiceRegistryManager({
    discovery: { root: settings.root, plugins: settings.plugins, serviceGlobs: settings.services },
    logger,
  });
  const report = await withProgress(context, 'discovering services…', () => manager.discoverServices());
  const json = toJson(settings.root, report);
  const code = options.strict && json.skipped.length > 0 ? EXIT.failed : EXIT.ok;
  if (options.json) {
    context.print(JSON.stringify(json, null, 2));
    return code;
  }
  const bold = (head: string): string => style('bold', head);
  context.print(`Root: ${settings.root}`);
  context.print('');
  context.print(
    json.packages.length === 0
      ? 'Plugin packages: none (a plugin is a dependency whose package.json has a "servicedeck" marker).'
      : `Plugin packages (${json.packages.length}):\n${renderTable(
          ['PACKAGE', 'VERSION', 'SERVICES GLOB', 'DIRECTORY'],
          json.packages.map((p) => [p.name, p.version ?? '', p.services.join(', '), p.directory]),
          bold,
        )}`,
  );
  context.print('');
  context.print(
    json.services.length === 0
      ? 'Services: none found.'
      : `Services (${json.services.length}, in start order):\n${renderTable(
          ['ID', 'TYPE', 'VERSION', 'DEPENDS ON', 'SOURCE'],
          json.services.map((s) => [
            s.id,
            s.type,
            s.version ?? '',
            s.dependencies.join(', '),
            shorten(settings.root, s.source),
          ]),
          bold,
        )}`,
  );
  context.print('');
  if (json.skipped.length === 0) {
    context.print('Skipped: nothing.');
  } else {
    context.print(style('yellow', `Skipped (${json.skipped.length}):`));
    for (const problem of json.skipped) {
      context.print(`  ${shorten(settings.root, problem.origin)}`);
      context.print(`    ${problem.code}: ${problem.message}`);
      if (problem.hint && !problem.message.includes(problem.hint)) context.print(`    fix: ${problem.hint}`);
    }
  }
  return code;
}
