import DOMPurify from 'dompurify';
import { marked } from 'marked';

const ALLOWED_TAGS = ['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'code', 'pre', 'em', 'strong', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr', 'br', 'a', 'del', 'span'];
const ATTRIBUTES_BY_TAG: Record<string, readonly string[]> = { a: ['href', 'title'], th: ['align'], td: ['align'], code: ['class'] };

const purifier = DOMPurify(window);
// DOMPurify's allowlist of attributes is global; these are per element, and links stay inside the page.
purifier.addHook('uponSanitizeAttribute', (node, data) => {
  const allowed = ATTRIBUTES_BY_TAG[node.nodeName.toLowerCase()] ?? [];
  if (!allowed.includes(data.attrName) || (data.attrName === 'href' && !data.attrValue.startsWith('#'))) data.keepAttr = false;
});

/**
 * Exercise instructions come from packs, which anyone may write: the Markdown is rendered here,
 * then DOMPurify keeps only a small allowlist of elements and attributes. Links keep only
 * in-page anchors, since the lab never leaves its own origin.
 */
export function renderInstructions(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return purifier.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: [...new Set(Object.values(ATTRIBUTES_BY_TAG).flat())],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
  });
}
