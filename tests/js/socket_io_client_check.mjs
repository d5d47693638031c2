// Browser's client, under Node: socket.io-client v4 joins a department room and prints, one JSON
// object a line, the join ack and then the first `event_created` it receives.
// Usage: node tests/js/socket_io_client_check.mjs <server url> <department id> <token>
// (the token goes in socket.io's `auth` payload, as a browser sends it)
import { createRequire } from "node:module";
import { io } from "socket.io-client";

const require = createRequire(import.meta.url);
const { version } = require("socket.io-client/package.json");
const [url, departmentId, token] = process.argv.slice(2);

const timer = setTimeout(() => {
  console.error("timed out waiting for the server");
  process.exit(2);
}, 20000);

const socket = io(url, { transports: ["websocket"], reconnection: false, auth: { token } });

socket.on("connect_error", (err) => {
  console.error(`connect_error: ${err.message}`);
  process.exit(1);
});

socket.on("event_created", (event) => {
  console.log(JSON.stringify({ event_created: event }));
  clearTimeout(timer);
  socket.close();
});

socket.on("connect", async () => {
  const ack = await socket.timeout(10000).emitWithAck("join_department", { department_id: departmentId });
  console.log(JSON.stringify({ ack, transport: socket.io.engine.transport.name, version }));
});
