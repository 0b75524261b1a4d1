import { redactedConfigWith } from '../config/redact.js';
import type { ExporterConfig } from '../config/types.js';
import { kindOf } from '../sources/kinds/index.js';

export { redactUrl } from '../config/redact.js';

/**
 * The running configuration as plain data for the status page, with every
 * secret (passwords, tokens, header values, URLs' userinfo and query values)
 * replaced by `<secret>`; each source as its kind shows it.
 */
export function redactedConfig(config: ExporterConfig): Record<string, unknown> {
  return redactedConfigWith(config, (s) => kindOf(s.type).redact(s));
}
