import { spawn, type ChildProcess } from 'node:child_process';

export interface ManagedProcess {
  name: string;
  stop(): Promise<void>;
}

const TSX = require.resolve('tsx/cjs');

/**
 * Runs one of the platform's TypeScript entry points as a child process, prefixing its
 * output with its name, and restarts it if it dies (a worker killed mid-step must come
 * back for its tenants to finish), giving up after repeated quick crashes.
 */
export function superviseProcess(name: string, entry: string, env: NodeJS.ProcessEnv, onGiveUp: (why: string) => void): ManagedProcess {
  let child: ChildProcess | undefined;
  let stopping = false;
  const crashes: number[] = [];

  const prefix = (data: Buffer, out: NodeJS.WriteStream) => {
    for (const line of data.toString('utf8').split('\n')) if (line.trim()) out.write(`${line.startsWith('[') ? '' : `[${name}] `}${line}\n`);
  };

  const start = () => {
    child = spawn(process.execPath, ['--require', TSX, entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => prefix(d, process.stdout));
    child.stderr?.on('data', (d: Buffer) => prefix(d, process.stderr));
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && crashes[0]! < now - 60_000) crashes.shift();
      if (crashes.length > 5) return onGiveUp(`${name} crashed ${crashes.length} times within a minute (last: ${signal ?? `exit ${code}`})`);
      console.error(`[launcher] ${name} exited (${signal ?? `code ${code}`}); restarting`);
      setTimeout(start, 1000);
    });
  };
  start();

  return {
    name,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
