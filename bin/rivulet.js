#!/usr/bin/env node
// The `rivulet` command. Rivulet's sources are TypeScript run directly by Node 24's type stripping.
import { main } from '../repl/cli.ts';

// `rivulet ... | head` closes stdout early: that ends the output, not with a crash.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv);
