/**
 * A back office for the encryption tests: a real HTTP server on 127.0.0.1 that records every
 * transaction the `@acme/lgx-adapter-records` fixture posts to it, and refuses contacts with an error
 * text that repeats the person's name and email (as careless vendors' errors do).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Envelope } from '@lgx/core';

export async function startRecords() {
  const received: Envelope[] = [];
  /** References of the records erased (DELETE <url>/<reference>). */
  const erased: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'DELETE') {
      const ref = decodeURIComponent(req.url!.split('/').pop()!);
      const held = received.some((_, i) => `R-${i + 1}` === ref) && !erased.includes(ref);
      if (held) erased.push(ref);
      res.writeHead(held ? 204 : 404).end();
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const tx = JSON.parse(body) as Envelope;
      received.push(tx);
      if (tx.type === 'crm.contact') {
        const person = (tx.data as { person: { givenName: string; familyName: string; email: string } }).person;
        res.writeHead(400).end(`contact ${person.givenName} ${person.familyName} <${person.email}> already exists`);
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `R-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/records`,
    received,
    erased,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A URL nothing listens on: deliveries there fail as retryable and stay queued. */
export async function closedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/offline`;
}

/**
 * A folder inside the repository with the fixture adapter installed under node_modules, so it finds
 * @lgx/core the way an installed package would. Pass it to openStack as `resolveFrom`.
 */
export function installRecordsAdapter(testDir: string, prefix: string): string {
  const root = fs.mkdtempSync(path.join(testDir, prefix));
  fs.cpSync(
    path.join(testDir, 'fixtures', 'adapter-packages', 'lgx-adapter-records'),
    path.join(root, 'node_modules', '@acme', 'lgx-adapter-records'),
    {
      recursive: true,
    },
  );
  return root;
}
