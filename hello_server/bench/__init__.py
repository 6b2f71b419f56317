"""The Hello World N benchmark: ``python -m hello_server.bench [--quick]``.

See docs/hello_server.md.
"""
