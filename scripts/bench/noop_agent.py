"""A Python agent that does nothing: what the --exec bridge costs per task, and nothing else."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

from taskmesh_agent import Agent  # noqa: E402

agent = Agent(max_concurrent=64)


@agent.handler("simulate")
def noop(task):
    return None


agent.run()
