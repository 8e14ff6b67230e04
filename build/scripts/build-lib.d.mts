export function isStale(output: string, inputs: string[]): boolean;
export const rendererIndex: string;
export const electronMain: string;
export const electronPreload: string;
/** Builds the renderer when an input is newer than renderer/dist; true when it built. */
export function buildRenderer(options?: { force?: boolean }): Promise<boolean>;
export function buildElectron(options?: { force?: boolean }): Promise<boolean>;
export function electronBinary(): string | undefined;
export function electronVersion(): string | undefined;
export const cliMain: string;
export const cliGradeWorker: string;
export const learnerPackDir: string;
export function isCliStale(): boolean;
/** Bundles the command line and its grading worker into dist/cli; true when it built. */
export function buildCli(options?: { force?: boolean }): Promise<boolean>;
/** Writes the learner's copy of exercises/pack to dist/learner-pack; true when it built. */
export function buildLearnerPack(options?: { force?: boolean }): Promise<boolean>;
/** The packages the bundles leave to node_modules: package.json's `dependencies`. */
export const runtimePackages: string[];
/** Bundles one entry as CommonJS for Electron; fails on any esbuild warning (an emptied import.meta, say). */
export function bundleForElectron(entry: string, outfile: string): Promise<void>;
