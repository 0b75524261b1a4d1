import { Command, InvalidArgumentError, Option } from 'commander';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../logging/logger.js';
import { parseListenAddress, type ListenAddress } from './listen.js';
import { versionText } from './version.js';

export interface ServeFlags {
  readonly configFile: string;
  /** Undefined: use `exporter_address`/`exporter_port` from the config. */
  readonly listen: ListenAddress | undefined;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

export const DEFAULT_CONFIG_FILE = 'config.yml';

function listenArg(value: string): ListenAddress {
  const a = parseListenAddress(value);
  if (!a) throw new InvalidArgumentError('expected host:port, :port or [ipv6]:port');
  return a;
}

/**
 * Parses the command line. Flag names follow Prometheus conventions
 * (`--config.file`, `--web.listen-address`, `--log.level`, `--log.format`);
 * `--config` is kept as an alias for users of the Python prototype.
 */
export function parseFlags(argv: readonly string[]): ServeFlags {
  let result: ServeFlags | undefined;
  const program = new Command('label-value-exporter')
    .description('Turns label values of info-style series into sample values Prometheus can graph and alert on.')
    .addOption(new Option('--config.file <path>', 'configuration file').default(DEFAULT_CONFIG_FILE))
    .addOption(new Option('--config <path>', 'alias of --config.file (the Python prototype\'s flag)').hideHelp())
    .addOption(new Option('--web.listen-address <address>', 'address to listen on; overrides exporter_address/exporter_port (default from the config, else ":9101")').argParser(listenArg))
    .addOption(new Option('--log.level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .addOption(new Option('--log.format <format>', 'log format').choices(['logfmt', 'json']).default('logfmt'))
    .version(versionText().trimEnd(), '--version', 'print version information and exit')
    .helpOption('-h, --help', 'show help')
    .allowExcessArguments(false)
    .action((opts: Record<string, unknown>) => {
      result = {
        configFile: (opts.config as string | undefined) ?? (opts['config.file'] as string),
        listen: opts['web.listenAddress'] as ListenAddress | undefined,
        logLevel: opts['log.level'] as LogLevel,
        logFormat: opts['log.format'] as LogFormat,
      };
    });
  program.parse(argv as string[], { from: 'user' });
  if (!result) throw new Error('internal: no command ran');
  return result;
}
