/**
 * `@servicedeck/plugin-github`: a servicedeck service that lends the bot an Octokit client, with a token or
 * as a GitHub App installation, and checks it with the rate limit. servicedeck discovers it through the
 * `servicedeck` marker of this package.
 *
 * @packageDocumentation
 */
export { GITHUB_CONFIG_SCHEMA, type GitHubConfig } from './config.js';
export { GitHubService } from './github.service.js';
export { GITHUB_PLUGIN_VERSION } from './version.js';
export { describeGitHubError, describeQuota, type RateLimit } from './words.js';
