export const USAGE = `Usage: varstream <command> [file] [options]

Converts between JSON and VarStream, checks and formats VarStream.
Reads [file], or standard input when it is absent or "-"; writes to
standard output unless -o is given.

Commands:
  to-json [file]      VarStream to JSON (memory follows the tree)
  from-json [file]    JSON to VarStream (streaming: constant memory)
  check [file]        validate VarStream: report every error, exit 1 if any
  format [file]       VarStream to canonical VarStream (parse, then write)

Options:
  -o, --output <file>   write to <file> (replaced only once complete)
      --strict          stop at the first error (to-json, check, format);
                        to-json: also refuse NaN, Infinity and array holes
      --legacy          read (to-json, check, format) or write (from-json)
                        VarStream exactly as varstream 0.3.2 does
      --pretty          indent the JSON with 2 spaces (to-json)
      --no-compress     no ^ back references (from-json, format)
      --arrays <mode>   append (default: ! + * segments) or index
                        (explicit indices) (from-json, format)
      --limit <name>=<n>
                        raise or lower a codec limit; repeatable. Names:
                        maxStatementLength, maxPathDepth, maxArrayIndex,
                        maxArrayGap, maxNodes
  -h, --help            show this help
  -v, --version         show the version

Without a command, one file named *.json is converted with from-json and
one named *.vs or *.dat with to-json; anything else needs a command.

Errors go to standard error, one per line:
  file:line:column: CODE message
(<stdin> for standard input; CODE is stable, e.g. BAD_SEGMENT, JSON_SYNTAX).
Without --strict, bad statements are reported, skipped, and the output is
still written.

Exit codes:
  0  success
  1  invalid input: syntax or semantic errors, JSON that VarStream or
     VarStream that JSON cannot hold (shared or circular references)
  2  usage error
  3  I/O error: a file cannot be read or written

Examples:
  varstream from-json data.json -o data.vs
  curl -s https://example.com/data.json | varstream from-json > data.vs
  varstream to-json --pretty data.vs
  varstream check --strict config.dat
  varstream data.json > data.vs          (from-json, from the extension)
`;
