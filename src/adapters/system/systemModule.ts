import { ContainerModule } from 'inversify';
import { ClockPort } from '../../ports/clockPort.js';
import { IdPort } from '../../ports/idPort.js';
import { RandomIds } from './randomIds.js';
import { SystemClock } from './systemClock.js';

/** Binds the real clock and random ids. Tests rebind either for determinism. */
export function systemModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(ClockPort).to(SystemClock).inSingletonScope();
    bind(IdPort).to(RandomIds).inSingletonScope();
  });
}
