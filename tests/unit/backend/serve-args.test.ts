import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../../backend/cli/commands/serve.ts';

describe('switchyard serve arguments', () => {
  it.each([
    [[], { port: 0, open: false, json: false }],
    [['--port', '8080'], { port: 8080, open: false, json: false }],
    [['--port=0', '--open'], { port: 0, open: true, json: false }],
    [['--json'], { port: 0, open: false, json: true }],
  ])('%j', (args, expected) => {
    expect(parseServeArgs(args)).toEqual(expected);
  });

  it.each([
    [['--port'], '--port: expected a port number from 0 to 65535, got nothing'],
    [['--port', 'http'], "--port: expected a port number from 0 to 65535, got 'http'"],
    [['--port', '70000'], "--port: expected a port number from 0 to 65535, got '70000'"],
    [['--host', '0.0.0.0'], "unexpected argument '--host'"],
  ])('%j is refused', (args, message) => {
    expect(() => parseServeArgs(args)).toThrow(message);
  });
});
