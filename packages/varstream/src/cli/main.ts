#!/usr/bin/env node
import { main } from './run.js';

main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`varstream: internal error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
