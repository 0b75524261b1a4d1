#!/usr/bin/env node
import { serve } from './app.js';
import { check } from './check.js';
import { parseInvocation } from './flags.js';
import { preview } from './preview.js';

const inv = parseInvocation(process.argv.slice(2));
process.exitCode =
  inv.command === 'serve'
    ? await serve(inv.flags)
    : inv.command === 'check'
      ? await check(inv.configFile, inv.probe, undefined, undefined, inv.shardCount)
      : await preview({
          configFile: inv.configFile,
          transformation: inv.transformation,
          shard: inv.shard,
          allowDegraded: inv.allowDegraded === true,
        });
// Done: whatever still holds the event loop (a connection of a source that was
// abandoned at its deadline) must not keep the process alive. Output gets a
// moment to drain; a process with nothing left exits before this fires.
setTimeout(() => process.exit(), 1000).unref();
