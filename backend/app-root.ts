import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function isSwitchyardRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'switchyard';
  } catch {
    return false;
  }
}

/**
 * The folder holding Switchyard's package.json: the checkout, or the packaged app. Found by walking up
 * from this module, because it runs from the sources and from bundles that sit at other depths.
 */
export function appRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (isSwitchyardRoot(dir)) return dir;
    if (dirname(dir) === dir) throw new Error(`no Switchyard package.json above ${from}`);
  }
}
