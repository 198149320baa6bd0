#!/usr/bin/env node
// The `rivulet` command. Rivulet's sources are TypeScript run directly by Node 24's type stripping.
import { main } from '../repl/cli.ts';

process.exitCode = await main(process.argv);
