/**
 * `@servicedeck/plugin-mailcow`: a servicedeck service that lends the bot a Mailcow server's API and SMTP
 * submission, checked with the containers' status and an SMTP EHLO. servicedeck discovers it through the
 * `servicedeck` marker of this package.
 *
 * @packageDocumentation
 */
export {
  MailcowApi,
  MailcowApiError,
  type MailcowContainer,
  type MailcowDomain,
  type MailcowMailbox,
} from './api.js';
export { MAILCOW_CONFIG_SCHEMA, type MailcowConfig } from './config.js';
export { type MailcowClient, MailcowService } from './mailcow.service.js';
export { SmtpError, type SmtpHello, type SmtpTarget, smtpHello } from './smtp.js';
export { MAILCOW_PLUGIN_VERSION } from './version.js';
