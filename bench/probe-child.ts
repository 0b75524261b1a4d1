/**
 * Probes `/-/healthy` every 20 ms for `seconds` and prints the latencies (ms)
 * as one JSON line. Its own process, so the latency measured is the server's,
 * not the event loop of the process that runs the 20 scrapers.
 * Usage: probe-child.js BASE_URL SECONDS
 */
import { timedGet } from './http-timing.js';

const [base = '', secondsArg = '10'] = process.argv.slice(2);
const until = performance.now() + Number(secondsArg) * 1000;
const latencies: number[] = [];
while (performance.now() < until) {
  latencies.push((await timedGet(`${base}/-/healthy`)).total);
  await new Promise((r) => setTimeout(r, 20));
}
process.stdout.write(`${JSON.stringify(latencies)}\n`);
