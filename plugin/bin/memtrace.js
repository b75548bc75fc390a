#!/usr/bin/env node
// A committed launcher, so that npm links the bin on a fresh clone before the TypeScript is compiled.
import '../dist/cli.js';
