#!/usr/bin/env python3
"""Reads pgbench per-transaction log files (--log) and prints the p99 latency
in milliseconds over all of them. Column 3 is the latency in microseconds."""
import sys

lat = []
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                lat.append(int(parts[2]))
if not lat:
    print("nan")
else:
    lat.sort()
    print("%.3f" % (lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1000.0))
