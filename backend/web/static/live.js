// The live connection: one Socket.IO socket, in the room of the shown department. After every
// (re)connect it joins the room again and `onJoined` catches up on what happened meanwhile.
// The protocol (backend/realtime.py): the token as the auth payload, `join_department` /
// `leave_department` acknowledged with {ok}, then event_* and department_* broadcasts.

import { io } from "/page/vendor/socket.io.esm.min.js";
import { getToken } from "./api.js";

const EVENT_NAMES = ["event_created", "event_updated", "event_deleted"];
const SERVER_DROP_RETRY_MS = 1000;
const DEPARTMENT_NAMES = ["department_created", "department_updated", "department_deleted"];
const COMPANY_DAY_NAMES = ["company_day_added", "company_day_removed"]; // to every socket
// A server that holds all the connections it may (503) or all of this address's (429) refuses a
// new one at the handshake (backend/realtime_admission.py). socket.io then retries by itself, with
// its exponential backoff (jitter 0.5) between the delays below: longer while the server is full.
const FULL_STATUSES = { 503: "server_full", 429: "too_many_sockets" };
const RETRY_DELAYS_MS = [500, 3000];
const FULL_RETRY_DELAYS_MS = [2000, 60000];

export class Live {
  // handlers: onStatus(up: boolean, problem?), onEvent(name, payload), onDepartment(name, payload),
  // onJoined(departmentId), onCompanyDay(name, payload), onReconnect()
  constructor(handlers) {
    this.handlers = handlers;
    this.room = null;
    this.joined = null; // the department whose room the socket is in now
    this.socket = io({
      auth: (send) => send(getToken() ? { token: getToken() } : {}),
      reconnectionDelay: RETRY_DELAYS_MS[0],
      reconnectionDelayMax: RETRY_DELAYS_MS[1],
    });
    // "Up" once the socket is in the department's room: only then does every change reach it.
    this.socket.on("connect", () => {
      if (this.connectedBefore) handlers.onReconnect(); // broadcasts to every socket may have been missed
      this.connectedBefore = true;
      this.retryBetween(RETRY_DELAYS_MS);
      if (!this.room) handlers.onStatus(true);
      this.join();
    });
    this.socket.on("disconnect", (reason) => {
      this.joined = null;
      handlers.onStatus(false);
      // The server let go of the socket (its token revoked, say): socket.io does not reconnect by
      // itself then; one try says why (a refused token comes back as connect_error).
      if (reason === "io server disconnect") setTimeout(() => this.socket.connect(), SERVER_DROP_RETRY_MS);
    });
    this.socket.on("connect_error", (error) => {
      const full = FULL_STATUSES[error.description]; // a polling handshake's HTTP status
      this.retryBetween(full ? FULL_RETRY_DELAYS_MS : RETRY_DELAYS_MS);
      handlers.onStatus(false, full ? { error: full } : error.data || null);
    });
    for (const name of EVENT_NAMES) this.socket.on(name, (payload) => handlers.onEvent(name, payload));
    for (const name of DEPARTMENT_NAMES) this.socket.on(name, (payload) => handlers.onDepartment(name, payload));
    for (const name of COMPANY_DAY_NAMES) this.socket.on(name, (payload) => handlers.onCompanyDay(name, payload));
  }

  retryBetween([first, most]) {
    this.socket.io.reconnectionDelay(first);
    this.socket.io.reconnectionDelayMax(most);
  }

  // Listen to this department (null: none) instead of the one before.
  follow(departmentId) {
    if (this.room && this.room !== departmentId && this.socket.connected) {
      this.socket.emit("leave_department", { department_id: this.room });
    }
    this.room = departmentId;
    this.joined = null;
    this.join();
  }

  join() {
    const departmentId = this.room;
    if (!departmentId || !this.socket.connected) return;
    this.socket.emit("join_department", { department_id: departmentId }, (ack) => {
      if (departmentId !== this.room) return;
      if (ack && ack.ok) {
        this.joined = departmentId;
        this.handlers.onStatus(true);
        this.handlers.onJoined(departmentId);
      } else {
        this.handlers.onStatus(false, ack);
      }
    });
  }

  close() {
    this.socket.disconnect();
  }
}
