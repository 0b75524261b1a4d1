import { isMap, isPair, isScalar, parseDocument, Scalar, visit, type Node } from 'yaml';
import { redactUrlsInText } from '../model/url.js';

const SECRET = '<secret>';
/** Keys whose value is a secret wherever they appear (basic_auth.password, bearer_token). */
const SECRET_KEYS = new Set(['password', 'bearer_token']);

function secretNode(): Scalar {
  return new Scalar(SECRET);
}

/**
 * The configuration file's text as the user wrote it (their keys, order and
 * `${ENV}` references), for the status page, with every secret replaced by
 * `<secret>`: passwords, bearer tokens, header values, URLs' userinfo and
 * query values wherever a URL appears. Comments are dropped (they may hold
 * anything), and so is the value of any anchored scalar (an alias of it may
 * sit under a secret key). Null when the text does not parse as YAML.
 */
export function redactedYaml(text: string): string | null {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return null;
  doc.commentBefore = null;
  doc.comment = null;
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (SECRET_KEYS.has(key)) pair.value = secretNode();
      else if (key === 'headers') {
        if (isMap(pair.value)) {
          for (const p of pair.value.items) if (isPair(p)) p.value = secretNode();
        } else pair.value = secretNode();
      }
    },
    Node(_, node: Node) {
      node.comment = null;
      node.commentBefore = null;
      if (!isScalar(node)) return;
      if (node.anchor) node.value = SECRET;
      else if (typeof node.value === 'string') node.value = redactUrlsInText(node.value);
    },
  });
  return doc.toString();
}
