import { ContainerModule } from 'inversify';
import { ExecutionBackendPort } from '../../ports/executionBackendPort.js';
import { FakeExecutionBackend, type FakeExecutionBackendOptions } from './fakeExecutionBackend.js';

/** Binds a FAKE execution backend (tests, examples). Pass an instance to keep a handle on it. */
export function fakeBackendModule(backend: FakeExecutionBackend | FakeExecutionBackendOptions = {}): ContainerModule {
  const instance = backend instanceof FakeExecutionBackend ? backend : new FakeExecutionBackend(backend);
  return new ContainerModule(({ bind }) => {
    bind(ExecutionBackendPort).toConstantValue(instance);
  });
}
