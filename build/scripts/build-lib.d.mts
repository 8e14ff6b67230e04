export function isStale(output: string, inputs: string[]): boolean;
export const rendererIndex: string;
export const electronMain: string;
export const electronPreload: string;
/** Builds the renderer when an input is newer than renderer/dist; true when it built. */
export function buildRenderer(options?: { force?: boolean }): Promise<boolean>;
export function buildElectron(options?: { force?: boolean }): Promise<boolean>;
export function electronBinary(): string | undefined;
export function electronVersion(): string | undefined;
