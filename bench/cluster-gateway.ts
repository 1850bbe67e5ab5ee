// node --import tsx bench/cluster-gateway.ts <workers>: the gateway (src/main.ts, configured by
// the same environment) in several worker processes sharing one port through node:cluster.
// For the bench's additional multi-process figure only; DATABASE_URL must be set (each
// worker would otherwise start its own embedded PostgreSQL).
import cluster from 'node:cluster';

if (cluster.isPrimary) {
  if (!process.env.DATABASE_URL) throw new Error('cluster-gateway needs DATABASE_URL');
  const workers = Math.max(1, Number(process.argv[2] ?? 2));
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  cluster.on('exit', () => {
    if (!stopping) stop();
    if (Object.values(cluster.workers ?? {}).every((w) => !w || w.isDead())) process.exit(0);
  });
} else {
  await import('../src/main.js');
}
