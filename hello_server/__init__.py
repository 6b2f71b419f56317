"""Hello World N: a TCP server that answers every line with ``Hello World<N>``.

N is the client's number: one per accepted connection, never repeated (see docs/hello_server.md).
"""
