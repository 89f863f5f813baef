/**
 * `pnpm bench` — see USAGE. Prints progress while running and a summary table at the end.
 * Exit status: 0 done, 1 a suite failed or the bench could not start (one line saying why),
 * 2 a usage error (the message lists what is valid).
 */
import { join, resolve } from 'node:path';
import { runBench } from './bench';
import { BenchSetupError, CliError, parseArgs, USAGE } from './cli-args';
import { printSummary } from './summary';

const argv = process.argv.slice(2);
try {
  const options = parseArgs(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
  } else {
    const results = await runBench(options, {
      log: (line) => process.stdout.write(`${line}\n`),
      command: ['pnpm', 'bench', ...argv],
    });
    printSummary(results, process.stdout);
    const out = resolve(options.out);
    process.stdout.write(
      `\nwrote ${join(out, 'results.json')}\n      ${join(out, 'report.html')} (open it in a browser)\n      and the charts as ${join(out, '*.svg')}\n`,
    );
  }
} catch (error) {
  if (error instanceof CliError) {
    process.stderr.write(`pnpm bench: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof BenchSetupError) {
    process.stderr.write(`pnpm bench: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
