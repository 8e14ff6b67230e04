import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentTypeOf, resolveAssetPath } from '../../../backend/server/renderer-assets.ts';

const root = resolve('/srv/switchyard/renderer/dist');

describe('resolveAssetPath', () => {
  it.each([
    ['/', join(root, 'index.html')],
    ['/index.html', join(root, 'index.html')],
    ['/assets/index-abc.js', join(root, 'assets', 'index-abc.js')],
    ['/assets/codicon%20font.ttf', join(root, 'assets', 'codicon font.ttf')],
  ])('serves %s', (url, expected) => {
    expect(resolveAssetPath(root, url)).toBe(expected);
  });

  it.each([
    ['/../secret'],
    ['/assets/../../secret'],
    ['/%2e%2e/secret'],
    ['/assets%2f..%2f..%2fsecret'],
    ['/..%5csecret'],
    ['/assets\\..\\..\\secret'],
    ['/./index.html'],
    ['/index.html%00.js'],
    ['/%E0%A4%A'],
    ['/C:/Windows/win.ini'],
    ['/assets/'],
    ['relative/path'],
    [''],
  ])('refuses %s', (url) => {
    expect(resolveAssetPath(root, url)).toBeNull();
  });
});

describe('contentTypeOf', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a.JS', 'text/javascript; charset=utf-8'],
    ['codicon.ttf', 'font/ttf'],
    ['blob.bin', 'application/octet-stream'],
  ])('%s → %s', (path, type) => {
    expect(contentTypeOf(path)).toBe(type);
  });
});
