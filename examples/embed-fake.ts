/**
 * How a host embeds worker-runtime. This example uses the FAKE execution backend (a scripted test
 * double shipped in `worker-runtime/testing`): the reply text you see is the fake's script, not a model.
 * Run: npm run example
 */
import { createRuntimeContainer, WorkerRuntime, toBrowserFrame, textInput } from '../src/index.js';
import { fakeBackendModule } from '../src/testing/index.js';

const container = createRuntimeContainer({
  runtime: {
    profiles: {
      scripted: { backend: 'fake', displayName: 'Scripted fake backend' },
      offline: { backend: null, displayName: 'No backend configured' },
    },
  },
  backends: [fakeBackendModule()],
});
const runtime = container.get(WorkerRuntime);

const offline = await runtime.create({ workerId: 'offline-1', profile: 'offline' });
console.log('create offline-1:', offline.result.outcome, offline.result.reason, '->', offline.worker?.state, offline.worker?.diagnostic?.code);
const refused = await runtime.submitInput('offline-1', textInput('hello?'));
console.log('input to offline-1:', refused.outcome, refused.reason);

const created = await runtime.create({ workerId: 'demo', profile: 'scripted', displayName: 'Demo (fake backend)' });
console.log('create demo:', created.result.outcome, created.result.reason, '->', created.worker?.state);

const observed = runtime.observe('demo');
if (!observed.ok) throw new Error(observed.result.reason);
const accepted = await runtime.submitInput('demo', textInput('Say hello'));
console.log('input to demo:', accepted.outcome, accepted.reason, 'submission', accepted.submissionId);

console.log('observed by a subscriber (browser-safe frames):');
for await (const frame of observed.subscription) {
  const browser = toBrowserFrame(frame);
  if (browser.type !== 'observation') break;
  console.log(`  #${browser.sequence} ${browser.event.event} ${JSON.stringify(browser.event.data ?? {})}`);
  if (browser.event.event === 'status') break;
}
observed.subscription.close();

console.log('state after the run:', runtime.get('demo')?.state);
const transcript = await runtime.transcript('demo');
if (transcript.ok) console.log('transcript:', JSON.stringify(transcript.entries.map((e) => e.kind)));
console.log('stop demo:', (await runtime.stop('demo')).reason);
await runtime.shutdown();
console.log('runtime:', runtime.summary().state);
