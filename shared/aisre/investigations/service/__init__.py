"""The investigations' use cases: the state machine's steps, gathering, the agent, the HolmesGPT engine, similar
incidents, evaluation.
"""
