"""Step one of a mixed workflow: a Python task whose output feeds a JavaScript task (see README, "Agents in
any language").

    taskmesh worker --admin MA --name py --skill 5 --exec "python3 examples/python/summarize_agent.py"
"""

import asyncio
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

from taskmesh_agent import Agent, UnrecoverableError  # noqa: E402

agent = Agent()


@agent.handler("summarize")
async def summarize(task):
    text = (task.payload or {}).get("text")
    if not isinstance(text, str):
        raise UnrecoverableError("payload.text must be a string")
    task.progress("summarizing %d characters" % len(text))
    await asyncio.sleep(0)
    words = text.split()
    return {"summary": " ".join(words[:12]), "words": len(words)}


agent.run()
