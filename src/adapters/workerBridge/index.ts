export { WorkerBridgeExecutionBackend } from './workerBridgeExecutionBackend.js';
export { workerBridgeBackendModule } from './workerBridgeBackendModule.js';
export {
  SOCKET_ENV,
  SOCKET_PLACEHOLDER,
  WorkerBridgeBackendOptions,
  WorkerBridgeBackendOptionsSchema,
  WorkerBridgeProfileOptionsSchema,
  type WorkerBridgeProfileOptions,
  type WorkerBridgeProfileOptionsInput,
} from './workerBridgeOptions.js';
export { WorkerBridgeDiagnosticCode } from './workerBridgeDiagnostics.js';
