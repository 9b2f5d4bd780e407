export type {
  Access,
  Authenticate,
  AuthenticateRequest,
  Identity,
} from './auth/identity.js';
export { DEFAULT_DOC, docNameFromPath, isDocName } from './document/doc-name.js';
export type { ServerErrorCode, ServerErrorDetails } from './errors.js';
export { isServerError, ServerError } from './errors.js';
export type { JsonLoggerOptions, LogFields, Logger, LogLevel } from './log/logger.js';
export { createLogger, silentLogger } from './log/logger.js';
export type { Counts, ServerMetrics } from './metrics/metrics.js';
export type { ServerLimits } from './options/defaults.js';
export { defaultUnsafeKeys, serverDefaults } from './options/defaults.js';
export type { InitialState, VarStreamServerOptions } from './options/options.js';
export type {
  DocumentView,
  RevisionEvent,
  RevisionListener,
  WriteOptions,
  WriteResult,
} from './server/varstream-server.js';
export { VarStreamServer } from './server/varstream-server.js';
export type { RequestHandler } from './static/static-handler.js';
export { createStaticHandler } from './static/static-handler.js';
export type { StdioBridgeOptions } from './stdio/stdio-bridge.js';
export { startStdioBridge } from './stdio/stdio-bridge.js';
export { docFileBase } from './storage/file-names.js';
export type { FsyncPolicy } from './storage/fsync-policy.js';
