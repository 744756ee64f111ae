import { describe, expect, it } from 'vitest';
import { logDestination, prettyLine } from '../../src/host/logDestination.js';

const line = JSON.stringify({
  level: 40,
  time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  pid: 1,
  hostname: 'h',
  msg: 'Worker w1 (profile p) is unavailable: agent_command_not_found: the agent command was not found',
  worker: 'w1',
  diagnostic: { code: 'agent_command_not_found', severity: 'error' },
  note: 'two words',
}) + '\n';

function output(isTTY: boolean) {
  const written: string[] = [];
  return { written, out: { isTTY, writable: true, write: (chunk: string) => written.push(chunk) > 0 } };
}

describe('host log destination', () => {
  it('pretty: one readable line per entry with its fields, no pid or hostname', () => {
    expect(prettyLine(line)).toBe(
      '03:04:05.006 WARN  Worker w1 (profile p) is unavailable: agent_command_not_found: the agent command was not found' +
        '  worker=w1 diagnostic.code=agent_command_not_found diagnostic.severity=error note="two words"\n',
    );
    expect(prettyLine('not json\n')).toBe('not json\n');
  });

  it('auto is pretty on a terminal (coloured) and JSON lines otherwise; json and pretty are forced', () => {
    const tty = output(true);
    logDestination('auto', tty.out as never).write(line);
    expect(tty.written[0]).toMatch(/^03:04:05\.006 \x1b\[33mWARN \x1b\[0m Worker w1/);
    const pipe = output(false);
    logDestination('auto', pipe.out as never).write(line);
    expect(pipe.written).toEqual([line]);
    const forcedJson = output(true);
    logDestination('json', forcedJson.out as never).write(line);
    expect(forcedJson.written).toEqual([line]);
    const forcedPretty = output(false);
    logDestination('pretty', forcedPretty.out as never).write(line);
    expect(forcedPretty.written[0]).toMatch(/^03:04:05\.006 WARN  Worker w1/);
  });

  it('drops lines once the output is closed instead of throwing', () => {
    const closed = { isTTY: false, writable: false, write: () => { throw new Error('write after end'); } };
    expect(() => logDestination('auto', closed as never).write(line)).not.toThrow();
  });
});
