import { defaults, type Limits } from '../defaults.js';

export const COMMANDS = ['to-json', 'from-json', 'check', 'format'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  /** The input file; undefined (or `-`) for standard input. */
  file: string | undefined;
  /** The output file; undefined for standard output. */
  output: string | undefined;
  strict: boolean;
  legacy: boolean;
  pretty: boolean;
  compress: boolean;
  arrays: 'append' | 'index';
  limits: Partial<Limits>;
  /** True when the command was inferred from the file extension. */
  inferred: boolean;
}

export type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: CliOptions };

/** A bad command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type OptionName = 'output' | 'strict' | 'legacy' | 'pretty' | 'compress' | 'arrays' | 'limit';

/** Which command takes which option. */
const APPLIES: Record<OptionName, readonly Command[]> = {
  output: ['to-json', 'from-json', 'format'],
  strict: ['to-json', 'check', 'format'],
  legacy: ['to-json', 'from-json', 'check', 'format'],
  pretty: ['to-json'],
  compress: ['from-json', 'format'],
  arrays: ['from-json', 'format'],
  limit: ['to-json', 'from-json', 'check', 'format'],
};

const SPELLING: Record<OptionName, string> = {
  output: '-o/--output',
  strict: '--strict',
  legacy: '--legacy',
  pretty: '--pretty',
  compress: '--no-compress',
  arrays: '--arrays',
  limit: '--limit',
};

function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

/** The command a file name implies: `.json` → from-json, `.vs`/`.dat` → to-json. */
export function inferCommand(file: string): Command | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'from-json';
  if (lower.endsWith('.vs') || lower.endsWith('.dat')) return 'to-json';
  return undefined;
}

function parseLimit(text: string): [keyof Limits, number] {
  const eq = text.indexOf('=');
  const name = eq === -1 ? text : text.slice(0, eq);
  if (!Object.hasOwn(defaults, name)) {
    throw new UsageError(`unknown limit "${name}" (limits: ${Object.keys(defaults).join(', ')})`);
  }
  const value = eq === -1 ? '' : text.slice(eq + 1).replace(/_/g, '');
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--limit ${name} needs a whole number: --limit ${name}=N`);
  }
  return [name as keyof Limits, Number(value)];
}

/** Parses the arguments after `varstream` (process.argv.slice(2)). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const used = new Set<OptionName>();
  let help = false;
  let version = false;
  let output: string | undefined;
  let arrays: 'append' | 'index' = 'append';
  let compress = true;
  const flags = { strict: false, legacy: false, pretty: false };
  const limits: Partial<Limits> = {};
  let endOfOptions = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (endOfOptions || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      endOfOptions = true;
      continue;
    }
    let name = arg;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq !== -1) {
        name = arg.slice(0, eq);
        inline = arg.slice(eq + 1);
      }
    } else if (arg.length > 2 && arg.startsWith('-o')) {
      name = '-o';
      inline = arg.slice(2);
    }
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      i++;
      return next;
    };
    const noValue = (): void => {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
    };
    switch (name) {
      case '-h':
      case '--help':
        noValue();
        help = true;
        break;
      case '-v':
      case '-V':
      case '--version':
        noValue();
        version = true;
        break;
      case '-o':
      case '--output':
        output = takeValue();
        if (output === '') throw new UsageError(`${name} needs a file name`);
        used.add('output');
        break;
      case '--strict':
      case '--legacy':
      case '--pretty':
        noValue();
        flags[name.slice(2) as keyof typeof flags] = true;
        used.add(name.slice(2) as OptionName);
        break;
      case '--no-compress':
        noValue();
        compress = false;
        used.add('compress');
        break;
      case '--arrays': {
        const mode = takeValue();
        if (mode !== 'index' && mode !== 'append') {
          throw new UsageError(`--arrays takes "index" or "append", not "${mode}"`);
        }
        arrays = mode;
        used.add('arrays');
        break;
      }
      case '--limit': {
        const [key, value] = parseLimit(takeValue());
        limits[key] = value;
        used.add('limit');
        break;
      }
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }

  if (help) return { kind: 'help' };
  if (version) return { kind: 'version' };

  const first = positionals[0];
  if (first === undefined) {
    throw new UsageError(`missing command (one of ${COMMANDS.join(', ')})`);
  }
  let command: Command;
  let rest: string[];
  let inferred = false;
  if (isCommand(first)) {
    command = first;
    rest = positionals.slice(1);
  } else {
    const guess = first === '-' ? undefined : inferCommand(first);
    if (guess === undefined) {
      throw new UsageError(
        first === '-' || /[./\\]/.test(first)
          ? `missing command for "${first}": say which one (${COMMANDS.join(', ')}); it is inferred only from a .json, .vs or .dat file name`
          : `unknown command "${first}" (commands: ${COMMANDS.join(', ')})`,
      );
    }
    command = guess;
    rest = positionals;
    inferred = true;
  }
  if (rest.length > 1) {
    throw new UsageError(`too many arguments: ${rest.slice(1).join(' ')} (one input file at most)`);
  }
  for (const option of used) {
    if (!APPLIES[option].includes(command)) {
      throw new UsageError(`${SPELLING[option]} does not apply to ${command}`);
    }
  }
  const file = rest[0];
  return {
    kind: 'run',
    options: {
      command,
      file: file === '-' ? undefined : file,
      output: output === '-' ? undefined : output,
      strict: flags.strict,
      legacy: flags.legacy,
      pretty: flags.pretty,
      compress,
      arrays,
      limits,
      inferred,
    },
  };
}
