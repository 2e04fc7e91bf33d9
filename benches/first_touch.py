#!/usr/bin/env python3
"""How fast this machine backs memory touched for the first time, against memory reused.

On a virtual machine that returns freed memory to its host (free page reporting), the
first touch of such memory is far slower than the touch of memory just freed and reused,
and `cartpk nca`'s wall time varies with it (docs/benchmarks.md, issue 15).

usage: python3 benches/first_touch.py [MB=256]
"""
import mmap
import sys
import time


def touch(n, huge):
    m = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if huge:
        m.madvise(mmap.MADV_HUGEPAGE)
    t = time.perf_counter()
    for i in range(0, n, 4096):
        m[i] = 1
    first = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(0, n, 4096):
        m[i] = 2
    again = time.perf_counter() - t
    m.close()
    return first, again


def main():
    n = int(sys.argv[1]) << 20 if len(sys.argv) > 1 else 256 << 20
    for huge in (True, False, True, False):
        first, again = touch(n, huge)
        pages = "huge pages" if huge else "4 KiB pages"
        print(f"{pages}: first touch {first * 1e3:.0f} ms ({n / first / 1e9:.2f} GB/s), "
              f"touched again {again * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
