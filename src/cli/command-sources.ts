import type { ExporterConfig, TransformationConfig } from '../config/types.js';
import { createSource } from '../sources/registry.js';
import type { Source } from '../sources/source.js';

/**
 * The sources of one-shot commands (`preview`, `check --probe`): built once
 * per name on first use, shared by the transformations that read them, and
 * closed together at the end.
 */
export class CommandSources {
  private readonly built = new Map<string, Source>();

  constructor(private readonly config: ExporterConfig) {}

  /** The sources `t` reads, built on first use. */
  of(t: TransformationConfig): Source[] {
    return t.sources.flatMap((name) => {
      const cfg = this.config.sources.get(name);
      if (!cfg) return [];
      const source = this.built.get(name) ?? createSource(cfg, { request: () => undefined });
      this.built.set(name, source);
      return [source];
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.built.values()].map((s) => s.close()));
  }
}
