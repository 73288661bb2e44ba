#!/usr/bin/env python3
# Checks one `boardc map --format svg` picture, as tests/boardc/svg-render.sh
# runs it:
#   metric   every text's extent, from the font's metric (DejaVu Sans Mono:
#            1233/2048 em a character, ascent 0.928 em, descent 0.236 em),
#            lies inside the box its data-box names and inside the picture,
#            and no two texts overlap
#   render   rsvg-convert's PNG of the picture is the same, pixel for pixel,
#            as that of a copy with every text clipped to its extent: no
#            glyph is drawn outside it (so none outside its box)
#   size     the PNG is at most MAX_W x MAX_H pixels
#
# usage: svg-check.py SVG MAX_W MAX_H SCRATCH-DIR [--no-render]
# Prints PASS/FAIL lines named <check>; exit status 0 unless it could not run.
import math
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

ADVANCE = 1233 / 2048
ASCENT = 0.928
DESCENT = 0.236
NS = "{http://www.w3.org/2000/svg}"


def extent(t):
    """The text's box from the metric: (left, top, right, bottom)."""
    x = float(t.get("x"))
    y = float(t.get("y"))
    size = float(t.get("font-size"))
    text = t.text or ""
    w = math.ceil(len(text) * size * ADVANCE)
    if t.get("text-anchor") == "end":
        x -= w
    return (x, y - ASCENT * size, x + w, y + DESCENT * size)


def inside(a, b):
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_metric(texts, width, height):
    bad = []
    canvas = (0, 0, width, height)
    ext = []
    for t in texts:
        e = extent(t)
        ext.append(e)
        box = [float(v) for v in t.get("data-box", "").split()]
        if len(box) != 4:
            bad.append("'%s' has no data-box" % t.text)
            continue
        box = (box[0], box[1], box[0] + box[2], box[1] + box[3])
        if not inside(e, box):
            bad.append("'%s' (%.0f,%.0f-%.0f,%.0f) leaves its box "
                       "(%.0f,%.0f-%.0f,%.0f)" % ((t.text,) + e + box))
        if not inside(box, canvas):
            bad.append("the box of '%s' leaves the picture" % t.text)
    order = sorted(range(len(texts)), key=lambda i: ext[i][1])
    for n, i in enumerate(order):
        for j in order[n + 1:]:
            if ext[j][1] >= ext[i][3]:
                break
            if overlap(ext[i], ext[j]):
                bad.append("'%s' overlaps '%s'" % (texts[i].text,
                                                   texts[j].text))
    return bad


def png_read(path):
    """(width, height, bytes a pixel, raw rows) of an 8-bit RGB(A) PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s is not a PNG" % path)
    pos, idat, w, h, bpp = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4}.get(color, 0) if depth == 8 else 0
            if not bpp or body[12]:
                raise ValueError("%s: not 8-bit RGB(A), non-interlaced"
                                 % path)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    return w, h, bpp, zlib.decompress(idat)


def unfilter(w, h, bpp, raw):
    """The pixels' bytes, row by row (PNG filters undone)."""
    stride = bpp * w
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(h):
        f = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return rows


def render(svg, png):
    r = subprocess.run(["rsvg-convert", "-o", png, svg],
                       stderr=subprocess.PIPE, text=True)
    if r.returncode:
        raise RuntimeError("rsvg-convert %s: %s" % (svg, r.stderr.strip()))


def clipped_copy(source, texts, path):
    """The picture with every text clipped to its extent (1 px more)."""
    defs = []
    for n, t in enumerate(texts):
        e = extent(t)
        defs.append('<clipPath id="check%d"><rect x="%.2f" y="%.2f" '
                    'width="%.2f" height="%.2f"/></clipPath>'
                    % (n, e[0] - 1, e[1] - 1, e[2] - e[0] + 2,
                       e[3] - e[1] + 2))
    count = iter(range(len(texts)))
    body = re.sub(r"<text ", lambda m: '<text clip-path="url(#check%d)" '
                  % next(count), source)
    head = body.index(">", body.index("<svg")) + 1
    body = body[:head] + "\n<defs>" + "".join(defs) + "</defs>" + body[head:]
    open(path, "w").write(body)


def check_render(svg, texts, scratch):
    plain = os.path.join(scratch, "plain.png")
    clip_svg = os.path.join(scratch, "clipped.svg")
    clipped = os.path.join(scratch, "clipped.png")
    render(svg, plain)
    clipped_copy(open(svg).read(), texts, clip_svg)
    render(clip_svg, clipped)
    w, h, bpp, a = png_read(plain)
    w2, h2, _, b = png_read(clipped)
    if (w, h) != (w2, h2):
        return ["the clipped copy renders %dx%d, not %dx%d" % (w2, h2, w, h)]
    if a == b:
        return []
    ra, rb = unfilter(w, h, bpp, a), unfilter(w, h, bpp, b)
    for y in range(h):
        if ra[y] == rb[y]:
            continue
        x = next(i for i in range(bpp * w) if ra[y][i] != rb[y][i]) // bpp
        near = min(texts, key=lambda t: dist(extent(t), x, y))
        return ["pixel (%d,%d) is drawn outside every text's extent; "
                "nearest text '%s'" % (x, y, near.text)]
    return []


def dist(e, x, y):
    dx = max(e[0] - x, 0, x - e[2])
    dy = max(e[1] - y, 0, y - e[3])
    return dx * dx + dy * dy


def report(name, bad):
    if bad:
        print("FAIL %s: %s%s" % (name, "; ".join(bad[:3]),
                                 " (and %d more)" % (len(bad) - 3)
                                 if len(bad) > 3 else ""))
    else:
        print("PASS %s" % name)


def main():
    svg, max_w, max_h, scratch = sys.argv[1:5]
    no_render = "--no-render" in sys.argv[5:]
    root = ET.parse(svg).getroot()
    width, height = float(root.get("width")), float(root.get("height"))
    texts = list(root.iter(NS + "text"))
    report("metric", check_metric(texts, width, height) if texts
           else ["no text at all"])
    if no_render:
        return
    report("render", check_render(svg, texts, scratch))
    w, h, _, _ = png_read(os.path.join(scratch, "plain.png"))
    report("size", [] if w <= int(max_w) and h <= int(max_h) else
           ["%dx%d px, more than %sx%s" % (w, h, max_w, max_h)])


if __name__ == "__main__":
    main()
