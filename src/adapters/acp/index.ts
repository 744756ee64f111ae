export * from './acpExecutionBackend.js';
export * from './acpBackendModule.js';
export * from './acpOptions.js';
export { AcpDiagnosticCode } from './acpDiagnostics.js';
export { AcpWireError } from './acpWire.js';
