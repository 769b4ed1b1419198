#!/usr/bin/env python3
"""Prints the real camera photos bench/make-photos.py makes its 12 MP files from (long side
>= 3000 px, round-robin over the evaluation set's sources), one path a line; nothing when
the evaluation set (eval/data, `make eval-set`) is absent."""

import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("make_photos", os.path.join(HERE, "..", "make-photos.py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
try:
    for path in module.sources():
        print(os.path.normpath(path))
except OSError:
    pass
