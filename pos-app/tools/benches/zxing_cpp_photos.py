#!/usr/bin/env python3
"""zxing-cpp on the same grey frames as `pos-scan-bench`, for a side-by-side count and time.

Usage: zxing_cpp_photos.py DIR   (DIR/SET/N.pgm with N.txt expected text, written by the bench)
Prints one line per set: SET<TAB>READ<TAB>IMAGES<TAB>MS_PER_IMAGE<TAB>MISREADS.
Needs `pip install zxing-cpp` (no numpy or Pillow: frames are read as raw PGM).
"""
import os
import sys
import time

import zxingcpp

FORMATS = (zxingcpp.BarcodeFormat.EAN13 | zxingcpp.BarcodeFormat.EAN8 | zxingcpp.BarcodeFormat.UPCA
           | zxingcpp.BarcodeFormat.UPCE | zxingcpp.BarcodeFormat.Code128 | zxingcpp.BarcodeFormat.QRCode)


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)  # P5, width, height, maxval, pixels
    w, h = int(parts[1]), int(parts[2])
    pixels = parts[4] if len(parts[4]) == w * h else data[len(data) - w * h:]
    return memoryview(pixels).cast("B", shape=(h, w))


def norm(text):
    t = text.replace("\r\n", "\n").rstrip("\r\n")
    if t.isdigit() and len(t) <= 14:
        return t.rjust(14, "0")
    return t


def main(root):
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if not os.path.isdir(d):
            continue
        frames = sorted(f for f in os.listdir(d) if f.endswith(".pgm"))
        read = misread = 0
        total = 0.0
        for f in frames:
            img = read_pgm(os.path.join(d, f))
            txt = os.path.join(d, f[:-4] + ".txt")
            # a set without texts holds no barcode: any read is wrong
            expected = None
            if os.path.exists(txt):
                with open(txt, encoding="utf-8") as t:
                    expected = norm(t.read())
            start = time.perf_counter()
            found = zxingcpp.read_barcodes(img, formats=FORMATS)
            total += time.perf_counter() - start
            texts = [norm(b.text) for b in found]
            if expected in texts:
                read += 1
            misread += sum(1 for t in texts if t != expected)
        ms = total * 1000 / max(1, len(frames))
        print(f"{name}\t{read}\t{len(frames)}\t{ms:.2f}\t{misread}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench/scan")
