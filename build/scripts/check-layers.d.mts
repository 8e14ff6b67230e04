export function sourceFiles(root: string): string[];
export function importsOf(file: string, text?: string): { target: string; typeOnly: boolean; line: number }[];
export function layerViolation(from: string, to: string): string | null;
export function checkLayers(root: string): { files: number; problems: string[] };
