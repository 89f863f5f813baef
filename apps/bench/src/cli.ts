/**
 * `pnpm bench` — see USAGE. Prints progress while running and a summary table at the end;
 * exits non-zero when a suite fails.
 */
import { runBench } from './bench';
import { CliError, parseArgs, USAGE } from './cli-args';
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
    process.stdout.write(`\nwrote ${options.out}/results.json, ${options.out}/report.html and the charts as SVG\n`);
  }
} catch (error) {
  if (error instanceof CliError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  else
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
