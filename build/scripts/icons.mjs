// `node build/scripts/icons.mjs`: draws build/resources/icon.svg into the icons electron-builder packs:
// icon.png, icons/<n>x<n>.png (Linux), icon.ico (Windows) and icon.icns (macOS). The results are
// committed; run this again after changing the SVG. It renders with Chromium through Playwright.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { root } from './ensure-deps.mjs';

const resources = join(root, 'build', 'resources');
const svg = readFileSync(join(resources, 'icon.svg'), 'utf8');
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// macOS icon types that hold PNG data, by edge length.
const ICNS_TYPES = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };

async function render() {
  const executablePath = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath });
  try {
    const page = await browser.newPage();
    const pngs = new Map();
    for (const size of SIZES) {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
      pngs.set(size, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }));
    }
    return pngs;
  } finally {
    await browser.close();
  }
}

/** An ICO whose images are PNGs (Windows Vista and later read them). */
function ico(pngs) {
  const header = Buffer.alloc(6 + 16 * ICO_SIZES.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(ICO_SIZES.length, 4);
  let offset = header.length;
  ICO_SIZES.forEach((size, i) => {
    const png = pngs.get(size);
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...ICO_SIZES.map((size) => pngs.get(size))]);
}

function icns(pngs) {
  const chunks = Object.entries(ICNS_TYPES).map(([size, type]) => {
    const png = pngs.get(Number(size));
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

const pngs = await render();
mkdirSync(join(resources, 'icons'), { recursive: true });
for (const size of SIZES.filter((s) => s <= 512)) writeFileSync(join(resources, 'icons', `${size}x${size}.png`), pngs.get(size));
writeFileSync(join(resources, 'icon.png'), pngs.get(1024));
writeFileSync(join(resources, 'icon.ico'), ico(pngs));
writeFileSync(join(resources, 'icon.icns'), icns(pngs));
process.stderr.write(`icons: wrote icon.png, icon.ico, icon.icns and ${SIZES.filter((s) => s <= 512).length} sizes under icons/ in build/resources\n`);
