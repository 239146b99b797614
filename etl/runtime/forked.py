"""Pure CPU work split across forked child processes that inherit its inputs.

A run commits after parsing, when the spaCy children have exited and the other cores are idle.
The commit's largest part, scoring a first run's candidate event pairs (about two million on
2,000 documents), is pure Python over data already in memory: a forked child inherits that
data without pickling it, computes one slice, and sends back only its result. The caller gets
what computing every slice in its own process gives.

A child maps every page its parent holds, so before forking the parent gives the C heap's free
pages back to the system (``return_free_memory``: what a run's freed Docs and rows left behind)
and freezes its objects out of the garbage collector, whose passes in a child would otherwise
write to (and so copy) every page holding a tracked object.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

Slice = TypeVar("Slice")
Result = TypeVar("Result")

# What the children inherit: the function and the slices (set only while map_forked runs).
_inherited: tuple[Callable, Sequence] | None = None


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's ``malloc_trim``, or None (another C library, or none found)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def return_free_memory() -> None:
    """Give the free pages of the C heap (every thread's arena) back to the system.

    CPython frees large objects to the C heap, which keeps their pages: after a run's batches
    (their Docs and rows freed by two threads, in two arenas) the process holds much memory it
    no longer uses, and a forked child would map it all too.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _can_fork() -> bool:
    """Whether this process may fork children: fork is available and this process is no
    daemon (a multiprocessing worker may not have children)."""
    forking = "fork" in multiprocessing.get_all_start_methods()
    return forking and not multiprocessing.current_process().daemon


def _run_inherited(index: int):
    """In a child: the inherited function on the inherited slice ``index``."""
    function, slices = _inherited
    return function(slices[index])


def map_forked(
    function: Callable[[Slice], Result], slices: Sequence[Slice], processes: int
) -> list[Result]:
    """``[function(s) for s in slices]``: the first slice in this process while up to
    ``processes - 1`` forked children compute the others (results are pickled back, inputs are
    inherited). In this process alone where fork is unavailable (or this process is a daemon)
    or one process is asked for.

    ``function`` must be pure: a child's side effects stay in the child. A child that dies
    (killed for memory, say) raises ``BrokenProcessPool`` here instead of hanging.
    """
    global _inherited
    if processes <= 1 or len(slices) <= 1 or not _can_fork():
        return [function(one) for one in slices]
    _inherited = (function, slices)
    return_free_memory()
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        workers = min(processes, len(slices)) - 1
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            pending = [pool.submit(_run_inherited, index) for index in range(1, len(slices))]
            first = function(slices[0])
            return [first, *(future.result() for future in pending)]
    finally:
        gc.unfreeze()
        _inherited = None


def _second_step_in_child(first_step, second_step, part, connection) -> None:
    """In a child: the first step on ``part``, its message sent, then the second step on what
    the parent sends back; an exception is sent instead of a result."""
    try:
        state, message = first_step(part)
        connection.send((True, message))
        shared = connection.recv()
        connection.send((True, second_step(state, shared)))
    except BaseException as error:  # the parent raises it
        connection.send((False, error))
    finally:
        connection.close()


def map_forked_in_two_steps(
    first_step: Callable[[Slice], tuple[object, object]],
    between: Callable[[list], object],
    second_step: Callable[[object, object], Result],
    slices: Sequence[Slice],
    processes: int,
) -> list[Result]:
    """``[second_step(state_s, shared) for each slice s]``, where ``first_step(s)`` gives
    (state_s, message_s) and ``shared = between([message_s for each s])``: work whose second
    half needs what every slice's first half found (entity resolution groups each document,
    then maps its groups by the person names of all of them). Each slice's state stays in the
    process that made it (only the messages, ``shared`` and the results are pickled); the first
    slice in this process, the others in up to ``processes - 1`` forked children, as
    ``map_forked``. ``between`` runs here, and may use what this process holds (a connection).
    """
    if processes <= 1 or len(slices) <= 1 or not _can_fork():
        firsts = [first_step(one) for one in slices]
        shared = between([message for _, message in firsts])
        return [second_step(state, shared) for state, _ in firsts]
    return_free_memory()
    gc.freeze()
    children = []
    try:
        for part in slices[1:]:
            children.append(_forked_child(_second_step_in_child, first_step, second_step, part))
        state, message = first_step(slices[0])
        messages = [message, *(_received(here) for _, here in children)]
        shared = between(messages)
        for _, here in children:
            here.send(shared)
        first = second_step(state, shared)
        del state
        return [first, *(_received(here) for _, here in children)]
    finally:
        gc.unfreeze()
        _stop(children)


def _forked_child(target: Callable, *args) -> tuple:
    """A forked child running ``target(*args, connection)``, and this end of its pipe."""
    context = multiprocessing.get_context("fork")
    here, there = context.Pipe()
    child = context.Process(target=target, args=(*args, there))
    child.start()
    there.close()
    return child, here


def _received(connection):
    """What a child sent, or its exception raised here (one that died: ``ChildProcessError``)."""
    try:
        ok, value = connection.recv()
    except EOFError:
        raise ChildProcessError("a forked child ended without its result") from None
    if not ok:
        raise value
    return value


def _send_result(function, part, connection) -> None:
    """In a child: ``function(part)`` sent back, or the exception it raised."""
    try:
        connection.send((True, function(part)))
    except BaseException as error:  # the parent raises it
        connection.send((False, error))
    finally:
        connection.close()


@contextmanager
def forked_in_background(
    function: Callable[[Slice], Result], slices: Sequence[Slice], processes: int
) -> Iterator[Callable[[], list[Result]]]:
    """``[function(s) for s in slices]`` computed in forked children (one a slice) while the
    block runs here; the block gets a function that waits for the results and returns them in
    order. With one process asked for (or no fork), that function computes them itself.
    Children still running when the block ends (an error) are stopped."""
    if processes <= 1 or not slices or not _can_fork():
        yield lambda: [function(one) for one in slices]
        return
    return_free_memory()
    gc.freeze()
    children = []
    try:
        for part in slices:
            children.append(_forked_child(_send_result, function, part))
    except BaseException:
        _stop(children)
        raise
    finally:
        gc.unfreeze()  # the children are forked: this process's collector may run again
    try:
        yield lambda: [_received(here) for _, here in children]
    finally:
        _stop(children)


def _stop(children: list) -> None:
    """Close the pipes to forked children and wait for them (stopping any still running)."""
    for child, here in children:
        here.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
            child.join()
