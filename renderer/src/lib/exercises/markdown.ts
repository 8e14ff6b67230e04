import { marked } from 'marked';

const ALLOWED_TAGS = new Set(['P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'LI', 'CODE', 'PRE', 'EM', 'STRONG', 'BLOCKQUOTE', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'HR', 'BR', 'A', 'DEL', 'SPAN']);
const ALLOWED_ATTRIBUTES: Record<string, readonly string[]> = { A: ['href', 'title'], TH: ['align'], TD: ['align'], CODE: ['class'] };

/**
 * Exercise instructions come from packs, which anyone may write: the Markdown is rendered here,
 * then every element and attribute outside a small allowlist is dropped. Links keep only
 * in-page anchors, since the lab never leaves its own origin.
 */
export function renderInstructions(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const clean = (node: Element) => {
    for (const child of [...node.children]) {
      if (!ALLOWED_TAGS.has(child.tagName)) {
        child.replaceWith(doc.createTextNode(child.textContent ?? ''));
        continue;
      }
      const allowed = ALLOWED_ATTRIBUTES[child.tagName] ?? [];
      for (const attribute of [...child.attributes]) {
        if (!allowed.includes(attribute.name)) child.removeAttribute(attribute.name);
      }
      const href = child.getAttribute('href');
      if (href !== null && !href.startsWith('#')) child.removeAttribute('href');
      clean(child);
    }
  };
  clean(doc.body);
  return doc.body.innerHTML;
}
