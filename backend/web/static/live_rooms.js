// One socket in several department rooms: the chosen department's (Live) and those shown beside it
// (several_departments.js). The server lets a socket join up to SOCKETIO_MAX_ROOMS_PER_SOCKET rooms
// with the same `join_department` as one; each join acknowledged calls onJoined(id), so after a
// reconnect every department catches up on its own.

import { Live } from "./live.js";

export class LiveRooms extends Live {
  constructor(handlers) {
    super(handlers);
    this.also = new Set(); // the rooms besides the chosen department's
  }

  // Every room after a (re)connect: the chosen department's, then the others.
  join() {
    super.join();
    for (const id of this.also) this.joinAlso(id);
  }

  // The chosen department changed: the room before stays when it is shown beside the new one.
  follow(departmentId) {
    const before = this.room;
    super.follow(departmentId);
    if (before && before !== departmentId && this.also.has(before)) this.joinAlso(before);
  }

  // Be in these rooms besides the chosen department's (and leave the others).
  followAlso(ids) {
    const wanted = new Set(ids.filter((id) => id !== this.room));
    for (const id of this.also) {
      if (!wanted.has(id) && id !== this.room && this.socket.connected) this.socket.emit("leave_department", { department_id: id });
    }
    const added = [...wanted].filter((id) => !this.also.has(id));
    this.also = wanted;
    for (const id of added) this.joinAlso(id);
  }

  joinAlso(id) {
    if (!this.socket.connected) return;
    this.socket.emit("join_department", { department_id: id }, (ack) => {
      if (ack && ack.ok && this.also.has(id)) this.handlers.onJoined(id);
    });
  }
}
