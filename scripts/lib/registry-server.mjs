// A Verdaccio registry in its own process: started by local-registry.mjs with the config file as its
// argument and the port to listen on (0: any free one), it reports the port it got over IPC.
import { runServer } from 'verdaccio';

const [configFile, port] = process.argv.slice(2);
const server = await runServer(configFile);
server.listen(Number(port), '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// Never outlive the process that started it.
process.on('disconnect', () => process.exit(0));
