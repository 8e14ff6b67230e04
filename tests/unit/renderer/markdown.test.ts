// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderInstructions } from '../../../renderer/src/lib/exercises/markdown.ts';

const ALLOWED = new Set(['P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'LI', 'CODE', 'PRE', 'EM', 'STRONG', 'BLOCKQUOTE', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'HR', 'BR', 'A', 'DEL', 'SPAN']);
const ATTRIBUTES: Record<string, string[]> = { A: ['href', 'title'], TH: ['align'], TD: ['align'], CODE: ['class'] };

function parsed(html: string): HTMLElement {
  const body = document.createElement('body');
  body.innerHTML = html;
  return body;
}

/** What an allowlist promises: only listed elements, only their listed attributes, only in-page links. */
function expectSafe(html: string): void {
  for (const element of parsed(html).querySelectorAll('*')) {
    expect(ALLOWED.has(element.tagName), `<${element.tagName.toLowerCase()}> in ${html}`).toBe(true);
    for (const attribute of element.attributes) {
      expect(ATTRIBUTES[element.tagName] ?? [], `${attribute.name} on <${element.tagName.toLowerCase()}> in ${html}`).toContain(attribute.name);
    }
    const href = element.getAttribute('href');
    if (href !== null) expect(href).toMatch(/^#/);
  }
}

describe('exercise instructions', () => {
  it.each([
    ['# Save the context', '<h1>Save the context</h1>'],
    ['Use `iretq`, *not* **sysret**, ~~ret~~.', '<p>Use <code>iretq</code>, <em>not</em> <strong>sysret</strong>, <del>ret</del>.</p>'],
    ['- one\n- two', '<ul>\n<li>one</li>\n<li>two</li>\n</ul>'],
    ['```asm\nmov %rax, (%rdi)\n```', '<pre><code class="language-asm">mov %rax, (%rdi)\n</code></pre>'],
    ['> note', '<blockquote>\n<p>note</p>\n</blockquote>'],
    ['See [the frame](#frame "IRET frame").', '<p>See <a href="#frame" title="IRET frame">the frame</a>.</p>'],
    ['| off | reg |\n|--:|:--|\n| 0 | rax |', '<table>\n<thead>\n<tr>\n<th align="right">off</th>\n<th align="left">reg</th>\n</tr>\n</thead>\n<tbody><tr>\n<td align="right">0</td>\n<td align="left">rax</td>\n</tr>\n</tbody></table>'],
  ])('%j renders as Markdown', (markdown, html) => {
    expect(renderInstructions(markdown).trim()).toBe(html);
  });

  it('keeps the text of a link that leaves the page, without the link', () => {
    expect(renderInstructions('[the SDM](https://example.com/sdm.pdf)').trim()).toBe('<p><a>the SDM</a></p>');
  });

  it.each([
    ['<script>alert(1)</script>'],
    ['<img src=x onerror=alert(1)>'],
    ['[x](javascript:alert(1))'],
    ['<a href=" javascript:alert(1)">x</a>'],
    ['<a href="data:text/html,<script>alert(1)</script>">x</a>'],
    ['<a href="#ok" onclick="alert(1)" target="_blank">x</a>'],
    ['<svg><script>alert(1)</script><a xlink:href="javascript:alert(1)">x</a></svg>'],
    ['<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
    ['<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
    ['<iframe src="https://example.com"></iframe><object data="x"></object><embed src="x">'],
    ['<form action="https://example.com"><input name=a><button>go</button></form>'],
    ['<style>body{display:none}</style><p style="position:fixed">x</p>'],
    ['<span id="switchyard" name="x" data-x="1" aria-hidden="true">clobber</span>'],
    ['<code class="x" onmouseover="alert(1)">c</code>'],
    ['<td background="javascript:alert(1)">x</td>'],
    ['<base href="https://example.com/"><meta http-equiv="refresh" content="0;url=https://example.com">'],
    ['<template><img src=x onerror=alert(1)></template>'],
  ])('%s is made harmless', (markdown) => {
    const html = renderInstructions(markdown);
    expectSafe(html);
    expect(html).not.toMatch(/onerror|onclick|onmouseover|javascript:|<script|<style|<iframe|<img/i);
  });

  it('keeps the words of elements it drops', () => {
    expect(parsed(renderInstructions('<div>push <b>rbp</b></div>')).textContent).toBe('push rbp');
  });
});
