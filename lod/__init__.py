"""lod: publish research-study metadata as DCAT-AP 3 and schema.org linked open data."""

__version__ = "0.1.0"
