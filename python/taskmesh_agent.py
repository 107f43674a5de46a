"""A taskmesh agent in Python: handlers for task types, run by `taskmesh worker --exec "python3 agent.py"`.

Standard library only, Python 3.9+. It speaks the worker's line protocol (docs/exec-protocol.md): one JSON
object per line, tasks on stdin, results on stdout. What the handlers print() becomes `log` messages the
worker logs at info, a line each, so stdout stays the protocol's; stderr (tracebacks) it logs as warnings.

    from taskmesh_agent import Agent

    agent = Agent()

    @agent.handler("summarize")
    def summarize(task):              # or: async def summarize(task)
        return {"summary": task.payload["text"][:100]}

    agent.run()

A handler for tasks that are cheaper together (an embedding model) takes them in batches: the worker gathers
up to `max` of them, waiting at most `wait` seconds after the first, and the handler returns one result per
task, in order; an exception in a task's place fails that task alone.

    @agent.batch_handler("embed", max=100, wait=0.05)
    def embed(tasks):
        return model.embed([task.payload["text"] for task in tasks])
"""

import asyncio
import inspect
import io
import json
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

PROTOCOL_VERSION = 1
# the worker keeps no more of a log, progress or error text: a longer one only fills the line (one over 4 MiB fails its task)
MAX_TEXT_LENGTH = 16 * 1024

# the attempt a line names, when the line cannot be used: the worker writes "id" and "attempt" first
_FIRST_KIND = re.compile(r'"(task|cancel|batch)"\s*:')
_NAMED_ID = re.compile(r'"id"\s*:\s*"([^"\\]{1,512})"')
_NAMED_ATTEMPT = re.compile(r'"attempt"\s*:\s*([1-9][0-9]{0,8})\b')

__all__ = ["Agent", "Task", "UnrecoverableError", "PROTOCOL_VERSION"]


class UnrecoverableError(Exception):
    """Raise it from a handler to fail the task for good: it is not retried."""


class Task:
    """One attempt of a task, as the handler receives it."""

    def __init__(self, message, agent):
        self.id = message["id"]
        self.attempt = message["attempt"]
        self.type = message.get("type", "")
        self.description = message.get("description", "")
        self.difficulty = message.get("difficulty", 0)
        self.payload = message.get("payload")
        self.inputs = message.get("inputs") or {}
        self.worker = message.get("worker") or {}
        # when the attempt's time is up, in milliseconds since the epoch (None: no limit)
        self.deadline = message.get("deadline")
        # the run's W3C trace context when the worker traces (None otherwise): send it as the traceparent
        # header of the calls the task makes, and they join its trace
        self.traceparent = message.get("traceparent")
        self._cancelled = threading.Event()
        self._agent = agent

    @property
    def cancelled(self):
        """True once the attempt was cancelled or timed out: a long handler should look and stop."""
        return self._cancelled.is_set()

    def wait_cancelled(self, timeout=None):
        """Waits until the attempt is cancelled, or `timeout` seconds pass; returns whether it was."""
        return self._cancelled.wait(timeout)

    def progress(self, message):
        """Tells the worker how far the task is (it logs it)."""
        self._agent._send({"progress": {"id": self.id, "attempt": self.attempt, "message": str(message)[:MAX_TEXT_LENGTH]}})

    def log(self, message, level="info"):
        self._agent._send({"log": {"id": self.id, "attempt": self.attempt, "level": level, "message": str(message)[:MAX_TEXT_LENGTH]}})


