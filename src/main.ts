// Starts the service: the same as `inventory serve`.
import { runCli } from './cli-commands.js';

runCli(['serve', ...process.argv.slice(2)]);
