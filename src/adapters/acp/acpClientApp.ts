import { client, methods, type ClientConnection, type RequestPermissionResponse, type Stream } from '@agentclientprotocol/sdk';
import type { AcpFileSystem } from './acpFileSystem.js';
import { PermissionRequestSchema, type PermissionRequest } from './acpPermissions.js';
import type { AcpTerminals } from './acpTerminals.js';

/** What this client answers when the agent calls it. */
export interface ClientSide {
  /** May wait (a person decides); every request gets exactly one answer. */
  permission(request: PermissionRequest): Promise<RequestPermissionResponse>;
  /** Present only when the profile offers the capability (otherwise the SDK answers "method not found"). */
  readonly fileSystem: AcpFileSystem | null;
  readonly terminals: AcpTerminals | null;
}

/**
 * Connects an ACP client (SDK `client()` builder) to an agent's stream. `session/update`s never reach
 * it: AcpWire hands them to the session in arrival order. Permission requests are parsed loosely
 * (a newer agent's tool kinds must not turn a question into an error).
 */
export function connectClient(stream: Stream, side: ClientSide): ClientConnection {
  const app = client({ name: 'worker-runtime' }).onRequest(
    methods.client.session.requestPermission,
    (params: unknown) => PermissionRequestSchema.parse(params),
    ({ params }) => side.permission(params),
  );
  const fs = side.fileSystem;
  if (fs) {
    app.onRequest(methods.client.fs.readTextFile, ({ params }) => fs.read(params));
    app.onRequest(methods.client.fs.writeTextFile, ({ params }) => fs.write(params));
  }
  const terminals = side.terminals;
  if (terminals) {
    app.onRequest(methods.client.terminal.create, ({ params }) => terminals.create(params));
    app.onRequest(methods.client.terminal.output, ({ params }) => terminals.output(params.terminalId));
    app.onRequest(methods.client.terminal.waitForExit, ({ params }) => terminals.waitForExit(params.terminalId));
    app.onRequest(methods.client.terminal.kill, ({ params }) => terminals.kill(params.terminalId));
    app.onRequest(methods.client.terminal.release, ({ params }) => terminals.release(params.terminalId));
  }
  return app.connect(stream);
}
