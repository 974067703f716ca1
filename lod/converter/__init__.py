"""Records + mapping → quads: the plan turned into Python code (cached on
disk), the runtime that code calls, the N-Triples it writes, the converter,
and the worker pool for big inputs.
"""
