"""Bench-only code that runs inside the baked project's processes (servers, worker, setup).

It is importable there because the bench puts `bench/` on PYTHONPATH; it is a Django app so
that the floor's plain table has a model. Nothing here changes the template's own code: the
tenant stack is served as `config.asgi:application`, only wrapped in `counting.counted`.
"""
