# Run by tests/debian/run.sh (case python_multiprocessing): worker processes
# (fork), pipes between them, and shared memory with a process-shared lock
# (a POSIX semaphore in /dev/shm).  Output must be deterministic.
import multiprocessing as mp
import os


def square(x):
    return x * x


def whoami(_):
    return os.getpid()


def bump(counter, n):
    for _ in range(n):
        with counter.get_lock():
            counter.value += 1


def produce(q, k):
    for i in range(50):
        q.put((k, i))
    q.put(None)


def child_exit(code):
    raise SystemExit(code)


if __name__ == "__main__":
    print("start method:", mp.get_start_method())
    with mp.Pool(4) as pool:
        squares = pool.map(square, range(100))
        print("Pool(4).map over 100 items: sum", sum(squares), "first", squares[:5], "last", squares[-1])
        print("imap_unordered, sorted:", sorted(pool.imap_unordered(square, range(10))))
        print("apply_async:", pool.apply_async(square, (12,)).get(timeout=30))
        pids = set(pool.map(whoami, range(40), chunksize=1))
        print("workers are other processes:", os.getpid() not in pids, "at most 4:", 1 <= len(pids) <= 4)

    counter = mp.Value("i", 0)
    procs = [mp.Process(target=bump, args=(counter, 2500)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("shared counter after 4 processes x 2500:", counter.value, "exit codes", [p.exitcode for p in procs])

    q = mp.Queue()
    producers = [mp.Process(target=produce, args=(q, k)) for k in range(3)]
    for p in producers:
        p.start()
    got, done = [], 0
    while done < 3:
        item = q.get(timeout=30)
        if item is None:
            done += 1
        else:
            got.append(item)
    for p in producers:
        p.join()
    print("queue: items", len(got), "per producer", [sum(1 for k, _ in got if k == j) for j in range(3)],
          "in order per producer", all([i for k, i in got if k == j] == list(range(50)) for j in range(3)))

    a, b = mp.Pipe()
    p = mp.Process(target=lambda c: (c.send(sum(range(1000))), c.close()), args=(b,))
    p.start()
    print("pipe from a child:", a.recv())
    p.join()

    arr = mp.Array("d", 5)
    def fill(arr):
        for i in range(len(arr)):
            arr[i] = i * 1.5
    p = mp.Process(target=fill, args=(arr,))
    p.start(); p.join()
    print("shared array:", list(arr))

    p = mp.Process(target=child_exit, args=(7,))
    p.start(); p.join()
    print("child exit code:", p.exitcode)
