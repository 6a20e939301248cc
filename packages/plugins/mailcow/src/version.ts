/** The plugin's version, reported in the service's metadata; a test keeps it equal to package.json's. */
export const MAILCOW_PLUGIN_VERSION = '0.1.0';
