import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** `npm start` as a user runs it: its own process group, signals sent to the npm pid only. */
export interface NpmStart {
  child: ChildProcess;
  pid: number;
  /** Resolves when npm has exited (and its output pipes closed). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** The JSON log lines the gateway wrote (npm's own lines left out). */
  logLines(): Record<string, unknown>[];
  /** Waits for GET /ready = 200, or rejects with the output when npm exits first. */
  ready(port: number): Promise<void>;
  /** Last resort for a test that failed half-way: SIGKILL the whole group. */
  killGroup(): void;
}

export function npmStart(cwd: string, env: Record<string, string>): NpmStart {
  const child = spawn('npm', ['start'], {
    cwd,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  const logLines = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    child,
    pid: child.pid ?? 0,
    exited,
    output: () => output,
    logLines,
    async ready(port: number) {
      for (;;) {
        if (done) throw new Error(`npm start exited before it was ready:\n${output}`);
        const status = await fetch(`http://127.0.0.1:${port}/ready`).then(
          (response) => response.status,
          () => 0,
        );
        if (status === 200) return;
        await sleep(100);
      }
    },
    killGroup() {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Pids of live processes whose command line mentions `text` (e.g. a data folder). */
export async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').join(' ').includes(text)) pids.push(Number(entry));
  }
  return pids;
}
