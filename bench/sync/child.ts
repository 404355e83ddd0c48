import { fork, type ChildProcess } from 'node:child_process';

/**
 * Benchmark servers run in their own process (like a real clinic server), so that the
 * workstation side and the server do not share one event loop. The parent calls the child's
 * handlers by name over the IPC channel: `await child.call('start', params)`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handlers = Record<string, (params: any) => Promise<unknown>>;

type Request = { id: number; method: string; params: unknown };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Child side: answer the parent's calls until it disconnects. */
export function serveParent(handlers: Handlers): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('this module must be started by startChild()');
  process.on('message', (message: Request) => {
    const handler = handlers[message.method];
    const reply = (answer: Reply) => send(answer);
    if (!handler) {
      reply({ id: message.id, ok: false, error: `no handler ${message.method}` });
      return;
    }
    handler(message.params).then(
      (result) => reply({ id: message.id, ok: true, result: result ?? null }),
      (error: unknown) =>
        reply({
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

export interface Child<H extends Handlers> {
  readonly pid: number;
  call<K extends keyof H & string>(method: K, params: Parameters<H[K]>[0]): Promise<Awaited<ReturnType<H[K]>>>;
  /** Disconnect and wait for the process to exit (killing it after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export interface StartChildOptions {
  /** Extra node flags for the child, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeFlags?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Start `file` (TypeScript, through tsx) as a child process speaking `serveParent`. */
export function startChild<H extends Handlers>(file: string, options: StartChildOptions = {}): Child<H> {
  const proc: ChildProcess = fork(file, [], {
    execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  });
  if (proc.pid === undefined) throw new Error(`could not start ${file}`);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    proc.once('exit', (code, signal) => {
      exited = true;
      for (const { reject } of pending.values()) reject(new Error(`${file} exited (${code ?? signal})`));
      pending.clear();
      resolve();
    });
  });
  proc.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(`${file}: ${reply.error}`));
  });
  return {
    pid: proc.pid,
    call(method, params) {
      if (exited) return Promise.reject(new Error(`${file} is not running`));
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        proc.send({ id, method, params } satisfies Request);
      });
    },
    async stop(graceMs = 20_000) {
      if (exited) return;
      if (proc.connected) proc.disconnect();
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}
