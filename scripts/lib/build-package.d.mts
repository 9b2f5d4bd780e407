export function buildPackage(dir: string): void;
