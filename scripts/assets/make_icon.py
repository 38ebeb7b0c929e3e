#!/usr/bin/python3
"""Draws media/icon.png (128x128), the Marketplace icon: a bundle (box) holding four parts (scaler
bar chart, network nodes, weights grid, loss curve). Run: /usr/bin/python3 scripts/assets/make_icon.py"""
import os

from PIL import Image, ImageDraw

S = 4  # supersampling
W = 128 * S
img = Image.new("RGBA", (W, W), (0, 0, 0, 0))
d = ImageDraw.Draw(img)
d.rounded_rectangle([4 * S, 4 * S, 124 * S, 124 * S], radius=22 * S, fill=(30, 64, 120, 255))
d.rounded_rectangle([14 * S, 14 * S, 114 * S, 114 * S], radius=14 * S, outline=(255, 255, 255, 235), width=4 * S)
d.line([64 * S, 18 * S, 64 * S, 110 * S], fill=(255, 255, 255, 120), width=2 * S)
d.line([18 * S, 64 * S, 110 * S, 64 * S], fill=(255, 255, 255, 120), width=2 * S)
# scaler: bars (top left)
for i, h in enumerate([14, 26, 20, 32]):
    x = (24 + i * 9) * S
    d.rectangle([x, (56 - h) * S, x + 6 * S, 56 * S], fill=(255, 196, 61, 255))
# network: nodes and edges (top right)
pts_l = [(76, 28), (76, 48)]
pts_r = [(100, 22), (100, 38), (100, 54)]
for a in pts_l:
    for b in pts_r:
        d.line([a[0] * S, a[1] * S, b[0] * S, b[1] * S], fill=(160, 200, 255, 255), width=2 * S)
for x, y in pts_l + pts_r:
    d.ellipse([(x - 4) * S, (y - 4) * S, (x + 4) * S, (y + 4) * S], fill=(255, 255, 255, 255))
# weights: grid (bottom left)
for r in range(3):
    for c in range(4):
        shade = 120 + 40 * ((r * 3 + c) % 4)
        d.rectangle([(24 + c * 9) * S, (72 + r * 10) * S, (30 + c * 9) * S, (79 + r * 10) * S], fill=(shade, shade, 255, 255))
# log: falling loss curve (bottom right)
curve = [(72, 74), (78, 86), (84, 93), (92, 98), (100, 100), (106, 101)]
d.line([(x * S, y * S) for x, y in curve], fill=(120, 230, 140, 255), width=4 * S, joint="curve")
out = img.resize((128, 128), Image.LANCZOS)
here = os.path.dirname(os.path.abspath(__file__))
out.save(os.path.join(here, "..", "..", "media", "icon.png"))
