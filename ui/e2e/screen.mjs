// Screenshots taken from the X server rather than through WebDriver: Xvfb keeps its screen in an
// XWD file (`-fbdir`), read here and written as a PNG. WebKitWebDriver's screenshot command can
// wait forever for a paint under Xvfb; the frame buffer is always there.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";

/** Writes the screen of the Xvfb whose `-fbdir` is `fbdir` to `out` as a PNG. */
export function screenShot(fbdir, out) {
  writeFileSync(out, xwdToPng(readFileSync(join(fbdir, "Xvfb_screen0"))));
}

/** A 24/32-bit TrueColor XWD image (Xvfb's frame buffer) as PNG bytes. */
export function xwdToPng(xwd) {
  const field = (i) => xwd.readUInt32BE(i * 4);
  const headerSize = field(0);
  const [width, height] = [field(4), field(5)];
  const lsb = field(7) === 0;
  const bpp = field(11);
  const stride = field(12);
  const redMask = field(14);
  const ncolors = field(19);
  if (field(1) !== 7 || bpp !== 32) {
    throw new Error(`unsupported XWD image (version ${field(1)}, ${bpp} bits per pixel)`);
  }
  const redShift = redMask === 0xff0000 ? 16 : 0;
  const blueShift = 16 - redShift;
  const pixels = headerSize + ncolors * 12;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const at = pixels + y * stride + x * 4;
      const px = lsb ? xwd.readUInt32LE(at) : xwd.readUInt32BE(at);
      raw[row + 1 + x * 3] = (px >> redShift) & 0xff;
      raw[row + 2 + x * 3] = (px >> 8) & 0xff;
      raw[row + 3 + x * 3] = (px >> blueShift) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
