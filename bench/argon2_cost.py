"""How long one Argon2id hash takes here, with the parameters pairgate uses."""

import statistics
import time

from argon2 import PasswordHasher

from gateway.services.passwords import _hasher

if __name__ == "__main__":
    hasher: PasswordHasher = _hasher
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        hasher.hash("correct horse battery staple")
        timings.append((time.perf_counter() - started) * 1000)
    print(f"Argon2id t={hasher.time_cost} m={hasher.memory_cost // 1024} MiB p={hasher.parallelism}: "
          f"median {statistics.median(timings):.1f} ms per hash (10 runs)")
