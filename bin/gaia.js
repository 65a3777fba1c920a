#!/usr/bin/env node
// The CLI is bundled into one file (npm run build): loading ~300 separate ESM modules cost
// more than gaia's whole plan of the reference system.
import { main } from '../dist/gaia.mjs';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
