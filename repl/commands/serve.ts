import type { Command } from 'commander';
import { parseDurationMs } from '../../common/duration.ts';
import { RivuletError } from '../../common/errors.ts';
import { logger } from '../../common/log.ts';
import { serve } from '../../server/gateway.ts';
import type { CliCommand } from '../cli.ts';

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

interface ServeFlags {
  host: string;
  port: string;
  token?: string;
  sessionTimeout: string;
}

/**
 * `rivulet serve`: the HTTP API (Flink SQL Gateway REST v1 compatible) until SIGINT/SIGTERM, when it
 * stops accepting requests, cancels the jobs of open sessions and exits.
 */
export const serveCommand: CliCommand = {
  register(program: Command, run) {
    program
      .command('serve')
      .description('serve the SQL gateway HTTP API (Flink SQL Gateway REST v1 paths) until SIGINT/SIGTERM')
      .option('--host <host>', 'address to bind (a non-loopback address needs a token)', '127.0.0.1')
      .option('--port <port>', 'port to listen on (0: any free port)', '8083')
      .option(
        '--token <token>',
        'bearer token required on every request but /healthz (default: $RIVULET_TOKEN)',
      )
      .option('--session-timeout <duration>', "close sessions idle this long ('0' never)", '10min')
      .action(async (flags: ServeFlags) => {
        await run(async (ctx) => {
          const port = Number(flags.port);
          if (!Number.isInteger(port) || port < 0 || port > 65535) {
            throw new RivuletError(
              'cli',
              'OPTION_INVALID',
              `--port must be a port number, not '${flags.port}'`,
            );
          }
          const token = flags.token ?? process.env.RIVULET_TOKEN;
          const stopped = stopSignal();
          const gw = await serve({
            host: flags.host,
            port,
            sessionTimeoutMs: parseDurationMs(flags.sessionTimeout),
            defaultOptions: ctx.config,
            ...(token !== undefined && token !== '' ? { token } : {}),
          });
          ctx.stdout.write(
            `Rivulet SQL gateway listening on ${gw.url}${token ? ' (bearer token required)' : ''}\n`,
          );
          logger().info({ url: gw.url, auth: token ? 'bearer' : 'none' }, 'gateway listening');
          const signal = await stopped;
          ctx.stderr.write(`${signal}: shutting down\n`);
          logger().info({ signal }, 'gateway shutting down');
          await gw.close();
          return 0;
        });
      });
  },
};
