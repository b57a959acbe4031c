import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { WorkerRecord } from '../store/store-types';

/**
 * Which processes can see each other's process ids: on Linux, the same boot of the same machine and
 * the same PID namespace (containers sharing a host name have different namespaces). Elsewhere ''
 * (no namespace to tell them apart by, so no process-id check: a dead worker there is known by its
 * silence alone).
 */
export function hostIdentity(): string {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const namespace = readlinkSync('/proc/self/ns/pid');
    return `${hostname()}/${boot}/${namespace}`;
  } catch {
    return '';
  }
}

/** Whether a process with this id runs (one owned by another user counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The registered workers that are certainly gone, so their leases can end now rather than when they
 * run out: those on this host (see hostIdentity) whose process id no process has, or has become this
 * process's own; and anywhere, those silent for longer than their lease (every lease they held has
 * run out by then, so releasing them only tidies the table).
 */
export function deadWorkers(
  workers: readonly WorkerRecord[],
  self: { id: string; host: string; pid: number },
  now: Date,
  isAlive: (pid: number) => boolean = processAlive,
): WorkerRecord[] {
  return workers.filter((worker) => {
    if (worker.id === self.id) return false;
    if (Date.parse(worker.heartbeatAt) + worker.leaseMs < now.getTime()) return true;
    if (self.host === '' || worker.host !== self.host) return false;
    return worker.pid === self.pid || !isAlive(worker.pid);
  });
}
