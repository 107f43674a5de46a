"""The tutorial's worker as a Python agent: a task succeeds when the worker's skill covers its difficulty.

    taskmesh worker --admin MA --name Senior --skill 9 --exec "python3 examples/python/tutorial_agent.py"
"""

import os
import sys
import time

# the helper ships in the package's python/ directory (or put it on PYTHONPATH)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

from taskmesh_agent import Agent  # noqa: E402

agent = Agent(max_concurrent=4)


@agent.handler("simulate")
def simulate(task):
    payload = task.payload if isinstance(task.payload, dict) else {}
    # a cancelled or timed-out attempt stops waiting at once
    task.wait_cancelled(payload.get("durationMs", 300) / 1000)
    skill = task.worker.get("skill", 0)
    if skill < task.difficulty:
        raise Exception("%s's skill %s is below the task's difficulty %s" % (task.worker.get("name"), skill, task.difficulty))
    return {"worker": task.worker.get("name"), "skill": skill, "difficulty": task.difficulty, "result": "completed", "language": "python"}


agent.run()
