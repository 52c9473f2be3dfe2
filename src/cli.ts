#!/usr/bin/env node
// The `inventory` command (package.json bin); `npm run cli -- <command>` runs it from a checkout.
import { runCli } from './cli-commands.js';

runCli(process.argv.slice(2));
