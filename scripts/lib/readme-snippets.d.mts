export interface ReadmeSnippet {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** Why the block is not run (`<!-- not run: ... -->` before it). */
  notRun: string | undefined;
}
export function readmeSnippets(file: string): ReadmeSnippet[];
export function adapt(code: string, replacements: readonly (readonly [string, string])[]): string;
export function runModule(
  file: string,
  dir: string,
  timeoutMs?: number,
): Promise<{ code: number; stdout: string; stderr: string }>;
