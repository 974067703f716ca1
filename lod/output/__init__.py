"""RDF out: the syntaxes and their media types, serialization, and output files
written atomically.
"""
