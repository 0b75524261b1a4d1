import { requireBinary } from './binaries.js';
import { ManagedProcess } from './process.js';
import { startOnPort } from './server-start.js';
import { waitForHttp } from './wait.js';

/** A real prometheus-node-exporter process. */
export class NodeExporter {
  constructor(
    readonly url: string,
    readonly proc: ManagedProcess,
  ) {}
  stop(): Promise<number | null> {
    return this.proc.stop();
  }
}

/** A real prometheus-node-exporter on a free 127.0.0.1 port, with only the collectors asked for. */
export async function startNodeExporter(collectors: string[]): Promise<NodeExporter> {
  const binary = requireBinary('prometheus-node-exporter', 'prometheus-node-exporter');
  const { port, proc } = await startOnPort({
    launch: (p) =>
      ManagedProcess.start({
        name: `node-exporter:${p}`,
        command: binary,
        args: [`--web.listen-address=127.0.0.1:${p}`, '--collector.disable-defaults', ...collectors.map((c) => `--collector.${c}`)],
      }),
    ready: (p, pr) => waitForHttp(`http://127.0.0.1:${p}/metrics`, 15_000, 200, { process: pr }),
  });
  return new NodeExporter(`http://127.0.0.1:${port}/metrics`, proc);
}
