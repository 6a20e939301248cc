/** The version of `@servicedeck/core` (kept equal to package.json by a test). */
export const SERVICEDECK_VERSION = '0.1.0';
