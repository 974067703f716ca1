"""Mapping files → frozen specs → the compiled plan: what each field becomes.
"""
