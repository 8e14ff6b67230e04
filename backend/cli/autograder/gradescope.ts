/** The Gradescope autograder archive: setup.sh, run_autograder, the pack and this exact Switchyard. */
import { ENGINE_VERSION } from '../../../exercises/engine/index.ts';
import { productVersion } from '../../version.ts';
import { readPackFolder } from '../../store/pack-folder.ts';
import { appFiles } from './app-files.ts';
import type { GradescopeVisibility } from './gradescope-run.ts';
import { createZip, type ZipEntry } from './zip.ts';

export interface GradescopeOptions {
  packDir: string;
  hiddenVisibility: GradescopeVisibility;
}

const OFFLINE_VARIABLE = 'SWITCHYARD_AUTOGRADER_OFFLINE';

/**
 * Runs as root on Gradescope's Ubuntu image when the autograder is built. Node comes from
 * NodeSource (Ubuntu's own is too old); the dependencies are exactly the lockfile's, without the
 * desktop-only ones. With SWITCHYARD_AUTOGRADER_OFFLINE=1 the network steps are skipped (the
 * image already has Node and SWITCHYARD_AUTOGRADER_NODE_MODULES points at installed modules).
 */
const SETUP_SH = `#!/usr/bin/env bash
set -euo pipefail
HERE="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
APP="$HERE/switchyard"
if [ "\${${OFFLINE_VARIABLE}:-}" != "1" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends ca-certificates curl gnupg
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null; then
    curl -fsSL https://deb.nodesource.com/setup_22.x | bash -
    apt-get install -y nodejs
  fi
  (cd "$APP" && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund)
elif [ -n "\${SWITCHYARD_AUTOGRADER_NODE_MODULES:-}" ]; then
  ln -sfn "$SWITCHYARD_AUTOGRADER_NODE_MODULES" "$APP/node_modules"
fi
chmod +x "$HERE/run_autograder"
# Proves the install: the pack loads with this Switchyard.
node "$APP/bin/switchyard.mjs" list --pack "$HERE/pack" > /dev/null
echo "Switchyard $(node -p "require('$APP/package.json').version") ready"
`;

/** Gradescope copies this to /autograder/run_autograder; AUTOGRADER_ROOT moves the whole layout (for testing it). */
const RUN_AUTOGRADER = `#!/usr/bin/env bash
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
exec node "$SOURCE/switchyard/bin/switchyard.mjs" autograder run-gradescope \\
  --config "$SOURCE/switchyard-autograder.json" --pack "$SOURCE/pack" \\
  --submission "$ROOT/submission" --results "$ROOT/results/results.json"
`;

export function gradescopeArchive(options: GradescopeOptions): { zip: Buffer; files: number } {
  const entries: ZipEntry[] = [
    { path: 'setup.sh', data: Buffer.from(SETUP_SH), mode: 0o755 },
    { path: 'run_autograder', data: Buffer.from(RUN_AUTOGRADER), mode: 0o755 },
    {
      path: 'switchyard-autograder.json',
      data: Buffer.from(`${JSON.stringify({ format: 'switchyard-autograder/1', productVersion, engineVersion: ENGINE_VERSION, hiddenVisibility: options.hiddenVisibility }, null, 2)}\n`),
    },
  ];
  for (const [path, data] of readPackFolder(options.packDir)) entries.push({ path: `pack/${path}`, data });
  for (const [path, data] of appFiles()) entries.push({ path: `switchyard/${path}`, data, mode: path.startsWith('bin/') ? 0o755 : 0o644 });
  return { zip: createZip(entries), files: entries.length };
}
