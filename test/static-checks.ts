// `npm test`'s first step: the typecheck and lint scripts of package.json, side by side. Each
// is a single-threaded process of about the same length, so on two cores running them at once
// takes the time of the longer one. Each one's output is printed whole when it ends (never
// interleaved), and the step fails when either does. Run through npm, which puts
// node_modules/.bin (tsc, eslint, Node 24) first on the PATH.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

function run(name: string): Promise<number> {
  const command = scripts[name];
  if (command === undefined) throw new Error(`package.json has no "${name}" script`);
  return new Promise((resolve) => {
    const child = spawn(command, { cwd: root, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code) => {
      process.stdout.write(`> ${name}: ${command}\n`);
      process.stdout.write(Buffer.concat(output));
      if (code !== 0) process.stdout.write(`${name} failed (exit ${code ?? 'by a signal'})\n`);
      resolve(code ?? 1);
    });
  });
}

const codes = await Promise.all(['typecheck', 'lint'].map(run));
process.exitCode = codes.some((code) => code !== 0) ? 1 : 0;
