export { ApiToken } from './api-token.js';
export { AuditLog } from './audit-log.js';
export { ChangeLog } from './change-log.js';
export { ServiceConfigVersion } from './config-version.js';
export { HealthHistory } from './health-history.js';
export { Instance } from './instance.js';
export { ServiceConfiguration } from './service-configuration.js';
export { ServiceRegistry } from './service-registry.js';

import { ApiToken } from './api-token.js';
import { AuditLog } from './audit-log.js';
import { ChangeLog } from './change-log.js';
import { ServiceConfigVersion } from './config-version.js';
import { HealthHistory } from './health-history.js';
import { Instance } from './instance.js';
import { ServiceConfiguration } from './service-configuration.js';
import { ServiceRegistry } from './service-registry.js';

/** Every model, for registering with a Sequelize instance. */
export const ALL_MODELS = [
  ServiceRegistry,
  ServiceConfiguration,
  ServiceConfigVersion,
  AuditLog,
  HealthHistory,
  Instance,
  ChangeLog,
  ApiToken,
];