class Agent:
    """Handlers by task type; `run()` announces them to the worker and serves tasks until stdin closes."""

    def __init__(self, max_concurrent=None, stdin=None, stdout=None):
        self._handlers = {}
        self._batches = {}
        self._max_concurrent = max_concurrent
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._lock = threading.Lock()
        self._running = {}
        # print() in a handler must not write into the protocol: each line it prints is a log message
        if stdout is None:
            sys.stdout = _PrintedLines(self)
        # a byte that is not UTF-8 must not end the reading: it becomes U+FFFD, and its line is refused like any other
        if stdin is None and hasattr(sys.stdin, "reconfigure"):
            sys.stdin.reconfigure(errors="replace")

    def handler(self, task_type):
        """Decorator: `@agent.handler("summarize")` over a function (sync or async) taking a Task."""
        def register(fn):
            self._handlers[task_type] = fn
            return fn
        return register

    def batch_handler(self, task_type, max=100, wait=0.05):  # noqa: A002 - the protocol's names
        """Decorator: `@agent.batch_handler("embed", max=100, wait=0.05)` over a function (sync or async) taking
        a list of Tasks, up to `max` gathered for at most `wait` seconds; it returns one output per task, in
        order, an exception in a task's place failing that task alone."""
        if not isinstance(max, int) or isinstance(max, bool) or not 1 <= max <= 10000:
            raise ValueError("batch_handler(%r): max must be a whole number from 1 to 10000" % task_type)
        if not isinstance(wait, (int, float)) or isinstance(wait, bool) or not 0 <= wait <= 60:
            raise ValueError("batch_handler(%r): wait must be a number of seconds from 0 to 60" % task_type)

        def register(fn):
            self._handlers[task_type] = fn
            self._batches[task_type] = {"max": max, "wait": wait}
            return fn
        return register

    def run(self):
        """Serves until the worker closes stdin and the running handlers have returned."""
        if not self._handlers:
            raise ValueError("no handlers: add one with @agent.handler(\"type\") before run()")
        ready = {"types": sorted(self._handlers)}
        if self._max_concurrent is not None:
            ready["max_concurrent"] = self._max_concurrent
        if self._batches:
            ready["batch"] = dict(self._batches)
        self._send({"ready": ready})
        asyncio.run(self._serve())

    async def _serve(self):
        loop = asyncio.get_running_loop()
        threads = ThreadPoolExecutor(max_workers=self._max_concurrent or 16)
        lines = asyncio.Queue()

        def read():
            try:
                for line in self._stdin:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
            except Exception as err:  # noqa: BLE001 - a stream that breaks is an end of input, said so
                loop.call_soon_threadsafe(self._log, "error", "reading from the worker failed: %s" % err)
            finally:
                loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read, daemon=True).start()
        while True:
            line = await lines.get()
            if line is None:
                break
            line = line.strip()
            if not line:
                continue
            try:
                self._receive(line, loop, threads)
            except Exception as err:  # noqa: BLE001 - no line may end the agent and what it runs
                self._refuse(line, "the agent could not handle a line from the worker (%s)" % (str(err) or type(err).__name__))
        # stdin closed: the worker has drained (or is gone); let what still runs finish, then leave
        running = [job for _, job in list(self._running.values())]
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        threads.shutdown(wait=False)

    def _receive(self, line, loop, threads):
        try:
            message = json.loads(line)
        except RecursionError:
            return self._refuse(line, "the worker sent a line nested deeper than Python decodes")
        except ValueError:
            return self._refuse(line, "the worker sent a line that is not JSON")
        if not isinstance(message, dict):
            return self._refuse(line, "the worker sent a line that is not a JSON object")
        if "task" in message:
            problem = _task_problem(message["task"])
            if problem is not None:
                return self._refuse(line, "the worker sent a task " + problem)
            task = Task(message["task"], self)
            key = (task.id, task.attempt)
            job = asyncio.ensure_future(self._run(task, loop, threads))
            self._running[key] = (task, job)
            job.add_done_callback(lambda _, key=key: self._running.pop(key, None))
        elif "batch" in message:
            self._receive_batch(message["batch"], line, loop, threads)
        elif "cancel" in message:
            body = message["cancel"]
            if not isinstance(body, dict) or _task_problem(body) is not None:
                return self._refuse(line, "the worker sent a cancel that names no attempt")
            entry = self._running.get((body["id"], body["attempt"]))
            if entry is not None:
                task, job = entry
                task._cancelled.set()
                # a batch goes on while some of its tasks are still wanted
                batch = getattr(job, "tasks", None)
                if batch is None or all(t.cancelled for t in batch):
                    job.cancel()
        else:
            self._log("warn", "the worker sent a message of no kind this agent knows: " + line[:120])

    def _receive_batch(self, body, line, loop, threads):
        """Tasks to run together: those that name no attempt are refused alone, the others go to the handler at once."""
        if not isinstance(body, dict) or not isinstance(body.get("tasks"), list):
            return self._log("error", "the worker sent a batch without a list of tasks: " + line[:120])
        tasks = []
        for item in body["tasks"]:
            problem = _task_problem(item)
            if problem is not None:
                self._refuse(json.dumps({"task": item}) if isinstance(item, dict) else line, "the worker sent a task " + problem)
            else:
                tasks.append(Task(item, self))
        if not tasks:
            return
        job = asyncio.ensure_future(self._run_batch(tasks, loop, threads))
        job.tasks = tasks
        for task in tasks:
            key = (task.id, task.attempt)
            self._running[key] = (task, job)
            job.add_done_callback(lambda _, key=key: self._running.pop(key, None))

    def _refuse(self, line, reason):
        """A line that cannot be used: an error for the task attempt it names, if it names one; else a log."""
        kind = _FIRST_KIND.search(line)
        named_id = _NAMED_ID.search(line)
        named_attempt = _NAMED_ATTEMPT.search(line)
        # a cancel that cannot be read is not the attempt's failure: the worker no longer waits for it
        if kind is not None and kind.group(1) == "task" and named_id and named_attempt:
            self._send({"error": {"id": named_id.group(1), "attempt": int(named_attempt.group(1)), "message": reason, "unrecoverable": False}})
        else:
            self._log("error", reason + ": " + line[:120])

    async def _run(self, task, loop, threads):
        # a task of a type taken in batches, sent alone: a batch of one
        if task.type in self._batches:
            return await self._run_batch([task], loop, threads)
        fn = self._handlers.get(task.type)
        try:
            if fn is None:
                raise UnrecoverableError("no handler for task type %r here (handlers: %s)" % (task.type, ", ".join(sorted(self._handlers))))
            if inspect.iscoroutinefunction(fn):
                output = await fn(task)
            else:
                output = await loop.run_in_executor(threads, fn, task)
        except asyncio.CancelledError:
            # cancelled by the worker: it no longer waits for an answer
            return
        except Exception as err:  # noqa: BLE001 - every failure of a handler is the task's
            return self._fail(task, err)
        self._answer(task, output)

    async def _run_batch(self, tasks, loop, threads):
        kind = tasks[0].type
        fn = self._handlers.get(kind)
        try:
            if fn is None or kind not in self._batches or any(t.type != kind for t in tasks):
                raise UnrecoverableError("no batch handler for task type %r here (batch handlers: %s)" % (kind, ", ".join(sorted(self._batches)) or "none"))
            if inspect.iscoroutinefunction(fn):
                outputs = await fn(tasks)
            else:
                outputs = await loop.run_in_executor(threads, fn, tasks)
            if not isinstance(outputs, (list, tuple)) or len(outputs) != len(tasks):
                raise ValueError("the batch handler returned %s for %d tasks: return one output per task, in order" % ("%d outputs" % len(outputs) if isinstance(outputs, (list, tuple)) else "no list", len(tasks)))
        except asyncio.CancelledError:
            return
        except Exception as err:  # noqa: BLE001 - a batch that fails fails each of its tasks
            for task in tasks:
                self._fail(task, err)
            return
        for task, output in zip(tasks, outputs):
            if isinstance(output, BaseException):
                self._fail(task, output)
            else:
                self._answer(task, output)

    def _answer(self, task, output):
        """A task's output, sent as its result when it can travel; otherwise the task fails for good."""
        if task.cancelled:
            return
        try:
            json.dumps(output, allow_nan=False)
        except (TypeError, ValueError) as err:
            return self._fail(task, UnrecoverableError("the handler's output is not JSON: %s" % err))
        except RecursionError:
            return self._fail(task, UnrecoverableError("the handler's output is nested too deep to encode (the worker takes at most 64 levels)"))
        self._send({"result": {"id": task.id, "attempt": task.attempt, "output": output}})

    def _fail(self, task, err):
        if task.cancelled:
            return
        message = (str(err) or type(err).__name__)[:MAX_TEXT_LENGTH]
        self._send({"error": {"id": task.id, "attempt": task.attempt, "message": message, "unrecoverable": isinstance(err, UnrecoverableError)}})

    def _log(self, level, message):
        self._send({"log": {"level": level, "message": message}})

    def _send(self, message):
        message = dict(message)
        message["v"] = PROTOCOL_VERSION
        line = json.dumps(message, separators=(",", ":"))
        with self._lock:
            self._stdout.write(line + "\n")
            self._stdout.flush()


class _PrintedLines(io.TextIOBase):
    """What print() writes, sent line by line as info `log` messages (each thread's lines kept apart)."""

    def __init__(self, agent):
        super().__init__()
        self._agent = agent
        self._pending = threading.local()

    def writable(self):
        return True

    def write(self, text):
        pending = getattr(self._pending, "text", "") + text
        *lines, rest = pending.split("\n")
        for line in lines:
            self._agent._log("info", line[:MAX_TEXT_LENGTH])
        # a line that never ends is sent once it is as long as the worker keeps
        while len(rest) >= MAX_TEXT_LENGTH:
            self._agent._log("info", rest[:MAX_TEXT_LENGTH])
            rest = rest[MAX_TEXT_LENGTH:]
        self._pending.text = rest
        return len(text)

    def flush(self):
        rest = getattr(self._pending, "text", "")
        if rest:
            self._pending.text = ""
            self._agent._log("info", rest)


def _task_problem(body):
    """Why a task (or cancel) body names no attempt the agent can run or answer, or None."""
    if not isinstance(body, dict):
        return "that is not an object"
    if not isinstance(body.get("id"), str) or body["id"] == "":
        return "without an id"
    attempt = body.get("attempt")
    if not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1:
        return "without an attempt number"
    return None
