import { createHost } from 'worker-runtime/host';
import { echoBackendModule, EchoProfileOptionsSchema } from './echo-backend.js';

// Your own backend in the host: profiles name it by id; its options schema is checked at start.
const host = createHost(
  { listen: { port: 0 }, log: { level: 'warn' }, profiles: { echo: { backend: 'echo', options: { prefix: 'you said: ' } } } },
  { backends: [{ backendId: 'echo', module: echoBackendModule(), profileOptions: EchoProfileOptionsSchema }] },
);
const url = await host.listen();
const headers = { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' };
const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

const created = await post('/v1/workers', { workerId: 'w1', profile: 'echo' });
const { worker } = (await created.json()) as { worker: { state: string } };
console.log('create:', created.status, worker.state); // 201 idle
const input = await post('/v1/workers/w1/input', { kind: 'user', content: 'hello' });
const { result } = (await input.json()) as { result: { reason: string } };
console.log('input:', input.status, result.reason); // 202 committed
await host.close();
