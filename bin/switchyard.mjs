#!/usr/bin/env node
// The command line runs the TypeScript sources directly, so the CLI and the lab always share one engine.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
