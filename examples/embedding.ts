import { createRuntimeContainer, textInput, toBrowserFrame, WorkerRuntime } from 'worker-runtime';
import { fakeBackendModule } from 'worker-runtime/testing'; // a scripted test double; a real host binds a real backend

const container = createRuntimeContainer({
  runtime: { profiles: { scripted: { backend: 'fake' }, offline: { backend: null } } },
  backends: [fakeBackendModule()],
});
const runtime = container.get(WorkerRuntime);

const offline = await runtime.create({ workerId: 'offline-1', profile: 'offline' });
console.log('offline-1:', offline.worker?.state, offline.worker?.diagnostic?.code); // unavailable backend_not_configured

await runtime.create({ workerId: 'demo', profile: 'scripted' });
const observed = runtime.observe('demo'); // resumable: runtime.observe('demo', { after: cursor })
if (!observed.ok) throw new Error(observed.result.reason);
const result = await runtime.submitInput('demo', textInput('Say hello'));
console.log('input:', result.outcome, result.reason); // accepted committed

for await (const frame of observed.subscription) {
  const safe = toBrowserFrame(frame); // what may go to a browser
  if (safe.type !== 'observation') break;
  console.log(`#${safe.sequence} ${safe.event.event}`, JSON.stringify(safe.event.data ?? {}));
  if (safe.event.event === 'run_end') break; // the run is over: user_message ... run_end
}
observed.subscription.close();

console.log('demo is', runtime.get('demo')?.state); // idle
await runtime.shutdown(); // stops executions through their backends, ends every stream
