import type { ExpositionFormat } from './format.js';

interface Offer {
  type: string;
  version: string | undefined;
  q: number;
}

function parseAccept(header: string): Offer[] {
  return header.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    const offer: Offer = { type: type.toLowerCase(), version: undefined, q: 1 };
    for (const p of params) {
      const [k = '', v = ''] = p.split('=').map((s) => s.trim());
      if (k === 'q') offer.q = Number(v) || 0;
      if (k === 'version') offer.version = v;
    }
    return offer;
  });
}

/**
 * Picks the format from an `Accept` header: OpenMetrics 1.0 when the client
 * prefers it (Prometheus asks for it first), the text format otherwise.
 */
export function negotiate(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'text';
  let best: ExpositionFormat = 'text';
  let bestQ = -1;
  for (const o of parseAccept(accept)) {
    if (o.q <= 0) continue;
    const om =
      o.type === 'application/openmetrics-text' && (o.version === undefined || o.version.startsWith('1.0') || o.version === '0.0.1');
    const text = o.type === 'text/plain' || o.type === '*/*' || o.type === 'text/*';
    if (om && o.q > bestQ) [best, bestQ] = ['openmetrics', o.q];
    else if (text && o.q > bestQ) [best, bestQ] = ['text', o.q];
  }
  return best;
}
