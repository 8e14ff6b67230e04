import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

/**
 * iced-x86 ships a Node build: it takes TextDecoder from `util` and reads its WebAssembly with
 * `fs` next to itself. For the page's worker, the module gets the browser's TextDecoder and the
 * WebAssembly bytes inlined, so it compiles synchronously (allowed in a worker, and by the CSP's
 * 'wasm-unsafe-eval') and nothing is fetched.
 */
export function icedForBrowser(): Plugin {
  return {
    name: 'switchyard-iced-browser',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]iced-x86[\\/]iced_x86\.js$/.test(id)) return null;
      const util = 'require(`util`)';
      const loader = /const path = require\('path'\)\.join\(__dirname, 'iced_x86_bg\.wasm'\);\s*const bytes = require\('fs'\)\.readFileSync\(path\);/;
      if (!code.includes(util) || !loader.test(code)) this.error('iced-x86 changed shape: update build/vite/iced-browser.ts');
      const wasm = readFileSync(join(dirname(id), 'iced_x86_bg.wasm')).toString('base64');
      return {
        code: code
          .replace(util, '{ TextDecoder: globalThis.TextDecoder, TextEncoder: globalThis.TextEncoder }')
          .replace(loader, `const bytes = Uint8Array.from(atob(${JSON.stringify(wasm)}), (c) => c.charCodeAt(0));`),
        map: null,
      };
    },
  };
}
