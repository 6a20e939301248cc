/**
 * The versions a generated plugin package depends on. Core's range follows the core this command runs
 * with; the others are the ones servicedeck itself is built and tested with (a test keeps them equal to
 * the CLI's package.json).
 */
import { SERVICEDECK_VERSION } from '@servicedeck/core';

/** The version a new plugin package starts at. */
export const INITIAL_PLUGIN_VERSION = '0.1.0';

/** The range of `@servicedeck/core` a new plugin accepts: the running core's minor versions. */
export const CORE_RANGE = `^${SERVICEDECK_VERSION}`;

/** The range of `typescript` a new plugin is built with. */
export const TYPESCRIPT_RANGE = '^7.0.2';

/** The range of `@types/node` a new plugin is built with. */
export const TYPES_NODE_RANGE = '^20.19.0';

/** The Node.js versions a new plugin runs on (those servicedeck runs on). */
export const NODE_ENGINE = '>=20.19.0';
