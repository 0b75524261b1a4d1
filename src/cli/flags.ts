import { Command, InvalidArgumentError, Option } from 'commander';
import { parsePromDuration } from '../config/duration.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../logging/logger.js';
import { shardProblem, type Shard } from '../transform/shard.js';
import { parseListenAddress, type ListenAddress } from './listen.js';
import { versionText } from './version.js';

export interface LogFlags {
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

export interface ServeFlags extends LogFlags {
  readonly configFile: string;
  /** Undefined: use `exporter_address`/`exporter_port` from the config. */
  readonly listen: ListenAddress | undefined;
  readonly reloadIntervalMs: number;
  readonly reloadDebounceMs: number;
  /** exporter-toolkit web configuration (TLS, basic auth, headers); undefined: plain HTTP, no auth. */
  readonly webConfigFile: string | undefined;
  /** Cap on concurrent HTTP connections. */
  readonly maxConnections: number;
  /** `--shard.count`/`--shard.index`: this replica's part of the work (docs/operations.md "Sharding"). */
  readonly shard: Shard;
}

export type Invocation =
  | { readonly command: 'serve'; readonly flags: ServeFlags }
  | { readonly command: 'check'; readonly configFile: string; readonly probe: boolean; readonly shardCount?: number | undefined }
  | {
      readonly command: 'preview';
      readonly configFile: string;
      readonly transformation: string | undefined;
      readonly shard?: Shard | undefined;
      readonly allowDegraded?: boolean;
    };

export const DEFAULT_CONFIG_FILE = 'config.yml';

function listenArg(value: string): ListenAddress {
  const a = parseListenAddress(value);
  if (!a) throw new InvalidArgumentError('expected host:port, :port or [ipv6]:port');
  return a;
}

function positiveIntArg(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeIntArg(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

const shardCountOption = (what: string) => new Option('--shard.count <n>', what).argParser(positiveIntArg);
const shardIndexOption = () =>
  new Option('--shard.index <i>', "this replica's index, 0 <= i < --shard.count (a StatefulSet pod's ordinal)").argParser(
    nonNegativeIntArg,
  );

/** `--shard.count`/`--shard.index` as a Shard; a bad pair ends the program with commander's error (exit 1). */
function shardFlags(opts: Record<string, unknown>, cmd: Command): Shard {
  const count = (opts['shard.count'] as number | undefined) ?? 1;
  const index = opts['shard.index'] as number | undefined;
  if (count > 1 && index === undefined) cmd.error(`error: --shard.count ${count} needs --shard.index (0 to ${count - 1})`);
  const problem = shardProblem(count, index ?? 0);
  if (problem) cmd.error(`error: ${problem}`);
  return { count, index: index ?? 0 };
}

function durationArg(value: string): number {
  const s = parsePromDuration(value);
  if (s === undefined) throw new InvalidArgumentError('expected a duration such as 30s, 1m, 500ms (0 disables)');
  return s * 1000;
}

const configOption = () => new Option('--config.file <path>', 'configuration file').default(DEFAULT_CONFIG_FILE);
const aliasOption = () => new Option('--config <path>', "alias of --config.file (the Python prototype's flag)").hideHelp();
const logLevel = () => new Option('--log.level <level>', 'log level').choices(LOG_LEVELS).default('info');
const logFormat = () => new Option('--log.format <format>', 'log format').choices(['logfmt', 'json']).default('logfmt');

function configFile(opts: Record<string, unknown>): string {
  return (opts.config as string | undefined) ?? (opts['config.file'] as string);
}

/** A subcommand's --config.file, or the one given before the command name. */
function subcommandConfigFile(opts: Record<string, unknown>, cmd: Command, program: Command): string {
  const own = opts.config !== undefined || cmd.getOptionValueSource('config.file') !== 'default';
  return configFile(own ? opts : program.opts());
}

function logFlags(opts: Record<string, unknown>): LogFlags {
  return { logLevel: opts['log.level'] as LogLevel, logFormat: opts['log.format'] as LogFormat };
}

/**
 * Parses the command line. Flag names follow Prometheus conventions
 * (`--config.file`, `--web.listen-address`, `--log.level`, `--log.format`);
 * `--config` is kept as an alias for users of the Python prototype.
 * Without a command the exporter serves; `check` and `preview` help debug a
 * config before deploying it.
 */
export function parseInvocation(argv: readonly string[]): Invocation {
  let result: Invocation | undefined;
  const program = new Command('label-value-exporter')
    .description('Turns label values of info-style series into sample values Prometheus can graph and alert on.')
    .addOption(configOption())
    .addOption(aliasOption())
    .addOption(
      new Option(
        '--web.listen-address <address>',
        'address to listen on; overrides exporter_address/exporter_port (default from the config, else ":9101")',
      ).argParser(listenArg),
    )
    .addOption(
      new Option(
        '--web.config.file <path>',
        'exporter-toolkit web configuration file: TLS, basic auth, response headers (re-read when it changes)',
      ),
    )
    .addOption(
      new Option('--web.max-connections <n>', 'maximum number of concurrent HTTP connections').default(1024).argParser(positiveIntArg),
    )
    .addOption(
      new Option('--config.reload-interval <duration>', "re-check the config file's content this often, besides watching it")
        .default(30_000, '30s')
        .argParser(durationArg),
    )
    .addOption(
      new Option('--config.reload-debounce <duration>', 'wait this long after the last change event before reloading')
        .default(1000, '1s')
        .argParser(durationArg),
    )
    .addOption(shardCountOption('split the work between this many replicas (README "Sharding")').default(1))
    .addOption(shardIndexOption())
    .addOption(logLevel())
    .addOption(logFormat())
    .version(versionText().trimEnd(), '--version', 'print version information and exit')
    .helpOption('-h, --help', 'show help')
    .allowExcessArguments(false)
    // Options after `check`/`preview` belong to that command (both have --config.file).
    .enablePositionalOptions()
    .action((opts: Record<string, unknown>) => {
      result = {
        command: 'serve',
        flags: {
          configFile: configFile(opts),
          listen: opts['web.listenAddress'] as ListenAddress | undefined,
          reloadIntervalMs: opts['config.reloadInterval'] as number,
          reloadDebounceMs: opts['config.reloadDebounce'] as number,
          webConfigFile: opts['web.config.file'] as string | undefined,
          maxConnections: opts['web.maxConnections'] as number,
          shard: shardFlags(opts, program),
          ...logFlags(opts),
        },
      };
    });
  program
    .command('check')
    .description('validate the configuration and exit 0 (valid) or 1, with the same messages as start-up')
    .addOption(configOption())
    .addOption(aliasOption())
    .option('--probe', 'also query each source once and report whether it answers')
    .addOption(shardCountOption('also print which shard index runs each transformation with this many replicas'))
    .action((opts: Record<string, unknown>, cmd: Command) => {
      result = {
        command: 'check',
        configFile: subcommandConfigFile(opts, cmd, program),
        probe: opts.probe === true,
        shardCount: opts['shard.count'] as number | undefined,
      };
    });
  program
    .command('preview')
    .description('run each transformation once against its live source and print what /metrics would show')
    .addOption(configOption())
    .addOption(aliasOption())
    .option('--transformation <name>', 'only this transformation')
    .option('--allow-degraded', 'exit 0 even when a transformation is degraded (no output series, or every one defaulted)')
    .addOption(shardCountOption('show only what the replica --shard.index of this many would serve'))
    .addOption(shardIndexOption())
    .action((opts: Record<string, unknown>, cmd: Command) => {
      result = {
        command: 'preview',
        configFile: subcommandConfigFile(opts, cmd, program),
        transformation: opts.transformation as string | undefined,
        shard: shardFlags(opts, cmd),
        allowDegraded: opts.allowDegraded === true,
      };
    });
  program.parse(argv as string[], { from: 'user' });
  if (!result) throw new Error('internal: no command ran');
  return result;
}
