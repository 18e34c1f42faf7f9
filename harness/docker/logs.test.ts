import { describe, expect, test } from "vitest";
import { demuxLogs } from "./logs.ts";

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe("demuxLogs", () => {
  test("joins Docker's stdout and stderr frames in order", () => {
    expect(demuxLogs(Buffer.concat([frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, "out 2\n")]))).toBe("out 1\nerr 1\nout 2\n");
  });
  test("passes TTY output through", () => {
    expect(demuxLogs(Buffer.from("plain text\n"))).toBe("plain text\n");
  });
});
