import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { VarStreamError } from '../errors.js';
import { JsonError } from '../json/errors.js';
import { checkJson, JsonWriter } from '../json/json-writer.js';
import { JsonToVarStream } from '../json/to-varstream.js';
import { JsonStreamParser } from '../json/value-builder.js';
import { legacyStringify } from '../legacy/index.js';
import { TreeParser } from '../stream/tree-parser.js';
import { TreeWriter } from '../tree-writer.js';
import { type CliOptions, parseArgs, UsageError } from './args.js';
import { type Input, IoError, Output, openInput } from './io.js';
import { USAGE } from './usage.js';

/** The streams and directory the CLI works with (the process's, or test doubles). */
export interface CliIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Directory relative file names are resolved from. Default `process.cwd()`. */
  cwd?: string;
}

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;
export const EXIT_IO = 3;

/** Input converted per step by from-json (UTF-16 units or bytes). */
const INPUT_SLICE = 65_536;

/** Most warnings printed about values JSON cannot keep (the rest are counted). */
const MAX_WARNINGS = 20;

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Reports errors on standard error as `file:line:column: CODE message`. */
class Reporter {
  errors = 0;
  warnings = 0;
  constructor(
    private readonly stderr: Writable,
    private readonly name: string,
  ) {}

  error(err: VarStreamError | JsonError): void {
    this.errors++;
    let where = this.name;
    if (err.line !== undefined) where += `:${err.line}:${err.column ?? 1}`;
    const path = err.path === undefined ? '' : ` (path ${err.path})`;
    this.stderr.write(`${where}: ${err.code} ${err.reason}${path}\n`);
  }

  warning(message: string): void {
    this.warnings++;
    if (this.warnings <= MAX_WARNINGS) this.stderr.write(`${this.name}: warning: ${message}\n`);
  }

  errorCount(): void {
    const n = this.errors;
    this.stderr.write(`${this.name}: ${n} ${n === 1 ? 'error' : 'errors'}\n`);
  }

  summary(): void {
    if (this.warnings > MAX_WARNINGS) {
      this.stderr.write(`${this.name}: warning: ${this.warnings - MAX_WARNINGS} more not shown\n`);
    }
  }

  /** Reports what stopped the command; returns the exit code. */
  fail(err: unknown): number {
    if (err instanceof VarStreamError || err instanceof JsonError) {
      this.error(err);
      return EXIT_INVALID;
    }
    if (err instanceof IoError) {
      // A closed pipe (`varstream to-json big.vs | head`) is not worth a message.
      if (err.code !== 'EPIPE') this.stderr.write(`varstream: ${err.message}\n`);
      return EXIT_IO;
    }
    if (err instanceof UsageError) {
      this.stderr.write(`varstream: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.stderr.write(`varstream: internal error: ${detail}\n`);
    return EXIT_INVALID;
  }
}

/**
 * Runs the `varstream` command line (`argv` without `node` and the script)
 * and resolves to the exit code. Never throws and never exits the process.
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`varstream: ${err.message}\nRun "varstream --help" for usage.\n`);
    return EXIT_USAGE;
  }
  if (parsed.kind === 'help') {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (parsed.kind === 'version') {
    io.stdout.write(`${version()}\n`);
    return EXIT_OK;
  }
  const options = parsed.options;
  if (options.file === undefined && (io.stdin as { isTTY?: boolean }).isTTY === true) {
    io.stderr.write(
      `varstream: no input file, and standard input is a terminal\nRun "varstream --help" for usage.\n`,
    );
    return EXIT_USAGE;
  }
  const cwd = io.cwd ?? process.cwd();
  const reporter = new Reporter(io.stderr, options.file ?? '<stdin>');
  let input: Input | undefined;
  let output: Output | undefined;
  try {
    input = await openInput(options.file, io.stdin, cwd);
    if (options.command !== 'check') {
      output =
        options.output === undefined
          ? Output.stdout(io.stdout)
          : await Output.file(options.output, cwd);
    }
    const code = await run(options, input, output, reporter);
    await output?.finish();
    return code;
  } catch (err) {
    await output?.abort();
    return reporter.fail(err);
  } finally {
    input?.close();
  }
}

function run(
  options: CliOptions,
  input: Input,
  output: Output | undefined,
  reporter: Reporter,
): Promise<number> {
  switch (options.command) {
    case 'from-json':
      return fromJson(options, input, output!);
    case 'to-json':
      return toJson(options, input, output!, reporter);
    case 'check':
      return check(options, input, reporter);
    case 'format':
      return format(options, input, output!, reporter);
  }
}

/** Streams the input into a tree: memory follows the tree, never the text. */
async function readTree(options: CliOptions, input: Input, reporter: Reporter): Promise<unknown> {
  const parser = new TreeParser({
    strict: options.strict,
    legacy: options.legacy,
    limits: options.limits,
    ...(options.strict ? {} : { onError: (err: VarStreamError) => reporter.error(err) }),
  });
  for await (const chunk of input.chunks()) parser.write(chunk);
  return parser.end();
}

async function fromJson(options: CliOptions, input: Input, output: Output): Promise<number> {
  if (options.legacy) {
    // 0.3.2's writer needs the whole value (never the JSON text, though).
    const parser = new JsonStreamParser();
    for await (const chunk of input.chunks()) parser.write(chunk);
    const text = legacyStringify(parser.end(), {
      morphContexts: options.compress,
      mergeArrays: options.arrays === 'append',
      limits: options.limits,
    });
    for (let i = 0; i < text.length; i += 65_536) await output.write(text.slice(i, i + 65_536));
    return EXIT_OK;
  }
  const converter = new JsonToVarStream({
    compress: options.compress,
    arrays: options.arrays,
    limits: options.limits,
  });
  for await (const chunk of input.chunks()) {
    // Convert at most 64 KiB at a time, so the text waiting for 'drain' stays small
    // whatever the size of the chunks the input delivers.
    for (let i = 0; i < chunk.length; i += INPUT_SLICE) {
      await output.write(converter.write(chunk.slice(i, i + INPUT_SLICE)));
    }
  }
  await output.write(converter.end());
  return EXIT_OK;
}

async function toJson(
  options: CliOptions,
  input: Input,
  output: Output,
  reporter: Reporter,
): Promise<number> {
  const value = await readTree(options, input, reporter);
  checkJson(value, (loss) => {
    if (options.strict) throw new JsonError('JSON_UNSUPPORTED', loss.reason, { path: loss.path });
    reporter.warning(`${loss.reason} (path ${loss.path})`);
  });
  reporter.summary();
  for (const chunk of new JsonWriter(value, options.pretty ? { indent: 2 } : {})) {
    await output.write(chunk);
  }
  await output.write('\n');
  return reporter.errors > 0 ? EXIT_INVALID : EXIT_OK;
}

async function check(options: CliOptions, input: Input, reporter: Reporter): Promise<number> {
  await readTree(options, input, reporter);
  if (reporter.errors === 0) return EXIT_OK;
  reporter.errorCount();
  return EXIT_INVALID;
}

async function format(
  options: CliOptions,
  input: Input,
  output: Output,
  reporter: Reporter,
): Promise<number> {
  const value = await readTree(options, input, reporter);
  for (const chunk of new TreeWriter(value, {
    compress: options.compress,
    arrays: options.arrays,
  })) {
    await output.write(chunk);
  }
  return reporter.errors > 0 ? EXIT_INVALID : EXIT_OK;
}
