#!/usr/bin/env node
import { serve } from './app.js';
import { parseFlags } from './flags.js';

process.exitCode = await serve(parseFlags(process.argv.slice(2)));
