import packageJson from '../package.json' with { type: 'json' };

export const productVersion: string = packageJson.version;

/**
 * The version recorded with every grade. Grades depend on the emulator and the exercise engine,
 * which ship with the product, so until they are versioned separately it is the product's version.
 */
export const engineVersion: string = productVersion;
